/**
 * Phone layout (issue 6: mobile first), 390×844 in Chromium against the real platform: on every main
 * page, in English and Hindi, nothing scrolls sideways; the bottom navigation is on screen and works;
 * the trade ticket and the order book can be used with a thumb (a real order placed from the phone).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { en } from "@ox/web/i18n/en";
import { hi } from "@ox/web/i18n/hi";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, VIEWPORTS } from "./browser";
import {
  ADMIN_PHONE,
  apiCall,
  go,
  logIn,
  screenshotDir,
  setTicketPrice,
  startTestPlatform,
  submitTicket,
  ticketShares,
} from "./platform-kit";

const TITLE = "Will a very long market question about the monsoon onset over Kerala wrap on a phone?";
const WIDTH = VIEWPORTS.phone.width;
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const dir = screenshotDir();
const shots: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  console.log(`mobile screenshots in ${dir}:\n  ${shots.map((s) => s.slice(dir.length + 1)).join("\n  ")}`);
});

async function newPage(who: string, kind: keyof typeof VIEWPORTS): Promise<Page> {
  const page = await (await browser.newContext({ viewport: VIEWPORTS[kind] })).newPage();
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (e) => pageErrors.push(`${who}: ${e.message}`));
  return page;
}

/** No horizontal overflow, and the elements that stick out past the viewport if there is one. */
async function expectNoSidewaysScroll(page: Page, where: string) {
  const r = await page.evaluate((w) => {
    const scrollWidth = document.scrollingElement?.scrollWidth ?? 0;
    const wide = [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > w + 0.5)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    return { scrollWidth, wide };
  }, WIDTH);
  if (r.scrollWidth > WIDTH)
    throw new Error(`${where}: scrollWidth ${r.scrollWidth} > ${WIDTH}: ${r.wide.join(", ")}`);
  expect(r.scrollWidth).toBeLessThanOrEqual(WIDTH);
}

/** The bottom navigation is fixed to the bottom edge, fully on screen, one tap target per tab. */
async function expectBottomNav(page: Page, lang: "en" | "hi" = "en") {
  const nav = page.getByRole("navigation", { name: { en, hi }[lang].mainNav });
  const box = await nav.boundingBox();
  if (!box) throw new Error("no bottom navigation");
  expect(Math.round(box.y + box.height)).toBe(VIEWPORTS.phone.height);
  expect(box.x).toBe(0);
  expect(Math.round(box.width)).toBe(WIDTH);
  for (const link of await nav.getByRole("link").all()) {
    const b = await link.boundingBox();
    expect(b && b.height >= 44 && b.x >= 0 && b.x + b.width <= WIDTH).toBe(true);
  }
}

/** Scrolled to the very bottom, the page's last card ends above the fixed bottom navigation. */
async function expectContentClearsNav(page: Page) {
  const gap = await page.evaluate(() => {
    window.scrollTo(0, document.scrollingElement?.scrollHeight ?? 0);
    const navTop = document.querySelector("nav.mainnav")?.getBoundingClientRect().top ?? 0;
    const last = [...document.querySelectorAll("main .card, main section")].at(-1);
    return navTop - (last?.getBoundingClientRect().bottom ?? 0);
  });
  expect(gap).toBeGreaterThanOrEqual(0);
}

async function snap(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

test("390×844: ticket, book and bottom nav usable, no sideways scroll (en + hi)", async () => {
  const started = Date.now();
  const admin = await newPage("admin", "desktop");
  await logIn(admin, platform.url, ADMIN_PHONE);
  const created = await apiCall(admin, "POST", "/admin/markets", {
    title: TITLE,
    description: "Created by the mobile layout test.",
    category: "weather",
    rules:
      "YES if IMD declares onset over Kerala on or before 1 June; NO otherwise.\n\nSource: https://mausam.imd.gov.in/",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  const marketId = created.body.market.id as string;
  const bob = await newPage("bob", "desktop");
  await logIn(bob, platform.url, "+919844400002");
  await apiCall(bob, "POST", "/orders", {
    marketId,
    outcome: "NO",
    side: "BUY",
    type: "LIMIT",
    pricePaise: 450,
    quantity: 3,
    timeInForce: "GTC",
  });

  const phone = await newPage("phone", "phone");
  await logIn(phone, platform.url, "+919844400001");
  await phone.getByRole("heading", { name: TITLE }).waitFor();
  await expectBottomNav(phone);

  // The ticket from a phone: BUY YES 2 @ ₹5.5 takes one of Bob's NO ₹4.5 bids (a MINT) and rests one.
  await go(phone, `/markets/${marketId}`);
  await phone.getByRole("heading", { name: TITLE }).waitFor();
  await ticketShares(phone, 2);
  await setTicketPrice(phone, "5.5");
  await submitTicket(phone, /^buy yes$/i);
  await phone.getByText(/Filled: BUY 2 Yes @ ₹5.5/).waitFor();
  // The chart had no candles when the page opened; the live trade makes it re-read them.
  await phone.getByTestId("price-chart").waitFor();
  const book = phone.getByTestId("order-book");
  await book.scrollIntoViewIfNeeded();
  await book.getByText("₹4.5").waitFor();

  for (const lang of ["en", "hi"] as const) {
    if (lang === "hi") await phone.getByRole("combobox", { name: "Language" }).selectOption("hi");
    for (const path of ["/", `/markets/${marketId}`, "/portfolio", "/wallet"]) {
      await go(phone, path);
      await phone.locator("main .card").first().waitFor();
      await phone.waitForTimeout(400); // lazy chart + queries settle
      await expectNoSidewaysScroll(phone, `${lang} ${path}`);
      await expectBottomNav(phone, lang);
      await expectContentClearsNav(phone);
      const name = path === "/" ? "home" : path.startsWith("/markets") ? "market" : path.slice(1);
      await snap(phone, `phone-${name}-${lang}`);
    }
  }
  // The bottom navigation works by tap.
  await phone.getByRole("navigation", { name: hi.mainNav }).getByRole("link").first().click();
  await phone.getByRole("heading", { name: TITLE }).waitFor();
  expect(pageErrors).toEqual([]);
  console.log(`mobile layout: ${Date.now() - started} ms`);
}, 150_000);
