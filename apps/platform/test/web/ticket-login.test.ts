/**
 * Issue 13's small items in a real browser: a book row sets the ticket's price (mouse and keyboard);
 * the sixth OTP digit logs in by itself; /login while logged in goes on to `next` or home; a wrong
 * code shows the friendly text for OTP_INVALID, not the server's string.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { en } from "@ox/web/i18n/en";
import type { Browser, Locator } from "playwright-core";
import { launchBrowser, pageFactory } from "./browser";
import {
  ADMIN_PHONE,
  apiCall,
  go,
  logIn,
  requestOtp,
  setTicketPrice,
  startTestPlatform,
  submitTicket,
  ticketShares,
} from "./platform-kit";

const TITLE = "Will the ticket-login test pick a book row?";
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const pageErrors: string[] = [];
const pages = pageFactory(() => browser, pageErrors);
const newPage = (who: string) => pages.newPage(who);

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  await pages.closeAll();
  await browser?.close();
  await platform?.stop();
});

test("a wrong code reads friendly; six typed digits log in; /login when logged in goes on", async () => {
  const page = await newPage("carol");
  const otp = await requestOtp(page, platform.url, "+919811100031");
  const wrong = otp === "000000" ? "111111" : "000000";
  const box = page.getByLabel(/one-time password/i);
  await box.pressSequentially(wrong);
  await page.getByRole("alert").getByText(en.errOtpInvalid).waitFor();
  expect(await page.getByRole("button", { name: /log out/i }).count()).toBe(0);

  // Retype the right code key by key; the sixth digit submits without the Verify button.
  await box.fill("");
  await box.pressSequentially(otp, { delay: 30 });
  await page.getByRole("button", { name: /log out/i }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/");

  // Logged in: a fresh load of /login lands on home, and /login?next=… on that page.
  await page.goto(`${platform.url}/login`);
  await page.waitForURL((u) => u.pathname === "/");
  await page.getByRole("button", { name: /log out/i }).waitFor();
  await page.goto(`${platform.url}/login?next=${encodeURIComponent("/portfolio")}`);
  await page.waitForURL((u) => u.pathname === "/portfolio");
  expect(pageErrors).toEqual([]);
}, 120_000);

test("clicking a book row, or Enter on it, sets the ticket to buy that outcome at that price", async () => {
  const admin = await newPage("admin");
  await logIn(admin, platform.url, ADMIN_PHONE);
  const created = await apiCall(admin, "POST", "/admin/markets", {
    title: TITLE,
    description: "Created by the ticket-login browser test.",
    category: "test",
    rules: "YES if a row click sets the price.",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  const marketId = created.body.market.id as string;

  // A maker rests YES 1 @ ₹3 and NO 1 @ ₹2 so that each ladder has a row.
  const maker = await newPage("maker");
  await logIn(maker, platform.url, "+919811100032");
  await go(maker, `/markets/${marketId}`);
  await maker.getByRole("heading", { name: TITLE }).waitFor();
  await ticketShares(maker, 1);
  await setTicketPrice(maker, "3");
  await submitTicket(maker, /^buy yes$/i);
  await maker.getByTestId("ticket-message").waitFor();
  await maker.getByRole("button", { name: /^no\b/i }).first().click();
  await setTicketPrice(maker, "2");
  await submitTicket(maker, /^buy no$/i);
  await maker.getByTestId("order-book").getByRole("button", { name: /^₹2\b/ }).waitFor();

  const taker = await newPage("taker");
  await logIn(taker, platform.url, "+919811100033");
  await go(taker, `/markets/${marketId}`);
  const book = taker.getByTestId("order-book");
  const yesRow = book.getByRole("button", { name: /^₹3, 1 waiting: buy Yes/ });
  const noRow = book.getByRole("button", { name: /^₹2, 1 waiting: buy No/ });
  await yesRow.waitFor();
  const price = taker.getByTestId("ticket-price");
  expect(await price.textContent()).not.toBe("₹2");

  // Mouse: click the NO row's quantity cell (the row, not the button) → Buy No @ ₹2.
  await book
    .locator("tr", { has: taker.getByRole("button", { name: /^₹2, 1 waiting: buy No/ }) })
    .locator("td")
    .nth(1)
    .click();
  expect(await textSoon(price, "₹2")).toBe("₹2");
  await taker.getByRole("button", { name: /^buy no$/i }).waitFor();

  // Keyboard: focus the YES row's button and press Enter → Buy Yes @ ₹3; Space on NO → back to ₹2.
  await yesRow.focus();
  await taker.keyboard.press("Enter");
  expect(await textSoon(price, "₹3")).toBe("₹3");
  await taker.getByRole("button", { name: /^buy yes$/i }).waitFor();
  await noRow.focus();
  await taker.keyboard.press("Space");
  expect(await textSoon(price, "₹2")).toBe("₹2");
  await taker.getByRole("button", { name: /^buy no$/i }).waitFor();

  // The picked price stays while the book moves (the maker adds another YES level).
  await go(maker, `/markets/${marketId}`);
  await maker
    .getByRole("button", { name: /^yes\b/i })
    .first()
    .click();
  await setTicketPrice(maker, "4");
  await submitTicket(maker, /^buy yes$/i);
  await book.getByRole("button", { name: /^₹4\b/ }).waitFor();
  expect(await price.textContent()).toBe("₹2");
  expect(pageErrors).toEqual([]);
}, 180_000);

/** The locator's text once it reads `want`, or its last text after 5 s (React renders after the key's keyup). */
async function textSoon(locator: Locator, want: string): Promise<string | null> {
  let text = await locator.textContent();
  for (let i = 0; i < 50 && text !== want; i++) {
    await Bun.sleep(100);
    text = await locator.textContent();
  }
  return text;
}
