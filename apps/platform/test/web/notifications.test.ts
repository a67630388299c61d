/**
 * The notification centre (issue 13), in Chromium against the real platform: a fill on a resting
 * order puts an unread count on its owner's bell while the app is open; opening the bell lists the
 * fill and marks it read on the server, so the count stays gone after a reload. A payout that
 * arrives while the app is open is a toast.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, pageFactory } from "./browser";
import { ADMIN_PHONE, apiCall, go, logIn, screenshotDir, startTestPlatform } from "./platform-kit";

const TITLE = "Will the bell show a fill?";
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const pageErrors: string[] = [];
const pages = pageFactory(() => browser, pageErrors);
const dir = screenshotDir();
const shots: string[] = [];

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
  console.log(
    `notification screenshots in ${dir}:\n  ${shots.map((s) => s.slice(dir.length + 1)).join("\n  ")}`,
  );
});

test("a fill puts an unread count on the bell; opening it marks it read for good", async () => {
  const base = platform.url;
  const admin = await pages.newPage("admin");
  const alice = await pages.newPage("alice", "phone");
  await logIn(admin, base, ADMIN_PHONE);
  const created = await apiCall(admin, "POST", "/admin/markets", {
    title: TITLE,
    category: "test",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  const marketId = created.body.market.id as string;
  await logIn(alice, base, "+919811100061");
  await go(alice, "/portfolio");
  await alice.getByTestId("notif-bell").waitFor();
  expect(await alice.getByTestId("notif-count").count()).toBe(0);

  // Alice's YES bid rests; the admin's NO bid takes it (a MINT): Alice has a fill.
  const order = (page: Page, outcome: string, pricePaise: number) =>
    apiCall(page, "POST", "/orders", {
      marketId,
      type: "LIMIT",
      outcome,
      side: "BUY",
      pricePaise,
      quantity: 2,
    });
  expect((await order(alice, "YES", 600)).status).toBe(201);
  expect((await order(admin, "NO", 400)).status).toBe(201);
  await alice.locator('[data-testid="notif-count"][data-count="1"]').waitFor({ timeout: 40_000 });
  await snap(alice, "phone-notification-unread");

  await alice.getByTestId("notif-bell").click();
  const item = alice.getByTestId("notif-list").locator("li[data-kind=FILL]");
  await expect(item.locator("a").textContent()).resolves.toBe(`Filled: BUY 2 Yes @ ₹6 · ${TITLE}`);
  await alice.getByTestId("notif-count").waitFor({ state: "detached" });
  await snap(alice, "phone-notification-open");
  const stored = await apiCall(alice, "GET", "/notifications");
  expect(stored.body.unread).toBe(0);

  // A reload starts from the server's state: still nothing unread.
  await alice.reload();
  await alice.getByTestId("notif-bell").waitFor();
  await alice.waitForFunction(() => !document.querySelector(".state-loading"));
  expect(await alice.getByTestId("notif-count").count()).toBe(0);

  // Resolution while the app is open: the payout is a toast and a new unread item.
  expect((await apiCall(admin, "POST", `/admin/markets/${marketId}/close`)).status).toBe(200);
  expect(
    (await apiCall(admin, "POST", `/admin/markets/${marketId}/resolve`, { outcome: "YES" })).status,
  ).toBe(200);
  await alice
    .getByRole("status")
    .filter({ hasText: `Payout ₹20.00 · ${TITLE}` })
    .waitFor({ timeout: 40_000 });
  await alice.locator('[data-testid="notif-count"][data-count="1"]').waitFor();
  expect(pageErrors).toEqual([]);
}, 180_000);
