/**
 * Issue 12's end-to-end proof: `npm run cluster -- --shards 2 --risk 2 --api 2` (scripts/cluster.ts,
 * the real shard processes, persister, stream and two API replicas on one port) on a private Redis,
 * a fresh Postgres database and unique Kafka topics; the distributed e2e scenario (e2e-scenario.ts:
 * MINT, TRANSFER, MERGE, resolution, portfolio, socket, Postgres, reconcile) runs unchanged against
 * it; then a market resolved on one matching shard pays cash the user spends at once on a market of
 * the other shard; then `npm run reconcile` over the shards exits 0, and Ctrl-C stops every process
 * it started.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@ox/bus/testing";
import { createDb } from "@ox/db";
import { TEST_PG_ADMIN_URL } from "@ox/db/testing";
import { matchingShardOf, type ShardMap, shardIds } from "@ox/engine/shards";
import { type Subprocess, spawn } from "bun";
import pg from "pg";
import { repoRoot } from "./crash-cluster.ts";
import { loginUser } from "./crash-load.ts";
import { eventually, runTradingScenario, SCENARIO_ADMIN } from "./e2e-scenario.ts";

/** A second admin for the funding step (the scenario's admin is within its OTP resend cooldown). */
const FUNDING_ADMIN = "+919200000002";
const runId = `cl${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "ox-cluster-e2e-"));
const procs: Subprocess[] = [];
/** The cluster's children, from its banner: a failed test must not leave them running. */
const clusterPids: number[] = [];
afterAll(async () => {
  for (const p of procs.reverse()) if (p.exitCode === null) p.kill("SIGKILL");
  // SIGKILL of the script does not reach its children (AUDIT), so they are killed one by one.
  for (const pid of clusterPids)
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone: the clean path stopped it
    }
  if (!process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
});

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 120_000) {
  const until = Date.now() + ms;
  while (
    !(await Promise.resolve()
      .then(ok)
      .catch(() => false))
  ) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(200);
  }
}

test("npm run cluster 2 x 2 x 2: the e2e scenario passes unchanged, reconcile over the shards is clean, Ctrl-C leaves no process", async () => {
  const redisPort = await freePort();
  const redis = spawn(["redis-server", "--port", String(redisPort), "--bind", "127.0.0.1", "--save", ""], {
    stdout: "ignore",
    stderr: "ignore",
  });
  procs.push(redis);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const dbName = `ox_cluster_${runId}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database "${dbName}"`);
  await admin.end();
  const dbUrl = new URL(TEST_PG_ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const port = await freePort();
  const topic = `ox.cluster.${runId}`;
  const env = {
    ...process.env,
    NODE_ENV: "development",
    REDIS_URL: redisUrl,
    DATABASE_URL: dbUrl.toString(),
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
    EVENT_TOPIC: topic,
    ENGINE_COMMAND_STREAM: `ox:commands:${runId}`,
    PORT: String(port),
    STREAM_PORT: String(await freePort()),
    DATA_DIR: join(dir, "data"),
    ADMIN_PHONES: `${SCENARIO_ADMIN},${FUNDING_ADMIN}`,
    SMS_PROVIDER: "console",
    RATE_LIMIT_PREFIX: `rl:${runId}`,
  };
  let out = "";
  const cluster = spawn(
    [process.execPath, "scripts/cluster.ts", "--shards", "2", "--risk", "2", "--api", "2"],
    {
      cwd: repoRoot,
      env,
      stdout: "pipe",
      stderr: "inherit",
    },
  );
  procs.push(cluster);
  void (async () => {
    const reader = (cluster.stdout as ReadableStream<Uint8Array>).getReader();
    const d = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += d.decode(value);
    }
  })();
  await waitFor("the cluster's banner", () => out.includes("Ctrl-C stops"));
  const map = JSON.parse(/Shard map {7}(\{.*\})/.exec(out)?.[1] ?? "null") as ShardMap;
  expect(map).toMatchObject({ matchingShards: 2, riskShards: 2 });
  const pids = [...out.matchAll(/=(\d+)/g)].map((m) => Number(m[1]));
  clusterPids.push(...pids);
  expect(pids.length).toBe(shardIds(map).length + 4); // shards, persister, stream, 2 APIs
  const streamBase = `http://127.0.0.1:${env.STREAM_PORT}`;
  const db = await createDb({ url: env.DATABASE_URL, migrate: false });
  try {
    const result = await runTradingScenario({
      base: () => `http://127.0.0.1:${port}`,
      streamBase,
      db: db.db,
      redisUrl,
      persisterName: `persister:${topic}.m0:0`,
      runId,
      sharded: { map, topic },
    });
    console.log(JSON.stringify(result));
    await resolutionFundsAnotherShard(() => `http://127.0.0.1:${port}`, map);
    const rec = Bun.spawnSync([process.execPath, "scripts/reconcile.ts"], {
      cwd: repoRoot,
      env: { ...env, SHARD_MAP: JSON.stringify(map) },
    });
    const report = rec.stdout.toString();
    expect({ exit: rec.exitCode, report: report.slice(0, 2_000) }).toMatchObject({ exit: 0 });
    expect(JSON.parse(report)).toMatchObject({ ok: true, engineSource: "shards" });
  } finally {
    await db.close();
  }
  cluster.kill("SIGINT");
  expect(await cluster.exited).toBe(0);
  const alive = pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  expect(alive).toEqual([]);
}, 300_000);

/**
 * Issue 12's cross-shard case through the deployment: a payout from a market resolved on one
 * matching shard is cash the user spends at once on a market of the other shard. Dana has only the
 * ₹15 bonus; she spends all of it on market A (MINT against Eve), so an order on market B is
 * refused for funds; A resolves YES, its shard pays her 3 × 1000 through her risk shard, and the
 * same order on B (another matching shard) is then accepted with exactly that cash locked.
 */
async function resolutionFundsAnotherShard(base: () => string, map: ShardMap) {
  const admin = await loginUser(base, FUNDING_ADMIN);
  const create = async (title: string) => {
    const r = await admin.call("POST", "/admin/markets", {
      title,
      description: "Cross-shard funding in the cluster test",
      category: "test",
      rules: "Test rules",
      closeAt: Date.now() + 86_400_000,
    });
    expect(r.status).toBe(201);
    return r.json.market.id as string;
  };
  // Markets are placed by hash of their id: create until two sit on different matching shards.
  const a = await create("Cluster funding market A");
  let b = await create("Cluster funding market B");
  for (let i = 0; matchingShardOf(map, b) === matchingShardOf(map, a); i++) {
    expect(i).toBeLessThan(20);
    b = await create(`Cluster funding market B${i}`);
  }
  expect(matchingShardOf(map, a)).not.toBe(matchingShardOf(map, b));
  for (const id of [a, b])
    await eventually("market in its shard", async () =>
      expect((await admin.call("GET", `/markets/${id}/orderbook`)).status).toBe(200),
    );
  const dana = await loginUser(base, "+919200000201");
  const eve = await loginUser(base, "+919200000202");
  expect((await eve.call("POST", "/wallet/deposits", { amountPaise: 100_000 })).status).toBe(201);
  await eventually("Eve's deposit in the engine", async () =>
    expect((await eve.call("GET", "/portfolio")).json.balance.availablePaise).toBe(101_500),
  );
  await eventually("Dana's bonus in the engine", async () =>
    expect((await dana.call("GET", "/portfolio")).json.balance.availablePaise).toBe(1_500),
  );
  let n = 0;
  const order = (
    u: typeof dana,
    marketId: string,
    outcome: "YES" | "NO",
    pricePaise: number,
    quantity: number,
  ) =>
    u.call("POST", "/orders", {
      marketId,
      outcome,
      side: "BUY",
      type: "LIMIT",
      pricePaise,
      quantity,
      clientOrderId: `funding-${++n}`,
    });
  expect((await order(dana, a, "YES", 500, 3)).status).toBe(201); // all of her ₹15
  const mint = await order(eve, a, "NO", 500, 3);
  expect(mint.status).toBe(201);
  expect(mint.json.order.filledQty).toBe(3);
  const refused = await order(dana, b, "YES", 500, 6);
  expect([refused.status, refused.json.error?.code]).toEqual([422, "INSUFFICIENT_FUNDS"]);
  expect((await admin.call("POST", `/admin/markets/${a}/close`)).status).toBe(200);
  expect((await admin.call("POST", `/admin/markets/${a}/resolve`, { outcome: "YES" })).status).toBe(200);
  await eventually("the payout on Dana's risk shard", async () =>
    expect((await dana.call("GET", "/portfolio")).json.balance).toEqual({
      availablePaise: 3_000,
      lockedPaise: 0,
    }),
  );
  const funded = await order(dana, b, "YES", 500, 6);
  expect(funded.status).toBe(201);
  expect((await dana.call("GET", "/portfolio")).json.balance).toEqual({
    availablePaise: 0,
    lockedPaise: 3_000,
  });
}
