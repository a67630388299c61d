/**
 * The issue 13 phone budget, measured: a 390×844 Chromium page throttled through the DevTools
 * protocol (Fast 3G: 1.6 Mbps down, 750 kbps up, 150 ms latency; CPU 4× slower) loads the home page
 * cold, and we record when the first market card is painted (in the DOM, laid out, its stylesheets
 * loaded, and the next frame begun), and when the app (React) has mounted. Shared by the browser
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
  /** When the app's first commit put its own `.app` into the page (it replaces a pre-rendered one). */
  appMountedMs: number;
  /** Whether the served document itself held the market cards (the server's pre-rendered `/`). */
  listInDocument: boolean;
  /** Every request the page started before the list was visible and the app mounted, in order. */
  before: {
    url: string;
    type: string;
    startMs: number;
    /** When its last byte arrived (ms from the document request). */
    endMs: number;
    encodedBytes: number;
    initiator: string;
  }[];
  /** Bytes on the wire (after content-encoding) of the scripts loaded before the list and the app. */
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
        endMs: -1,
        encodedBytes: 0,
        initiator: initiatorUrl,
      });
    });
    cdp.on("Network.loadingFinished", (e) => {
      const r = reqs.get(e.requestId);
      if (!r) return;
      r.encodedBytes = e.encodedDataLength;
      r.endMs = Math.round((e.timestamp - t0) * 1000);
    });
    // Stamps, from inside the page (no polling lag), the frame in which the first market card can
    // be painted: it is laid out and every stylesheet has loaded (a card parsed from the document
    // is laid out at once, unstyled, and nothing paints before the stylesheet), then the next
    // animation frame, which runs just before that frame's paint. And the app's mount: a `.app`
    // added after parsing (module scripts run after it) is React's.
    await page.addInitScript(() => {
      const w = window as unknown as {
        __listVisibleAt?: number;
        __listPending?: boolean;
        __appAt?: number;
        __listInDocument?: boolean;
      };
      const check = () => {
        if (w.__listPending) return;
        const card = document.querySelector(".market-card");
        if (!card || card.getBoundingClientRect().height === 0) return;
        w.__listInDocument ??= document.readyState === "loading";
        const sheets = [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')];
        if (!sheets.every((l) => l.sheet)) return;
        w.__listPending = true;
        requestAnimationFrame(() => {
          w.__listVisibleAt = performance.now();
        });
      };
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.addedNodes)
            if (
              w.__appAt === undefined &&
              document.readyState !== "loading" &&
              (n as Element).classList?.contains("app")
            )
              w.__appAt = performance.now();
        check();
      }).observe(document, { childList: true, subtree: true });
      document.addEventListener("load", check, true); // a stylesheet arriving after the cards
    });
    await page.goto(`${baseUrl}/`, { waitUntil: "commit" });
    type Stamps = { __listVisibleAt?: number; __appAt?: number; __listInDocument?: boolean };
    await page.waitForFunction(() => {
      const w = window as Stamps;
      return w.__listVisibleAt !== undefined && w.__appAt !== undefined;
    });
    // Every script has finished arriving (their bytes below), whether or not the list needed them.
    await page.waitForLoadState("load");
    const stamps = await page.evaluate(() => {
      const w = window as Stamps;
      return {
        list: Math.round(w.__listVisibleAt ?? -1),
        app: Math.round(w.__appAt ?? -1),
        doc: !!w.__listInDocument,
      };
    });
    const timeToListMs = stamps.list;
    // Requests that began before the list showed (the CDP clock starts at the document request,
    // within a millisecond of the page's navigation start).
    // Up to the list or the app's mount, whichever came later: a pre-rendered list shows before
    // the scripts have run, and they still count.
    const until = Math.max(timeToListMs, stamps.app);
    const before = [...reqs.values()].filter((r) => r.startMs <= until && !r.url.startsWith("data:"));
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
      appMountedMs: stamps.app,
      listInDocument: stamps.doc,
      before: before.map(({ url, type, startMs, endMs, encodedBytes, initiator }) => ({
        url: url.replace(baseUrl, ""),
        type,
        startMs,
        endMs,
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
