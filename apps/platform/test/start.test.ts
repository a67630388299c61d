/**
 * docs/operations.md#commands / issue 5: from a clean clone, `npm install && npm start` serves a working exchange.
 * This test does exactly that in a temporary directory: clone, install, start, log in with the
 * console OTP, trade against the market-making bot, check GET /metrics with promtool, kill -9,
 * start again (nothing acknowledged is lost), then Ctrl-C for a clean shutdown.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { login } from "@ox/bot";
import { type Client, createClient } from "@ox/client";
import { promtool, sumOf } from "./promtool.ts";
import { launchBrowser } from "./web/browser.ts";

const repoRoot = resolve(import.meta.dir, "../../..");
const work = mkdtempSync(join(tmpdir(), "ox-start-"));
const clone = join(work, "repo");
let port = 3900 + Math.floor(Math.random() * 90);
let baseUrl = `http://localhost:${port}`;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

function startPlatform(
  extraEnv: Record<string, string> = {},
): Promise<{ child: ChildProcess; output: () => string; readyMs: number }> {
  const began = Date.now();
  // The demo's noise trader stays off: it would race this test for the bot's quotes.
  const child = spawn("npm", ["start", "--", "--no-noise"], {
    cwd: clone,
    env: { ...process.env, PORT: String(port), NODE_ENV: "development", LOG_LEVEL: "warn", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  return new Promise((resolveReady, reject) => {
    const deadline = setTimeout(() => reject(new Error(`npm start did not serve in time:\n${out}`)), 120_000);
    const poll = setInterval(async () => {
      if (!out.includes("Opinion exchange is running")) return;
      try {
        const res = await fetch(`${baseUrl}/`);
        if (res.ok && (await res.text()).includes("<html")) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolveReady({ child, output: () => out, readyMs: Date.now() - began });
        }
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) {
        clearInterval(poll);
        clearTimeout(deadline);
        reject(new Error(`npm start exited with ${child.exitCode}:\n${out}`));
      }
    }, 250);
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r(child.exitCode);
    else child.once("exit", (code) => r(code));
  });
}

/** Resolves when every process writing to the child's stdout (npm and the server under it) is gone. */
function outputClosed(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.stdout?.readableEnded) r();
    else child.stdout?.once("close", () => r());
  });
}

async function bestYesAsk(api: Client, marketId: string) {
  const book = await api.markets.orderbook({ params: { id: marketId } });
  const bestNoBid = book.no[0];
  return bestNoBid ? 1000 - bestNoBid.pricePaise : null;
}

beforeAll(() => {
  execFileSync("git", ["clone", "--quiet", repoRoot, clone]);
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], {
    cwd: clone,
    stdio: "ignore",
  });
}, 300_000);

test("npm install && npm start from a clean clone: log in, trade against the bot, survive kill -9, stop cleanly", async () => {
  const first = await startPlatform();
  console.log(JSON.stringify({ metric: "startToServedPageMs", value: first.readyMs }));
  expect(first.output()).toContain(baseUrl);

  const api = createClient({ baseUrl, keepCookies: true });
  await login(api, "+919812345678");
  const { markets } = await api.markets.list({ query: { status: "OPEN" } });
  expect(markets.length).toBeGreaterThanOrEqual(4);
  const marketId = markets[0]?.id ?? "";

  let ask: number | null = null;
  for (let i = 0; i < 60 && ask === null; i++) {
    ask = await bestYesAsk(api, marketId);
    if (ask === null) await Bun.sleep(500);
  }
  expect(ask).not.toBeNull();

  const placed = await api.orders.place({
    body: {
      marketId,
      outcome: "YES",
      side: "BUY",
      type: "LIMIT",
      pricePaise: ask ?? undefined,
      quantity: 1,
      clientOrderId: "start-test-1",
    },
  });
  if (placed.order.status === "PENDING") throw new Error("the order was queued, not answered");
  expect(placed.order.filledQty).toBe(1);
  expect(placed.order.status).toBe("FILLED");
  const before = await api.portfolio.get();
  expect(before.positions.find((p) => p.marketId === marketId)?.yes).toBe(1);

  // Issue 10: the one process's GET /metrics is Prometheus text promtool accepts, and counted the trade.
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  expect(promtool(["check", "metrics"], metrics)).toEqual({ code: 0, output: "" });
  expect(sumOf(metrics, "ox_trades_total")).toBeGreaterThanOrEqual(1);

  // kill -9 the whole process group: nothing acknowledged may be lost.
  process.kill(-(first.child.pid ?? 0), "SIGKILL");
  await exited(first.child);

  const second = await startPlatform();
  const after = await api.portfolio.get();
  expect(after.positions.find((p) => p.marketId === marketId)?.yes).toBe(1);
  const again = await api.orders.place({
    body: {
      marketId,
      outcome: "YES",
      side: "BUY",
      type: "LIMIT",
      pricePaise: ask ?? undefined,
      quantity: 1,
      clientOrderId: "start-test-1",
    },
  });
  expect(again.order.id).toBe(placed.order.id);

  // Ctrl-C: the terminal signals the whole process group. npm dies of the signal as npm does; the
  // server under it must drain, snapshot, close and say so before its output closes.
  process.kill(-(second.child.pid ?? 0), "SIGINT");
  await outputClosed(second.child);
  expect(second.output()).toContain("Stopped cleanly.");
  await expect(fetch(`${baseUrl}/api/v1/health`)).rejects.toThrow();
}, 300_000);

test("ADMIN_PHONES on a fresh data dir: those phones are the admins, demo markets seeded, banner true, 127.0.0.1 only, an anonymous visit logs no console error", async () => {
  port += 1;
  baseUrl = `http://localhost:${port}`;
  const dataDir = join(work, "data-admin-phones");
  const run = await startPlatform({ ADMIN_PHONES: "+919999900000", DATA_DIR: dataDir });
  try {
    const banner = run.output();
    expect(banner).toContain("Admin phones    +919999900000");
    expect(banner).not.toContain("+919000000001");
    expect(banner).toContain(`Listening on    127.0.0.1:${port}  (this machine only`);

    const anonymous = await fetch(`${baseUrl}/api/v1/auth/session`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ user: null });

    const admin = createClient({ baseUrl, keepCookies: true });
    expect((await login(admin, "+919999900000")).role).toBe("ADMIN");
    expect((await admin.auth.session()).user?.role).toBe("ADMIN");
    await admin.admin.kycQueue();
    const demo = createClient({ baseUrl, keepCookies: true });
    expect((await login(demo, "+919000000001")).role).toBe("USER");
    await expect(demo.admin.kycQueue()).rejects.toMatchObject({ status: 403 });
    const { markets } = await admin.markets.list({ query: { status: "OPEN" } });
    expect(markets.length).toBeGreaterThanOrEqual(4);

    // Development binds the loopback interface only: another address of this machine is refused.
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    if (lan) await expect(fetch(`http://${lan}:${port}/api/v1/health`)).rejects.toThrow();

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      await page.goto(baseUrl, { waitUntil: "networkidle" });
      await page.waitForTimeout(1_000);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  } finally {
    process.kill(-(run.child.pid ?? 0), "SIGINT");
    await outputClosed(run.child);
  }
}, 300_000);
