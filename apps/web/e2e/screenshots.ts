/**
 * Screenshots of the main pages against the mock API, phone and desktop.
 *   bun apps/web/e2e/screenshots.ts [outDir]   (build first: npm run build -w @ox/web)
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, VIEWPORTS } from "./browser";
import { startMockApi } from "./mock-api";

const out = process.argv[2] ?? "/tmp/ox-web-shots";
mkdirSync(out, { recursive: true });
const api = await startMockApi(0);
const browser = await launchBrowser();
const shots: string[] = [];
try {
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    page.on("pageerror", (e) => console.error(`[${name}] page error:`, e.message));
    const snap = async (label: string) => {
      await page.waitForTimeout(400);
      const file = join(out, `${name}-${label}.png`);
      await page.screenshot({ path: file, fullPage: label !== "home" || name === "desktop" });
      shots.push(file);
    };
    await page.goto(`${api.url}/login`);
    await page.getByLabel(/mobile number/i).fill("98765 43210");
    await page.getByRole("button", { name: /get otp/i }).click();
    await page.getByTestId("dev-otp").waitFor();
    await page.getByLabel(/one-time password/i).fill("123456");
    await snap("login-otp");
    await page.getByRole("button", { name: /verify/i }).click();
    await page.getByRole("heading", { name: /india win/i }).waitFor();
    await snap("home");
    await page.getByRole("link", { name: /india win/i }).click();
    await page.getByTestId("order-book").waitFor();
    await page.getByTestId("price-chart").waitFor();
    await snap("market");
    await page.getByRole("spinbutton", { name: /quantity/i }).fill("5000");
    await page.getByRole("button", { name: /buy yes/i }).click();
    await page.getByTestId("ticket-message").waitFor();
    await snap("market-rejected");
    await page
      .getByRole("link", { name: /portfolio/i })
      .first()
      .click();
    await page.getByTestId("positions").waitFor();
    await snap("portfolio");
    await page
      .getByRole("link", { name: /wallet/i })
      .first()
      .click();
    await page.getByTestId("transactions").waitFor();
    await snap("wallet");
    await page.getByRole("link", { name: /admin/i }).first().click();
    await page.getByTestId("kyc-queue").waitFor();
    await snap("admin-kyc");
    await page.getByRole("link", { name: /system health/i }).click();
    await page.getByTestId("health-fields").first().waitFor();
    await snap("admin-health");
    await page
      .getByRole("link", { name: /^markets$/i })
      .last()
      .click();
    await page.getByTestId("admin-markets").waitFor();
    await snap("admin-markets");
    await page.getByLabel("Language").first().selectOption("hi");
    await page.getByRole("link", { name: "मार्केट" }).first().click();
    await snap("home-hindi");
    await ctx.close();
  }
} finally {
  await browser.close();
  await api.close();
}
console.log(JSON.stringify({ screenshots: shots }, null, 2));
