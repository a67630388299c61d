/** The real exchange in process (no bot) plus the few browser steps every e2e test repeats. */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@ox/bus/testing";
import { ensureDevSecrets, parseApiEnv } from "@ox/config";
import { createLogger } from "@ox/logger";
import type { Page } from "playwright-core";
import { startPlatform } from "../../src/platform.ts";
import { ensureWebBuild, WEB_DIST } from "../../src/web-build.ts";

export const ADMIN_PHONE = "+919000000009";

export async function startTestPlatform() {
  ensureWebBuild();
  const dataDir = mkdtempSync(join(tmpdir(), "ox-e2e-data-"));
  const { DATABASE_URL: _d, REDIS_URL: _r, KAFKA_BROKERS: _k, ...rest } = process.env;
  const env = ensureDevSecrets(
    parseApiEnv({
      ...rest,
      NODE_ENV: "development",
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      ADMIN_PHONES: ADMIN_PHONE,
      SMS_PROVIDER: "console",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    }),
  );
  const logger = createLogger({ level: env.LOG_LEVEL });
  return startPlatform({ env, logger, webDist: WEB_DIST });
}

export function screenshotDir(): string {
  const dir = join(
    process.env.TMPDIR ?? tmpdir(),
    "ox-e2e-screenshots",
    new Date().toISOString().replace(/[:.]/g, "-"),
  );
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Asks for an OTP on the login page and reads it from the dev banner. */
export async function requestOtp(page: Page, baseUrl: string, phone: string): Promise<string> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/mobile number/i).fill(phone.replace(/^\+91/, ""));
  await page.getByRole("button", { name: /get otp/i }).click();
  return devOtp(page);
}

/** The code the dev banner shows now. */
export async function devOtp(page: Page): Promise<string> {
  const banner = await page.getByTestId("dev-otp").textContent({ timeout: 10_000 });
  const otp = banner?.match(/\d{6}/)?.[0];
  if (!otp) throw new Error(`no OTP in the dev banner: ${banner}`);
  return otp;
}

/** Phone + OTP through the login page; the OTP is read from the dev banner. */
export async function logIn(page: Page, baseUrl: string, phone: string) {
  const otp = await requestOtp(page, baseUrl, phone);
  // The sixth digit submits the form by itself (no click on Verify).
  await page.getByLabel(/one-time password/i).fill(otp);
  await page.getByRole("button", { name: /log out/i }).waitFor({ timeout: 10_000 });
}

/** Sets the ticket's price with the stepper (₹0.5 ticks) until it reads `rupees`. */
export async function setTicketPrice(page: Page, rupees: string) {
  const price = page.getByTestId("ticket-price");
  for (let i = 0; i < 25; i++) {
    const now = Number((await price.textContent())?.replace(/[^\d.]/g, ""));
    const want = Number(rupees);
    if (now === want) return;
    await page.getByRole("button", { name: now < want ? /increase price/i : /decrease price/i }).click();
  }
  throw new Error(`could not set the price to ₹${rupees}`);
}

/** Same-origin JSON call with the page's session cookie (the app's own CSRF rules apply). */
export async function apiCall(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ([m, p, b]) => {
      const res = await fetch(`/api/v1${p}`, {
        method: m as string,
        headers: { "content-type": "application/json" },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      return { status: res.status, body: await res.json() };
    },
    [method, path, body] as const,
  );
}

/**
 * In-app navigation (the SPA's router), so the page and its socket stay up: a full reload under Bun
 * races playwright-core's WebSocket frame events with the socket's disposal.
 */
export async function go(page: Page, path: string) {
  await page.evaluate((to) => {
    history.pushState(null, "", to);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }, path);
}

/** Switches the ticket to order by shares and sets the quantity. */
export async function ticketShares(page: Page, qty: number) {
  const shares = page.getByRole("button", { name: /^shares$/i });
  if ((await shares.getAttribute("aria-pressed")) !== "true") await shares.click();
  const box = page.getByRole("spinbutton", { name: /quantity/i });
  await box.scrollIntoViewIfNeeded();
  await box.fill(String(qty));
}

/** Presses the ticket's action button (e.g. /^buy yes$/i), then confirms its review step. */
export async function submitTicket(page: Page, action: RegExp) {
  await page.getByRole("button", { name: action }).click();
  await confirmReview(page);
}

/** The review step: a slide to confirm on a phone (moved by keyboard, End), a Confirm button elsewhere. */
export async function confirmReview(page: Page) {
  const review = page.getByTestId("ticket-review");
  await review.waitFor();
  const slider = review.getByRole("slider");
  if ((await slider.count()) > 0) {
    await slider.focus();
    await slider.press("End");
  } else {
    await review.getByRole("button", { name: /^confirm/i }).click();
  }
}
