/**
 * Issue 12, infrastructure faults: the machine's Redis restarts empty (no persistence) while
 * envelopes are in flight between 2 matching × 2 risk shard processes — the streams, groups and ack
 * hashes are gone, no shard restarts. The senders' retransmit timer (SHARD_RETRANSMIT_MS,
 * shard-retransmit.ts) sends the unacked envelopes again; receivers drop repeats. Then: every
 * command answered (the unanswered sent again under their ids, as the API's retry), every accepted
 * order accepted exactly once and settled, no fill doubled, money conserved, no shard restarted.
 * On a PRIVATE redis-server (another port, own dir, `--save ''`). SHARD_RESTART_RETRANSMIT_MS=0
 * shows the test failing without the timer.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "@ox/engine";
import type { ShardMap } from "@ox/engine/shards";
import Redis from "ioredis";
import { type PrivateRedis, startPrivateRedis } from "./private-redis.ts";
import { type ShardCluster, startShardCluster } from "./shard-kit.ts";
import { answerAll, checkCluster, seed, startLoad, waitFor } from "./shard-load.ts";

const retransmitMs = process.env.SHARD_RESTART_RETRANSMIT_MS ?? "1000";
const map: ShardMap = { version: 1, matchingShards: 2, riskShards: 2, markets: { mA: 0, mB: 1 } };
const users = Array.from({ length: 12 }, (_, i) => `u${i}`);
const dir = mkdtempSync(join(tmpdir(), "ox-shard-redis-restart-"));
let redis: PrivateRedis | undefined;
let c: ShardCluster | undefined;
afterAll(async () => {
  await c?.close().catch(() => {});
  await redis?.stop();
  if (!process.env.SHARD_KEEP) rmSync(dir, { recursive: true, force: true });
});

test("Redis restarts empty with envelopes in flight: the retransmit timer re-sends them, every accepted order settles once, money conserved", async () => {
  redis = await startPrivateRedis();
  const cluster = await startShardCluster({
    dir,
    map,
    redisUrl: redis.url,
    extraEnv: { SHARD_RETRANSMIT_MS: retransmitMs, SNAPSHOT_EVERY_COMMANDS: "300", ENGINE_BATCH_MAX: "100" },
  });
  c = cluster;
  const pids = new Map([...cluster.procs].map(([id, p]) => [id, p.pid]));
  const sent = new Map<string, Command>();
  const ts = await seed(cluster, users, ["mA", "mB"], sent);
  const load = startLoad(cluster, { users, markets: ["mA", "mB"], workers: 4, seed: 7, ts, sent });
  await Bun.sleep(3_000);
  // r1 paused: the RESERVEs and FILLs towards it wait in its stream; then Redis loses them.
  const admin = new Redis(redis.url);
  admin.on("error", () => {});
  const r1 = cluster.procs.get("r1");
  r1?.signal("SIGSTOP");
  await waitFor(
    async () => (await admin.xlen(`${cluster.stream}.r1`)) >= 5,
    "envelopes in r1's stream",
    30_000,
  );
  const lost = await admin.xlen(`${cluster.stream}.r1`);
  admin.disconnect();
  await redis.restart();
  r1?.signal("SIGCONT");
  await Bun.sleep(4_000);
  await load.stop();

  const retried = await answerAll(cluster, sent, 90_000);
  await waitFor(() => cluster.quiescent(), "quiescence", 60_000);
  const { totals, acknowledged, fills, trades } = await checkCluster(cluster, sent, users);

  // Nothing restarted: one recovery per shard, the same processes.
  for (const [id, p] of cluster.procs) {
    expect(p.pid).toBe(pids.get(id));
    const recoveries = readFileSync(p.logFile, "utf8").split('"shard recovered"').length - 1;
    expect(recoveries).toBe(1);
  }
  const resentLines = [...cluster.procs.values()]
    .map((p) => readFileSync(p.logFile, "utf8").split('"unacked envelopes sent again"').length - 1)
    .reduce((a, b) => a + b, 0);
  expect(resentLines).toBeGreaterThan(0);
  expect(acknowledged).toBeGreaterThan(20);
  console.log(
    `redis restart: ${lost} entries in r1's stream lost, ${resentLines} retransmits, ${sent.size} commands ` +
      `(${retried} sent again), ${acknowledged} orders accepted, ${fills} taker fills, ${trades} trades; ` +
      `credits ${totals.creditsPaise} = available ${totals.availablePaise} + locked ${totals.lockedPaise} + ` +
      `fees ${totals.feesPaise} + escrow ${totals.escrowPaise}`,
  );
}, 300_000);
