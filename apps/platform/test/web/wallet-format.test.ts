/**
 * Issue 13's wallet and login items in a real browser: amounts to the paisa (₹482.50), a trade's
 * ledger row names its market, a deposit (by a chosen method) and a withdrawal show their status, and the login page's "Resend code"
 * waits out a visible countdown and then asks for a new code that logs in.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { en } from "@ox/web/i18n/en";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, pageFactory } from "./browser";
import { ADMIN_PHONE, apiCall, devOtp, go, logIn, startTestPlatform } from "./platform-kit";

const TITLE = "Will the wallet-format test trade a share?";
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const pageErrors: string[] = [];
const pages = pageFactory(() => browser, pageErrors);
const newPage = (who: string) => pages.newPage(who);

async function deposit(page: Page, amount: string) {
  const form = page.locator("form").filter({ has: page.getByRole("button", { name: /^deposit$/i }) });
  await form.getByLabel(/amount/i).fill(amount);
  await form.getByRole("button", { name: /^deposit$/i }).click();
}

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  await pages.closeAll();
  await browser?.close();
  await platform?.stop();
});

test("paise show as ₹482.50, a trade row names its market, a withdrawal shows its status", async () => {
  const base = platform.url;
  const admin = await newPage("admin");
  const alice = await newPage("alice");
  const bob = await newPage("bob");
  await logIn(admin, base, ADMIN_PHONE);
  const created = await apiCall(admin, "POST", "/admin/markets", {
    title: TITLE,
    description: "Created by the wallet-format browser test.",
    category: "economy",
    rules: "YES if it trades.",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  const marketId = created.body.market.id as string;
  await logIn(alice, base, "+919811100061");
  await logIn(bob, base, "+919811100062");

  // A mint: Alice buys YES @ ₹6, Bob buys NO @ ₹4; both get a TRADE ledger entry.
  const order = (outcome: string, pricePaise: number) => ({
    marketId,
    outcome,
    side: "BUY",
    type: "LIMIT",
    pricePaise,
    quantity: 1,
  });
  expect((await apiCall(alice, "POST", "/orders", order("YES", 600))).status).toBe(201);
  expect((await apiCall(bob, "POST", "/orders", order("NO", 400))).status).toBe(201);
  // The persister writes the ledger after the engine: wait for the entry before opening the wallet.
  for (let i = 0; ; i++) {
    const tx = await apiCall(alice, "GET", "/wallet/transactions");
    if (tx.body.entries.some((e: { kind: string }) => e.kind === "TRADE")) break;
    if (i > 100) throw new Error("no TRADE ledger entry for Alice");
    await alice.waitForTimeout(100);
  }

  await go(alice, "/wallet");
  // ₹15 signup bonus − ₹6 for the share = ₹9.00, to the paisa.
  await alice.getByTestId("wallet-available").getByText("₹9.00", { exact: true }).waitFor();
  const tradeRow = alice.getByTestId("transactions").locator("li", { hasText: /trade/i });
  await expect(tradeRow.getByTestId("tx-market").textContent()).resolves.toBe(TITLE);
  await expect(tradeRow.locator("strong").textContent()).resolves.toBe("-₹6.00");
  // A deposit row belongs to no market.
  const bonusRow = alice.getByTestId("transactions").locator("li", { hasText: /bonus/i });
  expect(await bonusRow.getByTestId("tx-market").count()).toBe(0);

  // The method choice: Card instead of the preselected UPI; the deposit lists its status.
  await alice.getByTestId("deposit-method").getByText(en.methodCARD, { exact: true }).click();
  expect(await alice.getByRole("radio", { name: en.methodCARD }).isChecked()).toBe(true);
  await deposit(alice, "482.50");
  await alice.getByText("Added ₹482.50 to your wallet.").waitFor();
  const depositRow = alice.getByTestId("deposits").locator("li", { hasText: "₹482.50" });
  await depositRow.getByTestId("deposit-status").getByText(en.depCONFIRMED, { exact: true }).waitFor();
  expect(await depositRow.getByTestId("deposit-status").getAttribute("data-status")).toBe("CONFIRMED");
  await alice.getByTestId("wallet-available").getByText("₹491.50", { exact: true }).waitFor();
  await alice
    .getByTestId("transactions")
    .locator("li", { hasText: /deposit/i })
    .getByText("+₹482.50", { exact: true })
    .waitFor();

  // Bob: KYC approved through the API, ₹200 in, ₹100 out; the withdrawal lists its status.
  const kyc = await apiCall(bob, "POST", "/kyc", {
    pan: "ABCDE1234F",
    name: "Bob Wallet",
    bankAccount: "123456789012",
    ifsc: "SBIN0001234",
  });
  expect(kyc.status).toBeLessThan(300);
  const decided = await apiCall(admin, "POST", `/admin/kyc/${kyc.body.kyc.id}/decision`, {
    status: "VERIFIED",
  });
  expect(decided.status).toBe(200);
  await go(bob, "/wallet");
  await bob.getByText(en.noWithdrawals).waitFor();
  await bob
    .getByTestId("kyc-status")
    .getByText(/verified/i)
    .waitFor();
  await deposit(bob, "200");
  await bob.getByText("Added ₹200.00 to your wallet.").waitFor();
  const form = bob.locator("form").filter({ has: bob.getByRole("button", { name: /^withdraw$/i }) });
  await form.getByLabel(/amount/i).fill("100");
  await form.getByRole("button", { name: /^withdraw$/i }).click();
  await bob.getByText("Withdrawal of ₹100.00 requested.").waitFor();
  const row = bob.getByTestId("withdrawals").locator("li");
  await row.getByText("₹100.00", { exact: true }).waitFor();
  const listed = await apiCall(bob, "GET", "/wallet/withdrawals");
  expect(listed.status).toBe(200);
  expect(listed.body.withdrawals).toHaveLength(1);
  const status = listed.body.withdrawals[0].status as string;
  const badge = row.getByTestId("withdrawal-status");
  // The page shows the status the server holds (it may have moved on since the POST: poll).
  for (let i = 0; (await badge.getAttribute("data-status")) !== status; i++) {
    if (i > 50) throw new Error(`badge never showed ${status}`);
    await go(bob, "/portfolio");
    await go(bob, "/wallet");
    await bob.waitForTimeout(100);
  }
  await expect(badge.textContent()).resolves.toBe(en[`wd${status}` as keyof typeof en]);
  expect(pageErrors).toEqual([]);
}, 120_000);

test("the referral card shows the reward; a new user enters a friend's code at signup", async () => {
  const base = platform.url;
  const dana = await newPage("dana");
  await logIn(dana, base, "+919811100071");
  await go(dana, "/wallet");
  // The configured bonus and the qualifying deposit, before anyone has redeemed.
  const mine = (await apiCall(dana, "GET", "/referrals")).body as {
    code: string;
    rewardPaise: number;
    qualifyingDepositPaise: number;
  };
  const code = mine.code;
  const reward = dana.getByTestId("referral-reward");
  await reward.waitFor();
  const text = (await reward.textContent()) ?? "";
  expect(mine.rewardPaise).toBeGreaterThan(0);
  expect(text).toContain(`₹${mine.rewardPaise / 100}`);
  expect(text).toContain(`₹${mine.qualifyingDepositPaise / 100}`);

  const erin = await newPage("erin");
  await erin.goto(`${base}/login`);
  await erin.getByLabel(/mobile number/i).fill("9811100072");
  await erin.getByLabel(en.signupRefLabel).fill(code);
  await erin.getByRole("button", { name: /get otp/i }).click();
  await erin.getByLabel(/one-time password/i).fill(await devOtp(erin));
  await erin.getByText(en.redeemDone).waitFor();
  expect((await apiCall(erin, "GET", "/referrals")).body.redeemed).toBe(true);
  const referrals = (await apiCall(dana, "GET", "/referrals")).body.referrals as unknown[];
  expect(referrals.length).toBe(1);
});

test("Resend code counts down, is disabled until 0, then sends a new code that logs in", async () => {
  const page = await newPage("carol");
  await page.goto(`${platform.url}/login`);
  await page.getByLabel(/mobile number/i).fill("9811100063");
  await page.getByRole("button", { name: /get otp/i }).click();
  await page.getByTestId("dev-otp").waitFor();
  const resend = page.getByTestId("resend-otp");
  const secondsLeft = async () => Number((await resend.textContent())?.match(/in (\d+) s/)?.[1] ?? -1);
  expect(await resend.isDisabled()).toBe(true);
  const first = await secondsLeft();
  expect(first).toBeGreaterThan(20);
  expect(first).toBeLessThanOrEqual(30);
  await page.waitForTimeout(2_100);
  const later = await secondsLeft();
  expect(later).toBeGreaterThan(0);
  expect(later).toBeLessThan(first);
  expect(await resend.isDisabled()).toBe(true);

  // At 0 it reads "Resend code" and is enabled; a click asks the server for a new code.
  await page.getByRole("button", { name: en.resendOtp, exact: true }).waitFor({ timeout: 40_000 });
  expect(await resend.isEnabled()).toBe(true);
  const answer = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/otp"));
  await resend.click();
  expect((await answer).status()).toBe(200);
  await page.getByText(/Resend code in \d+ s/).waitFor();
  expect(await resend.isDisabled()).toBe(true);
  const otp = await devOtp(page);
  await page.getByLabel(/one-time password/i).fill(otp);
  await page.getByRole("button", { name: /log out/i }).waitFor();
  expect(pageErrors).toEqual([]);
}, 90_000);
