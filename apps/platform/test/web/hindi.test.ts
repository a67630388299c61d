/**
 * English ↔ Hindi (issue 6), in Chromium against the real platform: the header switch turns the main
 * pages' labels into Hindi, and the choice survives a fresh page load (localStorage + <html lang>).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, VIEWPORTS } from "./browser";
import { ADMIN_PHONE, apiCall, go, logIn, screenshotDir, startTestPlatform } from "./platform-kit";

const TITLE = "Will the Hindi labels show?";
const TITLE_HI = "क्या हिंदी लेबल दिखेंगे?";
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const dir = screenshotDir();
const shots: string[] = [];
const pageErrors: string[] = [];

async function snap(page: Page, name: string) {
  await page.waitForTimeout(300);
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  console.log(`hindi screenshots in ${dir}:\n  ${shots.map((s) => s.slice(dir.length + 1)).join("\n  ")}`);
});

/** Waits for each text to be visible on the page (exact match of an element's whole text). */
async function seeAll(page: Page, texts: string[]) {
  for (const text of texts) await page.getByText(text, { exact: true }).first().waitFor();
}

test("the हिं switch renders Hindi on home, market, portfolio and wallet, and is remembered", async () => {
  const started = Date.now();
  const ctx = await browser.newContext({ viewport: VIEWPORTS.phone });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await logIn(page, platform.url, ADMIN_PHONE);
  const created = await apiCall(page, "POST", "/admin/markets", {
    title: TITLE,
    titleHi: TITLE_HI,
    description: "Created by the Hindi test.",
    category: "test",
    rules: "YES if हाँ appears.",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  const marketId = created.body.market.id as string;
  await go(page, `/markets/${marketId}`);
  await page.getByRole("heading", { name: TITLE }).waitFor();
  await page.getByText("Order book", { exact: true }).waitFor();

  await page.getByRole("combobox", { name: "Language" }).selectOption("hi");
  // The market page (bottom navigation included), and the English is gone.
  await seeAll(page, ["मार्केट", "पोर्टफोलियो", "वॉलेट", "ऑर्डर बुक", "कीमत इतिहास", "राशि ₹ में", "खरीदें"]);
  await page.getByRole("button", { name: "खरीदें हाँ" }).waitFor();
  // The admin's Hindi title replaces the English one in Hindi mode.
  await page.getByRole("heading", { name: TITLE_HI }).waitFor();
  expect(await page.getByRole("heading", { name: TITLE }).count()).toBe(0);
  await page.getByRole("table", { name: "हाँ पर मात्रा" }).waitFor();
  expect(await page.getByText("Order book", { exact: true }).count()).toBe(0);
  expect(await page.getByText("Portfolio", { exact: true }).count()).toBe(0);
  expect(await page.evaluate(() => document.documentElement.lang)).toBe("hi");
  await snap(page, "phone-market-hi");

  await go(page, "/");
  await page.getByRole("searchbox", { name: "मार्केट खोजें" }).waitFor();
  await page.reload(); // the list cached before the market was created may not hold it yet
  await page.getByRole("link", { name: TITLE_HI }).first().waitFor();
  await snap(page, "phone-home-hi");
  await go(page, "/portfolio");
  await seeAll(page, ["पोज़ीशन", "खुले ऑर्डर"]);
  await snap(page, "phone-portfolio-hi");
  await go(page, "/wallet");
  await seeAll(page, ["जमा करें", "निकालें", "उपलब्ध"]);
  await snap(page, "phone-wallet-hi");

  // A fresh load of the app in the same browser profile starts in Hindi.
  expect(await page.evaluate(() => localStorage.getItem("ox.lang"))).toBe("hi");
  await page.close();
  const again = await ctx.newPage();
  again.setDefaultTimeout(10_000);
  again.on("pageerror", (e) => pageErrors.push(e.message));
  await again.goto(`${platform.url}/portfolio`);
  await seeAll(again, ["पोर्टफोलियो", "पोज़ीशन"]);
  expect(await again.evaluate(() => document.documentElement.lang)).toBe("hi");

  // And back to English.
  await again.getByRole("combobox", { name: "भाषा" }).selectOption("en");
  await seeAll(again, ["Portfolio", "Positions"]);
  await go(again, `/markets/${marketId}`);
  await again.getByRole("heading", { name: TITLE }).waitFor();
  expect(await again.evaluate(() => localStorage.getItem("ox.lang"))).toBe("en");
  await ctx.close();
  expect(pageErrors).toEqual([]);
  console.log(`hindi switch: ${Date.now() - started} ms`);
}, 120_000);
