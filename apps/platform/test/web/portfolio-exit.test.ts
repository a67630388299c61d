/**
 * Issue 13's Exit and P&L in a real browser: a position shows invested, current value and unrealized
 * P&L, labelled; the market page shows it with the user's open orders there; Exit from the portfolio
 * sells at market, capped to the shares held, with the proceeds the live book offers; afterwards the
 * realized loss stays visible in the portfolio and its totals.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, pageFactory, VIEWPORTS } from "./browser";
import { ADMIN_PHONE, apiCall, go, logIn, screenshotDir, startTestPlatform } from "./platform-kit";

const TITLE = "Will the exit test sell at a loss?";
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const pageErrors: string[] = [];
const pages = pageFactory(() => browser, pageErrors);
const dir = screenshotDir();

async function snap(page: Page, name: string) {
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
const order = (marketId: string, outcome: "YES" | "NO", pricePaise: number, quantity: number) => ({
  marketId,
  outcome,
  side: "BUY",
  type: "LIMIT",
  pricePaise,
  quantity,
  timeInForce: "GTC",
});

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  await pages.closeAll();
  await browser?.close();
  await platform?.stop();
  console.log(`exit screenshots in ${dir}`);
});

test("exit from the portfolio at market; the realized loss stays visible", async () => {
  const admin = await pages.newPage("admin");
  await logIn(admin, platform.url, ADMIN_PHONE);
  const created = await apiCall(admin, "POST", "/admin/markets", {
    title: TITLE,
    description: "Created by the portfolio-exit browser test.",
    category: "test",
    rules: "YES if the exit sells.",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  const marketId = created.body.market.id as string;

  // The trader buys YES 2 @ ₹6 (a MINT with the maker's NO @ ₹4) and rests a ₹1 bid.
  const maker = await pages.newPage("maker");
  await logIn(maker, platform.url, "+919811100071");
  expect((await apiCall(maker, "POST", "/orders", order(marketId, "NO", 400, 2))).status).toBe(201);
  const trader = await pages.newPage("trader");
  await logIn(trader, platform.url, "+919811100072");
  const bought = await apiCall(trader, "POST", "/orders", order(marketId, "YES", 600, 2));
  expect(bought.body.order.filledQty).toBe(2);
  expect((await apiCall(trader, "POST", "/orders", order(marketId, "YES", 100, 1))).status).toBe(201);
  // A bidder's YES ₹4.5 ×3 is what an exit at market sells into.
  const bidder = await pages.newPage("bidder");
  await logIn(bidder, platform.url, "+919811100073");
  expect((await apiCall(bidder, "POST", "/orders", order(marketId, "YES", 450, 3))).status).toBe(201);

  // The market page: the user's own position, its P&L, and the open order in this market.
  await go(trader, `/markets/${marketId}`);
  const mine = trader.getByTestId("my-position");
  await mine.getByText("2 shares · Avg ₹6").waitFor();
  await mine.getByTestId("open-orders").getByText("₹1").first().waitFor();
  await mine.getByRole("button", { name: /^exit: yes/i }).waitFor();
  await snap(trader, "desktop-market-my-position");

  // The portfolio, labelled: invested ₹12, worth ₹9 at the ₹4.5 bid, unrealized −₹3.
  await go(trader, "/portfolio");
  const row = trader.getByTestId("position-row").filter({ hasText: TITLE });
  const pnl = row.getByTestId("position-pnl");
  await pnl.getByText("Current value").waitFor();
  await pnl.getByText("-₹3").waitFor();
  expect(await pnl.textContent()).toContain("Invested₹12");
  expect(await pnl.textContent()).toContain("Current value₹9");
  expect(await trader.getByTestId("total-invested").textContent()).toBe("₹12");
  expect(await trader.getByTestId("total-unrealized").textContent()).toBe("-₹3");

  // Exit at market: the quantity is capped to the 2 held; the live book pays ₹9.
  await row.getByRole("button", { name: /^exit: yes/i }).click();
  const exit = row.getByTestId("exit-form");
  const qty = exit.getByRole("spinbutton", { name: /shares to sell/i });
  expect(await qty.inputValue()).toBe("2");
  await qty.fill("5");
  expect(await qty.inputValue()).toBe("2");
  expect(await exit.getByTestId("exit-proceeds").textContent()).toBe("₹9");
  await snap(trader, "desktop-portfolio-exit");
  await exit.getByRole("button", { name: /^sell 2 yes$/i }).click();

  // The position goes; its realized loss stays, in the closed list and the totals.
  await trader.getByTestId("closed-positions").getByText(TITLE).waitFor({ timeout: 20_000 });
  const closed = trader.getByTestId("closed-positions").locator("li", { hasText: TITLE });
  await closed.getByText("-₹3").waitFor();
  expect(await closed.textContent()).toContain("Realized P&L");
  await trader.getByTestId("total-realized").getByText("-₹3").waitFor();
  expect(await trader.getByTestId("positions").count()).toBe(0);
  await snap(trader, "desktop-portfolio-realized");

  // The same portfolio on a phone.
  const phone = trader;
  await phone.setViewportSize(VIEWPORTS.phone);
  await go(phone, "/portfolio");
  await phone.getByTestId("total-realized").getByText("-₹3").waitFor();
  await snap(phone, "phone-portfolio-realized");
  // On the market page the position is gone and its realized P&L is still said.
  await go(phone, `/markets/${marketId}`);
  await phone.getByTestId("my-position").getByText("-₹3").waitFor();
  await snap(phone, "phone-market-my-position");
  expect(pageErrors).toEqual([]);
}, 180_000);
