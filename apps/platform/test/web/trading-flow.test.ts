/**
 * The real exchange in a real browser (issue 6): two users MINT a YES/NO pair and both see the fill
 * live and in their portfolios; a cancel; KYC approval then a withdrawal; resolution pays the winner.
 * Runs startPlatform in process (no bot) and Debian's Chromium through playwright-core.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
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

const TITLE = "Will the e2e monsoon arrive on time?";
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const contexts: BrowserContext[] = [];
const shots: string[] = [];
const dir = screenshotDir();
const pageErrors: string[] = [];

async function newPage(kind: keyof typeof VIEWPORTS, who: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: VIEWPORTS[kind] });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (e) => pageErrors.push(`${who}: ${e.message}`));
  // A resource or socket the security headers' CSP blocked (Chromium reports it on the console).
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) pageErrors.push(`${who}: ${m.text()}`);
  });
  return page;
}
async function snap(page: Page, name: string) {
  await page.waitForTimeout(300);
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}
const rupees = (text: string | null) => Number(text?.replace(/[^\d.]/g, ""));

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await platform?.stop();
  console.log(`e2e screenshots in ${dir}:\n  ${shots.map((s) => s.slice(dir.length + 1)).join("\n  ")}`);
});

test("mint, live fills, cancel, KYC + withdrawal, resolution pays the winner", async () => {
  try {
    await flow();
  } catch (err) {
    for (const [i, ctx] of contexts.entries())
      for (const p of ctx.pages()) await snap(p, `failure-${i}`).catch(() => {});
    throw err;
  }
}, 240_000);

async function flow() {
  const started = Date.now();
  const base = platform.url;
  const admin = await newPage("desktop", "admin");
  const alice = await newPage("phone", "alice");
  const bob = await newPage("desktop", "bob");

  await logIn(admin, base, ADMIN_PHONE);
  const created = await apiCall(admin, "POST", "/admin/markets", {
    title: TITLE,
    description: "Created by the browser test.",
    category: "weather",
    rules: "YES if IMD declares onset by 1 June.",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  const marketId = created.body.market.id as string;

  await logIn(alice, base, "+919811100001");
  await logIn(bob, base, "+919811100002");
  await alice.getByRole("heading", { name: TITLE }).waitFor();
  await snap(alice, "phone-home");

  // Alice bids YES 2 @ ₹6; it rests.
  await go(alice, `/markets/${marketId}`);
  await alice.getByRole("heading", { name: TITLE }).waitFor();
  await ticketShares(alice, 2);
  await setTicketPrice(alice, "6");
  await expect(alice.getByTestId("ticket-cost").textContent()).resolves.toBe("₹12");
  await submitTicket(alice, /^buy yes$/i);
  await alice.getByTestId("ticket-message").waitFor();
  await expect(alice.getByTestId("order-book").textContent()).resolves.toContain("₹6");
  await snap(alice, "phone-market-resting");

  // Bob buys NO 2 @ ₹4: YES ₹6 + NO ₹4 = ₹10, a MINT. Both get the fill over the socket.
  await go(bob, `/markets/${marketId}`);
  await bob.getByRole("button", { name: /^no\b/i }).first().click();
  await ticketShares(bob, 2);
  await setTicketPrice(bob, "4");
  await submitTicket(bob, /^buy no$/i);
  await bob.getByText(/Filled: BUY 2 No @ ₹4/).waitFor();
  await alice.getByText(/Filled: BUY 2 Yes @ ₹6/).waitFor();
  await snap(bob, "desktop-market-filled");

  // Both portfolios: the position and the fill (from the persister's trades table).
  for (const [page, side, price, name] of [
    [alice, "Yes", "₹6", "phone-portfolio"],
    [bob, "No", "₹4", "desktop-portfolio"],
  ] as const) {
    await go(page, `/portfolio`);
    await expect(page.getByTestId("positions").textContent()).resolves.toContain(TITLE);
    await expect(page.getByTestId("positions").textContent()).resolves.toContain(
      `${side} 2 shares · Avg ${price}`,
    );
    const fills = page.getByTestId("fills");
    await fills.getByText(price).first().waitFor();
    await snap(page, name);
  }

  // Alice places and cancels a ₹1 YES bid.
  await go(alice, `/markets/${marketId}`);
  await ticketShares(alice, 1);
  await setTicketPrice(alice, "1");
  await submitTicket(alice, /^buy yes$/i);
  await alice.getByTestId("ticket-message").waitFor();
  await go(alice, `/portfolio`);
  const cancel = alice.getByRole("button", { name: /cancel order/i });
  await cancel.first().waitFor();
  expect(await cancel.count()).toBe(1);
  await cancel.first().click();
  await alice.getByText("No open orders.").waitFor();
  const aliceBefore = rupees(await alice.getByTestId("balance-available").textContent());
  expect(aliceBefore).toBe(3); // ₹15 bonus − ₹12 for the YES shares

  // KYC: Bob submits, the admin approves, Bob withdraws ₹100 (₹7 left after the trade + ₹200 deposit).
  await go(bob, `/wallet`);
  await bob.getByLabel("Name as on PAN").fill("Bob Tester");
  await bob.getByLabel("PAN", { exact: true }).fill("ABCDE1234F");
  await bob.getByLabel("Bank account number").fill("123456789012");
  await bob.getByLabel("IFSC", { exact: true }).fill("SBIN0001234");
  await bob.getByRole("button", { name: /submit kyc/i }).click();
  await bob
    .getByTestId("kyc-status")
    .getByText(/under review/i)
    .waitFor();
  await go(admin, `/admin`);
  await admin.getByTestId("kyc-queue").getByText("Bob Tester").waitFor();
  await snap(admin, "desktop-admin-kyc");
  await admin.getByRole("button", { name: "Approve Bob Tester" }).click();
  await admin.getByText("Bob Tester").waitFor({ state: "detached" });
  await go(bob, "/portfolio");
  await go(bob, "/wallet");
  await bob
    .getByTestId("kyc-status")
    .getByText(/verified/i)
    .waitFor();
  // The minimum withdrawal is ₹100: deposit ₹200 first (the sandbox gateway confirms at once).
  const depositForm = bob.locator("form").filter({ has: bob.getByRole("button", { name: /^deposit$/i }) });
  await depositForm.getByLabel(/amount/i).fill("200");
  await depositForm.getByRole("button", { name: /^deposit$/i }).click();
  await bob.getByText("Added ₹200.00 to your wallet.").waitFor();
  const withdrawForm = bob.locator("form").filter({ has: bob.getByRole("button", { name: /^withdraw$/i }) });
  await withdrawForm.getByLabel(/amount/i).fill("100");
  await withdrawForm.getByRole("button", { name: /^withdraw$/i }).click();
  await bob.getByText("Withdrawal of ₹100.00 requested.").waitFor();
  await bob.getByTestId("wallet-available").getByText("₹107.00").waitFor();
  await bob
    .getByTestId("transactions")
    .getByText(/withdraw/i)
    .first()
    .waitFor();
  await snap(bob, "desktop-wallet-withdrawn");

  // Admin users and system health show the live numbers.
  await go(admin, `/admin/users`);
  await admin
    .getByLabel(/search/i)
    .first()
    .fill("9811100001");
  await admin.getByRole("button", { name: /^search$/i }).click();
  await admin.getByTestId("admin-users").getByText("+919811100001").waitFor();
  await expect(admin.getByTestId("admin-users").textContent()).resolves.toContain("Yes 2");
  await snap(admin, "desktop-admin-users");
  await go(admin, `/admin/health`);
  await admin.getByText("Engine seq").waitFor();
  await admin.getByText("Connected sockets").waitFor();
  await snap(admin, "desktop-admin-health");

  // Resolve YES: close, then resolve, each confirmed. Alice's ₹20 payout shows without a reload.
  await go(alice, `/portfolio`);
  await go(admin, `/admin/markets`);
  const row = admin.getByTestId("admin-market").filter({ hasText: TITLE });
  await row.getByRole("button", { name: /^close$/i }).click();
  await row.getByRole("button", { name: /^confirm$/i }).click();
  await admin.locator('[data-testid="admin-market"][data-status="CLOSED"]', { hasText: TITLE }).waitFor();
  await row.getByRole("button", { name: /^resolve$/i }).click();
  await row.getByRole("radio", { name: "Yes" }).check();
  await row.getByRole("button", { name: /^confirm: resolve yes$/i }).click();
  await admin.locator('[data-testid="admin-market"][data-status="RESOLVED"]', { hasText: TITLE }).waitFor();
  await snap(admin, "desktop-admin-markets");
  await alice.getByTestId("balance-available").getByText("₹23").waitFor({ timeout: 15_000 });
  expect(rupees(await alice.getByTestId("balance-available").textContent())).toBe(aliceBefore + 20);
  await snap(alice, "phone-portfolio-paid");

  expect(pageErrors).toEqual([]);
  console.log(`e2e trading flow took ${Date.now() - started} ms`);
}
