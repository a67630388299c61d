/**
 * Issue 13's phone budget, on a 390×844 Chromium page throttled through the DevTools protocol
 * (Fast 3G, CPU 4×) against the real platform and the real web build. The project allows no timed
 * assertion, so the test holds what decides the time and does not depend on the machine's load:
 * the JS the page needs before the list is ≤ 120 KB gzipped (the build's own size report, and the
 * bytes on the wire); the list is asked for by the document's preload, beside the scripts (two
 * round trips, not three); the chart's code is not loaded for the list. The measured time is
 * printed; `npm run bench:web` reports it against the 1.5 s budget.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { seedDemoMarkets } from "../../src/demo-markets.ts";
import { WEB_DIST, WEB_ROOT } from "../../src/web-build.ts";
import { launchBrowser } from "./browser";
import { ADMIN_PHONE, startTestPlatform } from "./platform-kit";
import { INITIAL_JS_BUDGET_GZIP_BYTES, loadListThrottled, TIME_TO_LIST_BUDGET_MS } from "./throttled-phone";

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
  await seedDemoMarkets(platform.seed, Date.now(), [ADMIN_PHONE]);
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

test("Fast 3G + 4× CPU phone: the list needs two round trips and ≤ 120 KB of script", async () => {
  const load = await loadListThrottled(browser, platform.url);
  console.log(
    `throttled phone (Fast 3G, CPU 4×, 390×844): market list visible at ${load.timeToListMs} ms ` +
      `(budget ${TIME_TO_LIST_BUDGET_MS} ms, not asserted: see npm run bench:web); ` +
      `${load.scriptBytes} B of script on the wire`,
  );
  const paths = load.before.map((r) => r.url);
  expect(paths[0]).toBe("/");
  // The list's data was requested once, by the document's Link preload, not after the scripts ran.
  expect(paths.filter((p) => p === "/api/v1/markets")).toHaveLength(1);
  expect(load.listRequestDepth).toBe(2);
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
