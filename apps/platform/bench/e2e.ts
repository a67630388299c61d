/**
 * `npm run bench:e2e`: orders/s and latency p50/p99 through HTTP → engine → durable log → reply, on
 * the embedded platform (and with --distributed on the four processes over Redis, Kafka, Postgres).
 * Peers measured in the same run, for context: a Hono echo endpoint on the same HTTP stack and
 * client (the floor any route pays), and the bare engine's apply rate (the ceiling without I/O).
 * Flags: --seconds N (per phase, default 8), --concurrency N (default 16), --distributed, --json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getRequestListener } from "@hono/node-server";
import { createLogger, loadEnv } from "@ox/api";
import { createEngine } from "@ox/engine";
import { Hono } from "hono";
import { startPlatform } from "../src/platform.ts";
import { freePort, startCluster } from "../test/crash-cluster.ts";
import { type HttpUser, loginUser } from "../test/crash-load.ts";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "8" },
    concurrency: { type: "string", default: "16" },
    distributed: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const seconds = Number(flags.seconds);
const concurrency = Number(flags.concurrency);
const ADMIN = "+919200000001";
const say = (line: string) => {
  if (!flags.json) console.log(line);
};

interface Phase {
  requests: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** `concurrency` loops calling `once` back to back for `seconds`; latency of each successful call. */
async function drive(once: (worker: number, i: number) => Promise<boolean>): Promise<Phase> {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1_000;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < until; i++) {
        const t0 = performance.now();
        if (await once(worker, i).catch(() => false)) latencies.push(performance.now() - t0);
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - began) / 1_000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 100) /
    100;
  return {
    requests: latencies.length,
    perSec: Math.round(latencies.length / elapsed),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors,
  };
}

/** Users crossing each other at two prices: BUY YES @550 vs BUY NO @500 mints, the rest rests then fills. */
async function orderPhase(pickBase: () => string): Promise<Phase> {
  const admin = await loginUser(pickBase, ADMIN);
  const created = await admin.call("POST", "/admin/markets", {
    title: `Bench market ${Date.now()}`,
    category: "bench",
    closeAt: Date.now() + 86_400_000,
  });
  if (created.status !== 201)
    throw new Error(`create market: ${created.status} ${JSON.stringify(created.json)}`);
  const marketId: string = created.json.market.id;
  const users: HttpUser[] = [];
  for (let i = 0; i < Math.min(concurrency, 16); i++) {
    const u = await loginUser(pickBase, `+9192000001${String(i).padStart(2, "0")}`);
    await u.call("POST", "/wallet/deposits", { amount: 10_000_000 });
    users.push(u);
  }
  for (let i = 0; i < 100 && (await admin.call("GET", `/markets/${marketId}/orderbook`)).status !== 200; i++)
    await Bun.sleep(100);
  return drive(async (worker, i) => {
    const user = users[worker % users.length] as HttpUser;
    const yes = (worker + i) % 2 === 0;
    const r = await user.call("POST", "/orders", {
      marketId,
      outcome: yes ? "YES" : "NO",
      side: "BUY",
      type: "LIMIT",
      price: yes ? 550 : 500,
      quantity: 1,
    });
    return r.status === 201;
  });
}

async function echoPhase(): Promise<Phase> {
  const app = new Hono().post("/api/v1/echo", async (c) => c.json({ order: await c.req.json() }, 201));
  const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  const server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const body = JSON.stringify({
      marketId: "m",
      outcome: "YES",
      side: "BUY",
      type: "LIMIT",
      price: 550,
      quantity: 1,
    });
    return await drive(
      async () =>
        (
          await fetch(`${base}/api/v1/echo`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          })
        ).status === 201,
    );
  } finally {
    server.close();
  }
}

function engineApplyRate(orders = 200_000) {
  const engine = createEngine();
  engine.apply({ type: "CREATE_MARKET", marketId: "m", ts: 0 } as never);
  // 400 users, so nobody reaches the per-market position limit (5 000 shares) within the run.
  const USERS = 400;
  for (let u = 0; u < USERS; u++) {
    const userId = `u${u}`;
    engine.apply({ type: "CREATE_USER", userId, ts: 0 } as never);
    engine.apply({
      type: "CREDIT",
      userId,
      amountPaise: 1_000_000_000_000,
      ref: `c-${userId}`,
      kind: "DEPOSIT",
      ts: 0,
    } as never);
  }
  let rejected = 0;
  const t0 = performance.now();
  for (let i = 0; i < orders; i++) {
    const yes = i % 2 === 0;
    const r = engine.apply({
      type: "PLACE_ORDER",
      orderId: `o${i}`,
      userId: `u${i % USERS}`,
      marketId: "m",
      outcome: yes ? "YES" : "NO",
      side: "BUY",
      orderType: "LIMIT",
      pricePaise: yes ? 550 : 500,
      qty: 1,
      ts: i,
    } as never);
    if (r.code !== "OK") rejected++;
  }
  if (rejected > 0) throw new Error(`bench engine rejected ${rejected} orders`);
  return { orders, perSec: Math.round(orders / ((performance.now() - t0) / 1_000)) };
}

const result: Record<string, unknown> = { seconds, concurrency };
const dir = mkdtempSync(join(tmpdir(), "ox-bench-e2e-"));
try {
  say(`e2e bench: ${seconds}s per phase, ${concurrency} concurrent clients`);
  result.engineApply = engineApplyRate();
  say(`  bare engine apply     ${JSON.stringify(result.engineApply)}`);
  result.honoEcho = await echoPhase();
  say(`  hono echo (same HTTP) ${JSON.stringify(result.honoEcho)}`);

  const port = await freePort();
  const env = loadEnv({
    ...process.env,
    PORT: String(port),
    DATA_DIR: join(dir, "embedded"),
    ADMIN_PHONES: ADMIN,
    LOG_LEVEL: "warn",
    NODE_ENV: "development",
    DATABASE_URL: "",
    REDIS_URL: "",
    KAFKA_BROKERS: undefined,
  });
  const platform = await startPlatform({
    env,
    logger: createLogger({ level: "warn" }),
    webDist: join(dir, "no-web"),
  });
  try {
    result.embedded = await orderPhase(() => `http://127.0.0.1:${port}`);
    say(`  embedded order path   ${JSON.stringify(result.embedded)}`);
  } finally {
    await platform.stop();
  }

  if (flags.distributed) {
    const cluster = await startCluster({
      dir: join(dir, "distributed"),
      runId: `bench${Date.now().toString(36)}`,
      jwtSecret: "bench-secret-bench-secret-bench-secret-01",
      adminPhone: ADMIN,
    });
    try {
      // Engine and persister keep info (their readiness lines); the API's per-request logs would cost.
      for (const role of ["persister", "engine"] as const) await cluster.add(role);
      await cluster.add("api", { LOG_LEVEL: "warn" });
      const base = cluster.proc("api").baseUrl ?? "";
      result.distributed = await orderPhase(() => base);
      say(`  distributed order path ${JSON.stringify(result.distributed)}`);
    } finally {
      await cluster.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (flags.json) console.log(JSON.stringify(result));
process.exit(0);
