/**
 * The issue 13 phone budget, measured: a 390×844 Chromium page throttled through the DevTools
 * protocol (Fast 3G: 1.6 Mbps down, 750 kbps up, 150 ms latency; CPU 4× slower) loads the home page
 * cold, and we record when the first market card is in the DOM and visible. Shared by the browser
 * test (which asserts only what is deterministic: bytes and request chains) and `npm run bench:web`
 * (which reports the time).
 */
import type { Browser } from "playwright-core";
import { VIEWPORTS } from "./browser";

export const FAST_3G = {
  offline: false,
  latency: 150,
  downloadThroughput: 1_600_000 / 8,
  uploadThroughput: 750_000 / 8,
} as const;
export const CPU_SLOWDOWN = 4;
export const TIME_TO_LIST_BUDGET_MS = 1500;
export const INITIAL_JS_BUDGET_GZIP_BYTES = 120 * 1024;

export interface ListLoad {
  /** performance.now() (ms since navigation start) when the first market card became visible. */
  timeToListMs: number;
  /** Every request the page started before the list was visible, in order. */
  before: { url: string; type: string; startMs: number; encodedBytes: number; initiator: string }[];
  /** Bytes on the wire (after content-encoding) of the scripts loaded before the list. */
  scriptBytes: number;
  /**
   * How many requests, one after another, the browser made before it could ask for the list of
   * markets: 1 = the document; 2 = asked for by the document (its preload, beside the scripts);
   * 3 = asked for by a script, after the scripts arrived and ran.
   */
  listRequestDepth: number;
}

/** Loads `${baseUrl}/` on a fresh throttled phone context and measures the market list. */
export async function loadListThrottled(browser: Browser, baseUrl: string): Promise<ListLoad> {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", FAST_3G);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });

    type Req = ListLoad["before"][number] & { id: string };
    const reqs = new Map<string, Req>();
    let t0 = -1;
    cdp.on("Network.requestWillBeSent", (e) => {
      if (t0 < 0) t0 = e.timestamp;
      const initiatorUrl = e.initiator.url ?? e.initiator.stack?.callFrames[0]?.url ?? "";
      reqs.set(e.requestId, {
        id: e.requestId,
        url: e.request.url,
        type: e.type ?? "Other",
        startMs: Math.round((e.timestamp - t0) * 1000),
        encodedBytes: 0,
        initiator: initiatorUrl,
      });
    });
    cdp.on("Network.loadingFinished", (e) => {
      const r = reqs.get(e.requestId);
      if (!r) return;
      r.encodedBytes = e.encodedDataLength;
    });
    // Stamps the moment the first market card is laid out, from inside the page (no polling lag).
    await page.addInitScript(() => {
      const w = window as unknown as { __listVisibleAt?: number };
      const check = () => {
        if (w.__listVisibleAt !== undefined) return;
        const card = document.querySelector(".market-card");
        if (card && card.getBoundingClientRect().height > 0) w.__listVisibleAt = performance.now();
      };
      new MutationObserver(check).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${baseUrl}/`, { waitUntil: "commit" });
    await page.waitForFunction(() => (window as { __listVisibleAt?: number }).__listVisibleAt !== undefined);
    const timeToListMs = await page.evaluate(() =>
      Math.round((window as unknown as { __listVisibleAt: number }).__listVisibleAt),
    );
    // Requests that began before the list showed (the CDP clock starts at the document request,
    // within a millisecond of the page's navigation start).
    const before = [...reqs.values()].filter((r) => r.startMs <= timeToListMs && !r.url.startsWith("data:"));
    // Depth by initiator: a request's depth is its initiator's plus one; the document is 1 and a
    // request with no initiator URL other than the document (a Link-header preload) is 2.
    const depthOf = (r: Req, seen = 0): number => {
      if (r.type === "Document") return 1;
      const parent = before.find((p) => p.url === r.initiator);
      return parent && seen < 10 ? depthOf(parent, seen + 1) + 1 : 2;
    };
    const list = before.find((r) => new URL(r.url).pathname === "/api/v1/markets");
    const scriptBytes = before.filter((r) => r.type === "Script").reduce((s, r) => s + r.encodedBytes, 0);
    return {
      timeToListMs,
      before: before.map(({ url, type, startMs, encodedBytes, initiator }) => ({
        url: url.replace(baseUrl, ""),
        type,
        startMs,
        encodedBytes,
        initiator: initiator.replace(baseUrl, ""),
      })),
      scriptBytes,
      listRequestDepth: list ? depthOf(list) : 0,
    };
  } finally {
    await context.close();
  }
}
