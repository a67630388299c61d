/**
 * Hindi without English leftovers (issue 13), in Chromium against the real platform: every main page
 * (home, a market, portfolio, wallet with KYC and referral, login, the admin KYC queue, markets and
 * users) in Hindi mode, walked text node by text node (plus aria-label, placeholder and title of
 * visible elements): a Latin-letter word fails the test unless it is market content authored in
 * English, the brand, or one of the few terms Hindi apps write in Latin letters (KYC, PAN, OTP…).
 * Each page is also photographed in English and in Hindi, at phone size.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, pageFactory } from "./browser";
import { ADMIN_PHONE, apiCall, go, logIn, screenshotDir, startTestPlatform } from "./platform-kit";

const MARKET = {
  title: "Will the leftover test find English words?",
  description: "Market content authored in English may stay English.",
  category: "Cricket",
  rules: "YES if the walk finds none.",
  resolutionSource: "The test log",
};
/** Terms written in Latin letters in Hindi UIs as well (brand, ids and regulatory acronyms, units). */
const ALLOWED = new Set([
  "OX",
  "KYC",
  "PAN",
  "IFSC",
  "OTP",
  "SMS",
  "IOC",
  "FOK",
  "EN",
  "English",
  "UPI",
  "ID",
]);

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const pageErrors: string[] = [];
const pages = pageFactory(() => browser, pageErrors);
const dir = screenshotDir();
const shots: string[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  await pages.closeAll();
  await browser?.close();
  await platform?.stop();
  console.log(`language screenshots in ${dir}:\n  ${shots.map((s) => s.slice(dir.length + 1)).join("\n  ")}`);
});

/** Visible text and accessible-name attributes of the page, as one string per node. */
function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const shown = (el: Element | null) =>
      !!el &&
      (el as HTMLElement).checkVisibility?.({ checkOpacity: true, checkVisibilityCSS: true }) !== false;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || ["SCRIPT", "STYLE", "NOSCRIPT"].includes(parent.tagName)) continue;
      const text = n.textContent?.trim();
      const option = parent.closest("option");
      if (option) {
        // A closed select shows only its chosen option; a datalist shows none.
        const select = option.closest("select");
        if (text && select && select.selectedOptions[0] === option && shown(select)) out.push(text);
        continue;
      }
      if (text && shown(parent)) out.push(text);
    }
    for (const el of document.body.querySelectorAll("[aria-label], [placeholder], [title]"))
      if (shown(el))
        for (const a of ["aria-label", "placeholder", "title"]) {
          const v = el.getAttribute(a)?.trim();
          if (v) out.push(v);
        }
    return out;
  });
}

/** Latin-letter words left after removing market content, ids and allowed terms. */
function leftovers(texts: string[], content: string[]): string[] {
  const found = new Set<string>();
  for (let text of texts) {
    for (const c of content) text = text.split(c).join(" ");
    text = text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, " ") // ids
      .replace(/\b[0-9a-f]{7,}\b/gi, " ") // short order ids
      .replace(/\b\d+[mhdw]\b/gi, " ") // chart units: candle sizes (1m, 1h) and ranges (1D, 1W, 1M)
      .replace(/\bp(50|99)\b/g, " ");
    for (const w of text.match(/[A-Za-z][A-Za-z'’]*/g) ?? []) if (!ALLOWED.has(w)) found.add(w);
  }
  return [...found];
}

async function snap(page: Page, name: string) {
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

const setLang = async (page: Page, lang: "en" | "hi") => {
  await page.getByRole("combobox", { name: lang === "hi" ? "Language" : "भाषा" }).selectOption(lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
};

test("no English is left on the main pages in Hindi mode; screenshots in both languages", async () => {
  const base = platform.url;
  const admin = await pages.newPage("admin", "phone");
  const user = await pages.newPage("user", "phone");
  await logIn(admin, base, ADMIN_PHONE);
  const created = await apiCall(admin, "POST", "/admin/markets", {
    ...MARKET,
    closeAt: Date.now() + 259_000_000,
  });
  expect(created.status).toBe(201);
  await logIn(user, base, "+919811100091");
  const marketId = created.body.market.id as string;
  // A fill each (a MINT), a resting order, a KYC request in the queue: every list has a row.
  const order = (page: Page, outcome: string, pricePaise: number, quantity: number) =>
    apiCall(page, "POST", "/orders", { marketId, type: "LIMIT", outcome, side: "BUY", pricePaise, quantity });
  expect((await order(user, "YES", 600, 2)).status).toBe(201);
  expect((await order(admin, "NO", 400, 1)).status).toBe(201);
  const kyc = await apiCall(user, "POST", "/kyc", {
    pan: "ABCPH1234Q",
    name: "Hindi Tester",
    bankAccount: "112233445566",
    ifsc: "HDFC0001234",
  });
  expect(kyc.status).toBe(201);
  const me = await apiCall(user, "GET", "/me");
  // What users typed (the KYC name, IFSC, the PAN's visible tail) is content, not UI text.
  const content = [
    ...Object.values(MARKET),
    "Hindi Tester",
    "HDFC0001234",
    "••••••234Q",
    me.body.user?.referralCode ?? "∅",
  ].filter((c): c is string => typeof c === "string" && c.length > 0);

  const guest = await pages.newPage("guest", "phone");
  const walk: [Page, string, string][] = [
    [user, "/", "home"],
    [user, `/markets/${marketId}`, "market"],
    [user, "/portfolio", "portfolio"],
    [user, "/wallet", "wallet"],
    [admin, "/admin/kyc", "admin-kyc"],
    [admin, "/admin/markets", "admin-markets"],
    [admin, "/admin/users", "admin-users"],
    [guest, "/login", "login"],
  ];
  await guest.goto(`${base}/login`);
  await guest.getByLabel(/mobile number/i).waitFor();
  await go(user, "/");
  const failures: string[] = [];
  for (const lang of ["en", "hi"] as const) {
    for (const p of [user, admin, guest])
      if ((await p.evaluate(() => document.documentElement.lang)) !== lang) {
        await setLang(p, lang);
      }
    // A toast keeps the language it was raised in (the fills above, in English): dismiss them.
    for (const p of [user, admin, guest])
      for (const close of await p.locator(".toast button").all()) await close.click().catch(() => {});
    for (const [page, path, name] of walk) {
      await go(page, path);
      // The page's own data, not a spinner.
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await page.waitForFunction(() => !document.querySelector(".state-loading"));
      if (name === "market" || name === "home") await page.getByText(MARKET.title).first().waitFor();
      await snap(page, `phone-${name}-${lang}`);
      if (lang === "hi") {
        const words = leftovers(await visibleTexts(page), content);
        if (words.length) failures.push(`${path}: ${words.join(", ")}`);
      }
    }
  }
  if (failures.length) console.log(`English left in Hindi mode:\n  ${failures.join("\n  ")}`);
  expect(failures).toEqual([]);
  expect(pageErrors).toEqual([]);
}, 240_000);
