/**
 * The admin System health page (issue 10), in Chromium against the real platform (embedded): an
 * admin opens it, an order load starts from this test process over HTTP, and the charts move: more
 * points, the order-rate line above 0, round-trip points appear, the canvases are painted. The
 * server's verdict shows as healthy; an answer with a degraded verdict (the same real answer, its
 * last sample's lag pushed over the limit) shows as degraded with its reason and a red card.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { fundPacedUsers, type PacedMarket, startPacedLoad } from "../paced-orders.ts";
import { launchBrowser, VIEWPORTS } from "./browser";
import { ADMIN_PHONE, apiCall, go, logIn, screenshotDir, startTestPlatform } from "./platform-kit";

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
let market: PacedMarket;
const dir = screenshotDir();
const pageErrors: string[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

interface ChartState {
  points: number;
  last: number | null;
  lastT: number;
}

async function chart(page: Page, key: string): Promise<ChartState> {
  const el = page.getByTestId(`health-chart-${key}`);
  const [points, last, lastT] = await Promise.all([
    el.getAttribute("data-points"),
    el.getAttribute("data-last"),
    el.getAttribute("data-last-t"),
  ]);
  return { points: Number(points), last: last ? Number(last) : null, lastT: Number(lastT) };
}

async function waitUntil(page: Page, what: string, ok: () => Promise<boolean>, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await page.waitForTimeout(250);
  }
}

/** True when the chart's canvases have drawn pixels (lightweight-charts paints on canvas). */
function painted(page: Page, key: string): Promise<boolean> {
  return page.getByTestId(`health-chart-${key}`).evaluate((el) =>
    [...el.querySelectorAll("canvas")].some((c) => {
      if (c.width === 0 || c.height === 0) return false;
      const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; data && i < data.length; i += 4) if (data[i] > 0) return true;
      return false;
    }),
  );
}

test("the health page's charts move under an order load; healthy and degraded verdicts show", async () => {
  const page = await (await browser.newContext({ viewport: VIEWPORTS.desktop })).newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (e) => pageErrors.push(e.message));
  // A Content-Security-Policy violation (the charts' canvas and styles under the app's CSP) is a console error.
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(`console: ${m.text()}`);
  });
  const html = await fetch(`${platform.url}/admin/health`);
  expect(html.headers.get("content-security-policy")).toContain("default-src");
  await logIn(page, platform.url, ADMIN_PHONE);
  const created = await apiCall(page, "POST", "/admin/markets", {
    title: "Will the health page move?",
    description: "Created by the health page test.",
    category: "test",
    rules: "r",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  market = await fundPacedUsers({
    base: () => platform.url,
    marketId: created.body.market.id,
    userPhones: ["+919844400001", "+919844400002"],
    deposit: 200_000,
  });
  await go(page, "/admin/health");
  for (const key of ["order-rate", "round-trip", "queue-depth", "persister-lag", "sockets"])
    await page.getByTestId(`health-chart-${key}`).waitFor();
  // A few quiet samples first: the order rate is drawn at 0.
  await waitUntil(page, "three order-rate points", async () => (await chart(page, "order-rate")).points >= 3);
  const quiet = await chart(page, "order-rate");
  expect(quiet.last).toBe(0);
  const quietRt = await chart(page, "round-trip");
  await page.screenshot({ path: join(dir, "desktop-admin-health-quiet.png"), fullPage: true });

  const load = startPacedLoad(market, 4);
  try {
    await waitUntil(
      page,
      "the order-rate line rises",
      async () => ((await chart(page, "order-rate")).last ?? 0) > 2,
    );
    await waitUntil(
      page,
      "round-trip points appear",
      async () => (await chart(page, "round-trip")).points > quietRt.points,
    );
  } finally {
    await load.stop();
  }
  expect(load.other).toEqual([]);
  const busy = await chart(page, "order-rate");
  expect(busy.points).toBeGreaterThan(quiet.points);
  expect(busy.lastT).toBeGreaterThan(quiet.lastT);
  expect(busy.last).toBeGreaterThan(0);
  expect(busy.last).toBeLessThan(50); // 8 orders/s were sent; the line is a rate, not a count
  const rt = await chart(page, "round-trip");
  expect(rt.last).toBeGreaterThan(0);
  for (const key of ["order-rate", "round-trip"]) expect(await painted(page, key)).toBe(true);
  await page
    .getByText(/orders\/s/)
    .first()
    .waitFor();
  await page.screenshot({ path: join(dir, "desktop-admin-health-load.png"), fullPage: true });

  // The verdict: the persister keeps up with this load, so healthy (the server decides).
  const status = page.getByTestId("health-status");
  await waitUntil(page, "healthy", async () => (await status.getAttribute("data-status")) === "healthy");
  await expect(status.textContent()).resolves.toContain("Healthy");
  expect(await page.locator(".health-card[data-state=degraded]").count()).toBe(0);

  // A degraded answer: the real one with its last sample's persister lag over the limit.
  await page.route("**/api/v1/admin/health", async (route) => {
    const res = await route.fetch();
    const body = (await res.json()) as {
      status: string;
      reasons: string[];
      limits: { persisterLag: number };
      samples: { persisterLag: number | null }[];
    };
    const lag = body.limits.persisterLag * 2;
    const last = body.samples.at(-1);
    if (last) last.persisterLag = lag;
    body.status = "degraded";
    body.reasons = [`persister lag ${lag} records > ${body.limits.persisterLag}`];
    await route.fulfill({ response: res, json: body });
  });
  await waitUntil(page, "degraded", async () => (await status.getAttribute("data-status")) === "degraded");
  await expect(status.textContent()).resolves.toContain("Degraded");
  await page.getByText(/persister lag \d+ records > \d+/).waitFor();
  const lagCard = page.locator(".health-card", { has: page.getByTestId("health-chart-persister-lag") });
  await expect(lagCard.getAttribute("data-state")).resolves.toBe("degraded");
  await lagCard.getByText(/over the limit/i).waitFor();
  await page.screenshot({ path: join(dir, "desktop-admin-health-degraded.png"), fullPage: true });
  await page.unroute("**/api/v1/admin/health");

  // On a phone the charts stack in one column and nothing scrolls sideways.
  await page.setViewportSize(VIEWPORTS.phone);
  await page.waitForTimeout(500);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: join(dir, "phone-admin-health.png"), fullPage: true });

  expect(pageErrors).toEqual([]);
  console.log(`admin health screenshots in ${dir}`);
}, 120_000);
