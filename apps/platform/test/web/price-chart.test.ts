/**
 * The price chart (issues 6 and 13), in Chromium against the real platform: after real trades,
 * each of 1m / 5m / 1h / 1d asks the API for that interval's candles (bucket time `t` in epoch ms)
 * and the chart draws them; the time ranges 1D / 1W / 1M / All are a separate control that trims
 * the drawn candles without a new request; the axis and the crosshair readout are the YES chance
 * in % with the time under the pointer; the user's own fills are marked.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, VIEWPORTS } from "./browser";
import { ADMIN_PHONE, apiCall, go, logIn, screenshotDir, startTestPlatform } from "./platform-kit";

const TITLE = "Will the chart switch intervals?";
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const dir = screenshotDir();
const pageErrors: string[] = [];

async function newPage(who: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: VIEWPORTS.desktop })).newPage();
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (e) => pageErrors.push(`${who}: ${e.message}`));
  return page;
}

async function order(page: Page, marketId: string, outcome: "YES" | "NO", pricePaise: number) {
  const r = await apiCall(page, "POST", "/orders", {
    marketId,
    outcome,
    side: "BUY",
    type: "LIMIT",
    pricePaise,
    quantity: 1,
    timeInForce: "GTC",
  });
  if (r.status !== 201 && r.status !== 202) throw new Error(`order refused: ${JSON.stringify(r)}`);
}

/** True when the chart's canvases have drawn pixels (lightweight-charts paints on canvas). */
function chartPainted(page: Page): Promise<boolean> {
  return page.getByTestId("price-chart").evaluate((el) =>
    [...el.querySelectorAll("canvas")].some((c) => {
      if (c.width === 0 || c.height === 0) return false;
      const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; data && i < data.length; i += 4) if (data[i] > 0) return true;
      return false;
    }),
  );
}

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

test("1m / 5m / 1h / 1d each fetch their candles and the chart draws them", async () => {
  const started = Date.now();
  const admin = await newPage("admin");
  const alice = await newPage("alice");
  const bob = await newPage("bob");
  await logIn(admin, platform.url, ADMIN_PHONE);
  const created = await apiCall(admin, "POST", "/admin/markets", {
    title: TITLE,
    description: "Created by the chart test.",
    category: "test",
    rules: "YES if the chart draws.",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  const marketId = created.body.market.id as string;

  // Three MINTs at YES ₹6, ₹5.5 and ₹7.
  await logIn(alice, platform.url, "+919833300001");
  await logIn(bob, platform.url, "+919833300002");
  for (const page of [alice, bob]) {
    // The sandbox gateway confirms a deposit at once.
    expect((await apiCall(page, "POST", "/wallet/deposits", { amountPaise: 20_000 })).status).toBeLessThan(
      300,
    );
  }
  for (const yes of [600, 550, 700]) {
    await order(alice, marketId, "YES", yes);
    await order(bob, marketId, "NO", 1000 - yes);
  }
  // The candles come from the persister's trades table: wait until all three are there.
  for (let i = 0; ; i++) {
    const r = await apiCall(alice, "GET", `/markets/${marketId}/candles?interval=1d`);
    if (r.body.candles?.[0]?.trades === 3) break;
    if (i > 100) throw new Error(`trades not persisted: ${JSON.stringify(r.body)}`);
    await alice.waitForTimeout(100);
  }

  const asked: string[] = [];
  alice.on("request", (r) => {
    if (r.url().includes(`/markets/${marketId}/candles`))
      asked.push(new URL(r.url()).searchParams.get("interval") ?? "");
  });
  await go(alice, `/markets/${marketId}`);
  await alice.getByRole("heading", { name: TITLE }).waitFor();
  const seg = alice.getByRole("group", { name: "Interval" });
  await expect(seg.getByRole("button", { name: "5m" }).getAttribute("aria-pressed")).resolves.toBe("true");

  for (const interval of ["1m", "1h", "1d", "5m"]) {
    const response =
      interval === "5m" && asked.includes("5m")
        ? null // the page's first fetch; switching back reads the cache
        : alice.waitForResponse((r) => r.url().includes(`/candles?interval=${interval}`));
    await seg.getByRole("button", { name: interval }).click();
    if (response) {
      const body = (await (await response).json()) as {
        interval: string;
        candles: { t: number; closePaise: number }[];
      };
      expect(body.interval).toBe(interval);
      expect(body.candles.length).toBeGreaterThanOrEqual(1);
      for (const c of body.candles) expect(c.t).toBeGreaterThan(Date.UTC(2024, 0, 1));
      expect(body.candles.at(-1)?.closePaise).toBe(700);
    }
    await expect(seg.getByRole("button", { name: interval }).getAttribute("aria-pressed")).resolves.toBe(
      "true",
    );
    await alice.getByTestId("price-chart").waitFor();
    for (let i = 0; !(await chartPainted(alice)); i++) {
      if (i > 50) throw new Error(`the ${interval} chart drew nothing`);
      await alice.waitForTimeout(100);
    }
    await alice.locator(".mp-chart").screenshot({ path: join(dir, `desktop-chart-${interval}.png`) });
  }
  expect(asked).toEqual(["5m", "1m", "1h", "1d"]);

  // The last trade was YES ₹7: the chart reads 70 % (the axis is %, not rupees).
  const readout = alice.getByTestId("chart-readout");
  await expect(readout.textContent()).resolves.toBe("70% chance now");

  // Ranges: their own group, each pressed in turn, the candles re-trimmed with no new request.
  const ranges = alice.getByRole("group", { name: "Chart time range" });
  await expect(ranges.getByRole("button", { name: "All" }).getAttribute("aria-pressed")).resolves.toBe(
    "true",
  );
  const before = asked.length;
  for (const range of ["1D", "1W", "1M", "All"]) {
    await ranges.getByRole("button", { name: range }).click();
    await expect(ranges.getByRole("button", { name: range }).getAttribute("aria-pressed")).resolves.toBe(
      "true",
    );
    // Every trade is minutes old: each range holds the one 5m candle.
    await expect(alice.getByTestId("price-chart").getAttribute("data-candles")).resolves.toBe("1");
    await expect(seg.getByRole("button", { name: "5m" }).getAttribute("aria-pressed")).resolves.toBe("true");
  }
  expect(asked.length).toBe(before);

  // Crosshair: hovering the line shows the chance and the time under the pointer.
  const box = await alice.getByTestId("price-chart").boundingBox();
  if (!box) throw new Error("no chart box");
  await alice.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; !/ chance at /.test((await readout.textContent()) ?? ""); i++) {
    if (i > 50) throw new Error(`no crosshair readout: ${await readout.textContent()}`);
    await alice.mouse.move(box.x + box.width / 2 + (i % 5) * 7, box.y + box.height / 2);
    await alice.waitForTimeout(100);
  }
  const text = (await readout.textContent()) ?? "";
  expect(text).toMatch(/^70% chance at \d{1,2} \w{3},? \d{1,2}:\d{2}/i);

  // Own fills: alice's three buys are marked (and said in words); bob sees his own three, not hers.
  await expect(alice.getByTestId("price-chart").getAttribute("data-own-fills")).resolves.toBe("3");
  await expect(alice.getByTestId("own-fills-legend").textContent()).resolves.toBe(
    "Your trades are marked on the chart (3)",
  );
  await alice.locator(".mp-chart").screenshot({ path: join(dir, "desktop-chart-crosshair-fills.png") });
  const anon = await newPage("anonymous");
  await anon.goto(`${platform.url}/markets/${marketId}`);
  await anon.getByTestId("price-chart").waitFor();
  await expect(anon.getByTestId("price-chart").getAttribute("data-own-fills")).resolves.toBe("0");
  await expect(anon.getByTestId("own-fills-legend").count()).resolves.toBe(0);
  expect(pageErrors).toEqual([]);
  console.log(`chart intervals: ${Date.now() - started} ms; screenshots in ${dir}`);
}, 120_000);
