/**
 * Accessibility (issue 13: fast and accessible everywhere): axe-core, injected into the real app in
 * Chromium, on every main page at 390×844 and 1366×900 — no critical and no serious violation; every
 * page has one main landmark and an h1. Also the SPA's 404 view for an unknown route.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, VIEWPORTS } from "./browser";
import { ADMIN_PHONE, apiCall, go, logIn, startTestPlatform } from "./platform-kit";

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const TITLE = "Will the accessibility test find a serious axe violation?";
/** Best-practice rules that the issue names (moderate in axe's scale), held as strictly as serious ones. */
const ALSO_REQUIRED = ["page-has-heading-one", "landmark-one-main"];

type Violation = {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown; data: unknown }[];
};

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** bypassCSP only so that the axe script tag can be injected; the app itself is unchanged. */
async function newPage(
  who: string,
  kind: keyof typeof VIEWPORTS,
  storageState?: Awaited<ReturnType<BrowserContext["storageState"]>>,
): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORTS[kind], bypassCSP: true, storageState });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (e) => pageErrors.push(`${who}: ${e.message}`));
  return page;
}

/** Runs axe (WCAG 2.x A/AA + best practice, plus the experimental label-in-name rule) on the page. */
async function axe(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    // axe is the global that the injected script defines
    const r = await (window as unknown as { axe: typeof import("axe-core") }).axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      rules: { "label-content-name-mismatch": { enabled: true } },
      resultTypes: ["violations"],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      // color-contrast puts the colours and the ratio it measured in the first check's data
      nodes: v.nodes.map((n) => ({ target: n.target, data: n.any?.[0]?.data })),
    }));
  });
}

const counts: Record<string, number> = {};
const failures: string[] = [];

async function expectAccessible(page: Page, where: string) {
  await page.locator("h1, .card").first().waitFor();
  await page.waitForTimeout(500); // lazy chart + queries settle
  const all = await axe(page);
  for (const v of all) counts[v.impact ?? "none"] = (counts[v.impact ?? "none"] ?? 0) + v.nodes.length;
  const bad = all.filter(
    (v) => v.impact === "critical" || v.impact === "serious" || ALSO_REQUIRED.includes(v.id),
  );
  const report = bad.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${where}: ${v.id} (${v.impact}) ${JSON.stringify(n.target)} — ${v.help}${n.data ? ` ${JSON.stringify(n.data)}` : ""}`,
    ),
  );
  const rest = all.filter((v) => !bad.includes(v)).map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}`);
  if (rest.length) console.log(`${where}: not failing: ${rest.join(", ")}`);
  if (report.length) console.log(report.join("\n"));
  failures.push(...report);
}

test("axe: 0 critical/serious violations on every main page, phone and desktop", async () => {
  const admin = await newPage("admin", "desktop");
  await logIn(admin, platform.url, ADMIN_PHONE);
  const created = await apiCall(admin, "POST", "/admin/markets", {
    title: TITLE,
    description: "Created by the accessibility test.",
    category: "weather",
    rules: "YES if axe finds one; NO otherwise.\n\nSource: https://github.com/dequelabs/axe-core",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  const marketId = created.body.market.id as string;
  const order = await apiCall(admin, "POST", "/orders", {
    marketId,
    outcome: "NO",
    side: "BUY",
    type: "LIMIT",
    pricePaise: 450,
    quantity: 1,
    timeInForce: "GTC",
  });
  expect(order.status).toBeLessThan(300);

  const session = await admin.context().storageState();
  for (const kind of ["phone", "desktop"] as const) {
    const guest = await newPage(`guest-${kind}`, kind);
    await guest.goto(`${platform.url}/login`);
    await guest.getByLabel(/mobile number/i).waitFor();
    await expectAccessible(guest, `${kind} /login`);
    await guest.getByLabel(/mobile number/i).fill(kind === "phone" ? "9844400031" : "9844400032"); // OTP requests are rate-limited per phone
    await guest.getByRole("button", { name: /get otp/i }).click();
    await guest.getByTestId("dev-otp").waitFor();
    await expectAccessible(guest, `${kind} /login (otp step)`);
    await guest.context().close();

    // The admin's session, logged in once (OTP requests are rate-limited per phone).
    const page = await newPage(kind, kind, session);
    await page.goto(platform.url);
    await page.getByRole("heading", { name: TITLE }).waitFor();
    await expectAccessible(page, `${kind} /`);
    const paths = [`/markets/${marketId}`, "/portfolio", "/wallet"];
    for (const tab of ["kyc", "markets", "users", "health"]) paths.push(`/admin/${tab}`);
    paths.push("/no-such-page");
    for (const path of paths) {
      await go(page, path);
      await expectAccessible(page, `${kind} ${path}`);
    }
    await page.context().close();
  }
  console.log(`axe violations by impact (nodes, all pages): ${JSON.stringify(counts)}`);
  expect(failures).toEqual([]);
  expect(pageErrors).toEqual([]);
}, 240_000);

test("an unknown route shows a 404 page with a way home", async () => {
  const page = await newPage("404", "phone");
  await page.goto(`${platform.url}/definitely/not/a/page`);
  await page.getByRole("heading", { level: 1, name: /page not found/i }).waitFor();
  await page.getByRole("main").getByRole("link", { name: /home/i }).click();
  await page.waitForURL(`${platform.url}/`);
  await page.getByRole("heading", { level: 1 }).first().waitFor();
  expect(await page.getByRole("heading", { name: /page not found/i }).count()).toBe(0);
  await page.context().close();
  expect(pageErrors).toEqual([]);
}, 60_000);
