/** Launch Debian's Chromium through playwright-core (no bundled browsers downloaded). */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1366, height: 900 },
} as const;

/**
 * Pages in their own contexts, each reporting uncaught page errors into `pageErrors` as
 * "who: message"; `closeAll` closes every context it opened.
 */
export function pageFactory(browser: () => Browser, pageErrors: string[]) {
  const contexts: BrowserContext[] = [];
  return {
    async newPage(who: string, kind: keyof typeof VIEWPORTS = "desktop"): Promise<Page> {
      const ctx = await browser().newContext({ viewport: VIEWPORTS[kind] });
      contexts.push(ctx);
      const page = await ctx.newPage();
      page.setDefaultTimeout(10_000);
      page.on("pageerror", (e) => pageErrors.push(`${who}: ${e.message}`));
      return page;
    },
    async closeAll() {
      for (const c of contexts) await c.close().catch(() => {});
    },
  };
}
