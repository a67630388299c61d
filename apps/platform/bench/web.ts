/**
 * `npm run bench:web`: the issue 13 phone budget. The real platform (embedded, demo markets seeded)
 * serves the real web build; a 390×844 Chromium page throttled through the DevTools protocol
 * (Fast 3G, CPU 4×) loads the home page cold, each run in a fresh context with the cache off.
 * Prints one JSON object: every run's time to the visible market list, the median against the
 * 1.5 s budget, the initial JS on the wire, and the load average (the CPU throttle multiplies
 * whatever else the shared machine is doing). Flags: --runs N (default 5).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { seedDemoMarkets } from "../src/demo-markets.ts";
import { launchBrowser } from "../test/web/browser.ts";
import { ADMIN_PHONE, startTestPlatform } from "../test/web/platform-kit.ts";
import {
  CPU_SLOWDOWN,
  FAST_3G,
  INITIAL_JS_BUDGET_GZIP_BYTES,
  loadListThrottled,
  TIME_TO_LIST_BUDGET_MS,
} from "../test/web/throttled-phone.ts";

const { values: flags } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const loadStart = loadavg();
const platform = await startTestPlatform();
const browser = await launchBrowser();
try {
  await seedDemoMarkets(platform.seed, Date.now(), [ADMIN_PHONE]);
  await loadListThrottled(browser, platform.url); // warm the server (first reads of the catalogue)
  const runs = [];
  for (let i = 0; i < Number(flags.runs); i++) runs.push(await loadListThrottled(browser, platform.url));
  const times = runs.map((r) => r.timeToListMs);
  const medianMs = median(times);
  console.log(
    JSON.stringify(
      {
        bench: "web-phone-time-to-list",
        network: { ...FAST_3G, preset: "Fast 3G" },
        cpuSlowdown: CPU_SLOWDOWN,
        viewport: "390x844",
        runs: times,
        medianTimeToListMs: medianMs,
        budgetMs: TIME_TO_LIST_BUDGET_MS,
        withinBudget: medianMs <= TIME_TO_LIST_BUDGET_MS,
        initialScriptWireBytes: runs[0]?.scriptBytes,
        initialJsBudgetGzipBytes: INITIAL_JS_BUDGET_GZIP_BYTES,
        listRequestDepth: runs[0]?.listRequestDepth,
        requestsBeforeList: runs[0]?.before,
        loadavg: { start: loadStart, end: loadavg() },
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await platform.stop();
}
