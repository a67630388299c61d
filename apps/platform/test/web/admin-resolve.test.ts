/**
 * Admin resolve (issue 13), in Chromium against the real platform: an OPEN market offers only
 * Close and "Close and resolve"; the confirmation names the outcome and the total to be paid (2
 * minted pairs: 2 winning shares × ₹10 = ₹20.00) without squeezing the title; Resolve itself appears
 * once the market is CLOSED, and the toast after it says it resolved. KYC numbers are masked until
 * an admin reveals them.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, pageFactory } from "./browser";
import { ADMIN_PHONE, apiCall, go, logIn, screenshotDir, startTestPlatform } from "./platform-kit";

const TITLE = "Will the admin resolve only after the close?";
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const pageErrors: string[] = [];
const pages = pageFactory(() => browser, pageErrors);
const dir = screenshotDir();
const shots: string[] = [];
/** One admin session for both tests: a second OTP for the same phone would be throttled. */
let admin: Page;

async function snap(page: Page, name: string) {
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  await pages.closeAll();
  await browser?.close();
  await platform?.stop();
  console.log(`admin screenshots in ${dir}:\n  ${shots.map((s) => s.slice(dir.length + 1)).join("\n  ")}`);
});

test("resolve is offered only on a closed market, or as close-and-resolve with the payout shown", async () => {
  const base = platform.url;
  admin = await pages.newPage("admin", "phone");
  const user = await pages.newPage("user");
  await logIn(admin, base, ADMIN_PHONE);
  await logIn(user, base, "+919811100077");
  const created = await apiCall(admin, "POST", "/admin/markets", {
    title: TITLE,
    category: "test",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  const marketId = created.body.market.id as string;
  // Two pairs minted: the user's YES bid rests, the admin's NO bid takes it.
  const order = (page: Page, outcome: string, pricePaise: number) =>
    apiCall(page, "POST", "/orders", {
      marketId,
      type: "LIMIT",
      outcome,
      side: "BUY",
      pricePaise,
      quantity: 2,
    });
  expect((await order(user, "YES", 600)).status).toBe(201);
  expect((await order(admin, "NO", 400)).status).toBe(201);

  await go(admin, "/admin/markets");
  const row = admin.getByTestId("admin-market").filter({ hasText: TITLE });
  await row.getByRole("button", { name: "Close and resolve" }).waitFor();
  expect(await row.getByRole("button", { name: /^resolve/i }).count()).toBe(0);

  await row.getByRole("button", { name: "Close and resolve" }).click();
  const panel = row.getByTestId("resolve-panel");
  await panel.getByText(/still open: trading stops first/).waitFor();
  await panel.getByRole("radio", { name: "Yes" }).check();
  await panel.getByText("Yes wins: 2 winning shares × ₹10 = ₹20.00 paid out.", { exact: true }).waitFor();
  // The layout: the panel's title gets the row's width (not a letter per line) on a 390 px phone.
  const title = await panel.getByRole("heading").boundingBox();
  const rowTitle = await row.locator(".row-title").boundingBox();
  expect(title?.width ?? 0).toBeGreaterThan(250);
  expect(rowTitle?.width ?? 0).toBeGreaterThan(150);
  await snap(admin, "phone-admin-close-and-resolve");
  await panel.getByRole("button", { name: "Cancel" }).click();

  // Close on its own; now Resolve is offered and the summary has no close-first note.
  await row.getByRole("button", { name: "Close", exact: true }).click();
  await row.getByRole("button", { name: "Confirm" }).click();
  await admin.locator('[data-testid="admin-market"][data-status="CLOSED"]', { hasText: TITLE }).waitFor();
  expect(await row.getByRole("button", { name: "Close and resolve" }).count()).toBe(0);
  await row.getByRole("button", { name: "Resolve", exact: true }).click();
  await panel.getByRole("radio", { name: "No" }).check();
  await panel.getByText("No wins: 2 winning shares × ₹10 = ₹20.00 paid out.", { exact: true }).waitFor();
  expect(await panel.getByText(/still open/).count()).toBe(0);
  await snap(admin, "phone-admin-resolve-closed");
  await panel.getByRole("button", { name: "Confirm: Resolve No" }).click();
  await admin.getByRole("status").filter({ hasText: "Market resolved: No" }).waitFor();
  expect(await admin.getByRole("status").filter({ hasText: "Create market" }).count()).toBe(0);
  await admin.locator('[data-testid="admin-market"][data-status="RESOLVED"]', { hasText: TITLE }).waitFor();
  const market = await apiCall(admin, "GET", `/markets/${marketId}`);
  expect(market.body.market).toMatchObject({ status: "RESOLVED", outcome: "NO" });
  expect(pageErrors).toEqual([]);
}, 180_000);

test("KYC numbers are masked in the queue until an admin reveals them", async () => {
  const base = platform.url;
  const user = await pages.newPage("kyc-user");
  await logIn(user, base, "+919811100078");
  const kyc = await apiCall(user, "POST", "/kyc", {
    pan: "ABCPE1234Q",
    name: "Mask Tester",
    bankAccount: "998877665544",
    ifsc: "HDFC0001234",
  });
  expect(kyc.status).toBe(201);
  await go(admin, "/admin/kyc");
  const row = admin.getByTestId("kyc-queue").locator("li", { hasText: "Mask Tester" });
  await expect(row.getByTestId("kyc-pan").textContent()).resolves.toBe("••••••234Q");
  await expect(row.getByTestId("kyc-bank").textContent()).resolves.toBe("••••••••5544");
  expect(await admin.getByText("ABCPE1234Q").count()).toBe(0);
  await row.getByRole("button", { name: "Reveal PAN and account of Mask Tester" }).click();
  await row.getByTestId("kyc-pan").getByText("ABCPE1234Q").waitFor();
  await expect(row.getByTestId("kyc-bank").textContent()).resolves.toBe("998877665544");
  await snap(admin, "phone-admin-kyc-revealed");
  expect(pageErrors).toEqual([]);
}, 120_000);
