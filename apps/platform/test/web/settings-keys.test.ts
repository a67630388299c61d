/**
 * Issue 14 in a real browser: the Settings page creates an API key, shows its secret once, lists
 * it and revokes it; the secret it showed signs a request the API accepts (and refuses once revoked).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { en } from "@ox/web/i18n/en";
import type { Browser } from "playwright-core";
import { launchBrowser, pageFactory } from "./browser";
import { ADMIN_PHONE, apiCall, go, logIn, startTestPlatform } from "./platform-kit";

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const pageErrors: string[] = [];
const pages = pageFactory(() => browser, pageErrors);

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  await pages.closeAll();
  await browser?.close();
  await platform?.stop();
});

async function signedGet(path: string, id: string, secret: string) {
  const ts = String(Date.now());
  const signature = createHmac("sha256", secret).update(`${ts}GET${path}`).digest("base64");
  const res = await fetch(`${platform.url}${path}`, {
    headers: { "OX-ACCESS-KEY": id, "OX-ACCESS-TIMESTAMP": ts, "OX-ACCESS-SIGNATURE": signature },
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
}

test("Settings: create a key, see the secret once, sign with it, revoke it", async () => {
  const page = await pages.newPage("carol");
  await logIn(page, platform.url, "+919811100071");
  await page.getByRole("link", { name: en.navSettings }).first().click();
  await page.getByRole("heading", { name: en.apiKeysTitle }).waitFor();
  await page.getByLabel(en.apiKeyName).fill("my bot");
  await page.getByLabel(en.scope_trade).check();
  await page.getByRole("button", { name: en.apiKeyCreate }).click();

  const shown = page.getByTestId("api-key-secret");
  await shown.waitFor();
  const codes = await shown.locator("code").allTextContents();
  const [id = "", secret = ""] = codes;
  expect(id).toMatch(/^ak_/);
  expect(secret.length).toBeGreaterThanOrEqual(40);
  expect((await signedGet("/api/v1/portfolio", id, secret)).status).toBe(200);

  // Once dismissed (or after a reload) the secret is gone from the page; the key stays listed.
  await page.getByRole("button", { name: en.apiKeyDone }).click();
  await go(page, "/settings");
  const row = page.getByTestId("api-keys").locator("li", { hasText: "my bot" });
  await row.getByText(en.apiKeyActive, { exact: false }).waitFor();
  expect(await page.content()).not.toContain(secret);

  await row.getByRole("button", { name: en.apiKeyRevoke }).click();
  await row.getByText(en.apiKeyRevoked, { exact: false }).waitFor();
  const refused = await signedGet("/api/v1/portfolio", id, secret);
  expect([refused.status, refused.body.error?.code]).toEqual([401, "API_KEY_REVOKED"]);
  expect(pageErrors).toEqual([]);
});

test("Admin users: the rate tier control sets a user's tier", async () => {
  const dave = await pages.newPage("dave");
  await logIn(dave, platform.url, "+919811100072");
  const me = await apiCall(dave, "GET", "/me");
  const daveId = me.body.user.id as string;
  const admin = await pages.newPage("admin");
  await logIn(admin, platform.url, ADMIN_PHONE);
  await go(admin, "/admin/users");
  await admin.getByLabel(en.userSearch).fill(daveId);
  await admin.getByRole("button", { name: en.search }).click();
  const row = admin.getByTestId("admin-users").locator("li.user-row", { hasText: daveId });
  const select = row.getByTestId("rate-tier").getByRole("combobox");
  await expect(select.inputValue()).resolves.toBe("standard");
  await select.selectOption("pro");
  await admin.getByText(en.adminTierSaved).waitFor();
  const seen = await apiCall(admin, "GET", `/admin/users/${daveId}/keys`);
  expect(seen.body.tier).toBe("pro");
  expect(pageErrors).toEqual([]);
});
