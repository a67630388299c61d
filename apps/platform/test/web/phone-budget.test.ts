/**
 * Issue 13's phone budget, on a 390×844 Chromium page throttled through the DevTools protocol
 * (Fast 3G, CPU 4×) against the real platform and the real web build. The project allows no timed
 * assertion, so the test holds what decides the time and does not depend on the machine's load:
 * the served `/` already holds the market list (the server's pre-render, its stylesheet inline and
 * the list's data beside it), so the list paints from the document alone, with scripts off, in the
 * cookie's language, before any script ran and without asking for the list again; the app then
 * takes the page over without a second copy or a console warning; the JS it needs is ≤ 120 KB
 * gzipped (the build's own size report, and the bytes on the wire), and the chart's code is not
 * loaded. The measured time is printed; `npm run bench:web` reports it against the 1.5 s budget.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hi } from "@ox/web/i18n/hi";
import type { Browser } from "playwright-core";
import { seedDemoMarkets } from "../../src/demo-markets.ts";
import { WEB_DIST, WEB_ROOT } from "../../src/web-build.ts";
import { launchBrowser, VIEWPORTS } from "./browser";
import { ADMIN_PHONE, startTestPlatform } from "./platform-kit";
import { INITIAL_JS_BUDGET_GZIP_BYTES, loadListThrottled, TIME_TO_LIST_BUDGET_MS } from "./throttled-phone";

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
let marketIds: string[];

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
  await seedDemoMarkets(platform.seed, Date.now(), [ADMIN_PHONE]);
  const list = (await (await fetch(`${platform.url}/api/v1/markets`)).json()) as {
    markets: { id: string }[];
  };
  marketIds = list.markets.map((m) => m.id);
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

test("the build's initial JS (entry + modulepreloads) is ≤ 120 KB gzipped, the chart is lazy", async () => {
  const proc = Bun.spawnSync([process.execPath, join(WEB_ROOT, "scripts/size.ts")], { stdout: "pipe" });
  const report = JSON.parse(proc.stdout.toString()) as {
    budgetGzipBytes: number;
    initialGzipBytes: number;
    initial: { file: string }[];
    lazy: { file: string }[];
  };
  expect(report.budgetGzipBytes).toBe(INITIAL_JS_BUDGET_GZIP_BYTES);
  expect(report.initialGzipBytes).toBeLessThanOrEqual(INITIAL_JS_BUDGET_GZIP_BYTES);
  expect(proc.exitCode).toBe(0);
  const initial = report.initial.map((f) => f.file).join(" ");
  expect(initial).not.toContain("lightweight-charts");
  expect(initial).not.toContain("price-chart");
  expect(report.lazy.map((f) => f.file).join(" ")).toContain("lightweight-charts");
  // The size script reads the same index.html that the platform serves.
  expect(readFileSync(join(WEB_DIST, "index.html"), "utf8")).toContain(report.initial[0]?.file ?? "?");
});

test("the served / holds every market's card, the stylesheet inline and the list's data", async () => {
  const res = await fetch(`${platform.url}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-encoding")).toBe("br"); // fetch offers br; it decodes
  expect(res.headers.get("link")).toBeNull(); // no preload: nothing left to fetch for the list
  const html = await res.text();
  expect(marketIds.length).toBeGreaterThan(3);
  expect(html.match(/<article class="card market-card"/g)?.length).toBe(marketIds.length);
  for (const id of marketIds) expect(html).toContain(`id="m-${id}"`);
  const data = /<script id="ox-home-data" type="application\/json">([^<]*)<\/script>/.exec(html)?.[1];
  expect((JSON.parse(data ?? "[]") as { id: string }[]).map((m) => m.id).sort()).toEqual(
    [...marketIds].sort(),
  );
  // The CSS is in the document under the answer's CSP nonce; no stylesheet round trip.
  expect(html).not.toContain('rel="stylesheet"');
  const nonce = /<style nonce="([^"]+)">/.exec(html)?.[1];
  expect(nonce).toBeTruthy();
  expect(res.headers.get("content-security-policy")).toContain(`style-src 'self' 'nonce-${nonce}'`);
  // A language cookie renders the page in that language (English without one).
  const hindi = await (await fetch(`${platform.url}/`, { headers: { cookie: "ox.lang=hi" } })).text();
  expect(hindi).toContain('<html lang="hi"');
  expect(hindi).toContain(`>${hi.navHome}<`);
  expect(html).toContain('<html lang="en"');
});

test("with scripts off the list is there, cards laid out and styled", async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(`${platform.url}/`);
    const cards = page.locator(".market-card");
    expect(await cards.count()).toBe(marketIds.length);
    expect(await cards.first().isVisible()).toBe(true);
    // Styled: the inline stylesheet applied (a card is a bordered box, not unstyled text).
    expect(await cards.first().evaluate((e) => getComputedStyle(e).borderTopStyle)).not.toBe("none");
  } finally {
    await context.close();
  }
});

test("the app takes the pre-rendered page over: one copy, no refetch, no console warning", async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  try {
    const page = await context.newPage();
    const console: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") console.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => console.push(`pageerror: ${e.message}`));
    const lists: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/api/v1/markets") lists.push(r.url());
    });
    await page.goto(`${platform.url}/`);
    // React's own node replaced the server's (the live dot is React state; `ox-home-data` was read).
    await page.waitForFunction(
      () => !document.getElementById("ox-home-data") && !!document.querySelector(".app"),
    );
    await page.locator(".market-card").first().waitFor();
    expect(await page.locator(".app").count()).toBe(1);
    expect(await page.locator(".market-card").count()).toBe(marketIds.length);
    await page.waitForTimeout(500); // a refetch or a late warning would show by now
    expect(lists).toEqual([]);
    expect(console).toEqual([]);
  } finally {
    await context.close();
  }
});

test("Fast 3G + 4× CPU phone: the list paints from the document, ≤ 120 KB of script", async () => {
  const load = await loadListThrottled(browser, platform.url);
  console.log(
    `throttled phone (Fast 3G, CPU 4×, 390×844): market list visible at ${load.timeToListMs} ms, ` +
      `app mounted at ${load.appMountedMs} ms (budget ${TIME_TO_LIST_BUDGET_MS} ms for the list, ` +
      `not asserted: see npm run bench:web); ${load.scriptBytes} B of script on the wire`,
  );
  const paths = load.before.map((r) => r.url);
  expect(paths[0]).toBe("/");
  // The cards came with the document, laid out while it was still parsing (no script had run), and
  // nothing but the document and the app's scripts was fetched: no stylesheet, no list request.
  expect(load.listInDocument).toBe(true);
  expect(paths.filter((p) => p === "/api/v1/markets")).toHaveLength(0);
  expect(load.listRequestDepth).toBe(0);
  const beforeList = load.before.filter((r) => r.startMs <= load.timeToListMs && r.type !== "Script");
  expect(beforeList.map((r) => r.url)).toEqual(["/"]);
  // Only the entry script and its modulepreloads ran before the list; no chart, no other page.
  const scripts = load.before.filter((r) => r.type === "Script");
  expect(scripts.every((r) => r.initiator === "/")).toBe(true);
  expect(paths.some((p) => /lightweight-charts|price-chart|market-page/.test(p))).toBe(false);
  expect(load.scriptBytes).toBeGreaterThan(0);
  expect(load.scriptBytes).toBeLessThanOrEqual(INITIAL_JS_BUDGET_GZIP_BYTES);
  // Brotli from the precompressed build: every script the build compressed (all over 1 KB, see
  // vite.config.ts) arrived compressed; a smaller chunk has no .br and goes as it is.
  for (const s of scripts) {
    const path = join(WEB_DIST, s.url.replace(/^\//, ""));
    const file = readFileSync(path);
    if (existsSync(`${path}.br`)) expect(s.encodedBytes).toBeLessThan(file.length);
    else expect(file.length).toBeLessThan(1024);
  }
}, 120_000);
