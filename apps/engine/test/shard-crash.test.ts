/**
 * Issue 12's crash test: 2 matching × 2 risk shard processes under a steady order load from many
 * users (most orders cross shards), each kind killed with kill -9 several times at random moments
 * and restarted. Then: every command is answered (a command left without a reply is sent again
 * under the same id, as the API's retry would), every acknowledged order was accepted exactly once
 * in the logs, no fill is lost or doubled, every log replays to the live shard, and money is
 * conserved across the shards counting what is in flight. SHARD_CRASH_SEED replays a schedule;
 * SHARD_CRASH_LOAD_MS sets the chaos phase's length. Prints the kills survived per kind.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "@ox/engine";
import { createRandom } from "@ox/engine/random";
import type { ShardMap } from "@ox/engine/shards";
import { type ShardCluster, startShardCluster } from "./shard-kit.ts";
import { answerAll, checkCluster, seed, startLoad, waitFor } from "./shard-load.ts";

const runSeed = Number(process.env.SHARD_CRASH_SEED ?? Date.now() % 100_000);
const loadMs = Number(process.env.SHARD_CRASH_LOAD_MS ?? 50_000);
const KILLS = 3; // per kind
const USERS = 16;
const WORKERS = 6;
const map: ShardMap = { version: 1, matchingShards: 2, riskShards: 2, markets: { mA: 0, mB: 1 } };
const dir = mkdtempSync(join(tmpdir(), "ox-shard-crash-"));
let c: ShardCluster | undefined;
afterAll(async () => {
  await c?.close();
  if (!process.env.SHARD_KEEP) rmSync(dir, { recursive: true, force: true });
});

test("kill -9 matching and risk shards under load: every acknowledged order exactly once, no fill lost or doubled, money conserved", async () => {
  const rnd = createRandom(runSeed + 1);
  console.log(`shard crash test: seed ${runSeed}, load ${loadMs} ms, logs in ${dir}`);
  const cluster = await startShardCluster({
    dir,
    map,
    extraEnv: { SNAPSHOT_EVERY_COMMANDS: "300", ENGINE_BATCH_MAX: "100" },
  });
  c = cluster;
  const users = Array.from({ length: USERS }, (_, i) => `u${i}`);
  const markets = ["mA", "mB"];
  /** Every command sent, by envelope id (to send again if it is never answered). */
  const sent = new Map<string, Command>();
  const ts = await seed(cluster, users, markets, sent);
  // Load: workers place BUY YES / BUY NO around 500 (they mint against each other), cancel some of
  // their own orders, and credit now and then; each waits a bounded time for its reply.
  const load = startLoad(cluster, {
    users,
    markets,
    workers: WORKERS,
    seed: runSeed,
    ts,
    sent,
    replyTimeoutMs: 8_000,
  });

  // Chaos: alternate kinds, a random shard of the kind, at a random moment, down for a random while.
  const kills: Record<"matching" | "risk", number> = { matching: 0, risk: 0 };
  const started = Date.now();
  const gap = loadMs / (2 * KILLS + 1);
  for (let i = 0; i < 2 * KILLS; i++) {
    await Bun.sleep(gap * (0.5 + rnd()));
    const kind = i % 2 === 0 ? "matching" : "risk";
    const id = `${kind === "matching" ? "m" : "r"}${Math.floor(rnd() * 2)}`;
    const proc = cluster.procs.get(id);
    if (!proc) throw new Error(`no ${id}`);
    await proc.kill9();
    await Bun.sleep(rnd() * 1_000);
    await proc.start();
    kills[kind]++;
  }
  const rest = loadMs - (Date.now() - started);
  if (rest > 0) await Bun.sleep(rest);
  await load.stop();

  // Every command answered: those without a reply are sent again under the same id.
  await waitFor(() => cluster.quiescent(), "quiescence after the load", 90_000);
  const resent = await answerAll(cluster, sent, 60_000);
  await waitFor(() => cluster.quiescent(), "quiescence after the retries", 60_000);
  const { totals, acknowledged, fills, trades } = await checkCluster(cluster, sent, users, { strict: true });

  expect(kills.matching).toBeGreaterThanOrEqual(KILLS);
  expect(kills.risk).toBeGreaterThanOrEqual(KILLS);
  expect(acknowledged).toBeGreaterThan(50);
  expect(fills).toBeGreaterThan(10);
  console.log(
    `kills survived: matching ${kills.matching}, risk ${kills.risk}; ${sent.size} commands ` +
      `(${load.unanswered} waited out and ${resent} sent again), ${acknowledged} orders accepted, ${fills} taker fills, ` +
      `${trades} trades; money: credits ${totals.creditsPaise} = available ${totals.availablePaise} + locked ` +
      `${totals.lockedPaise} + fees ${totals.feesPaise} + escrow ${totals.escrowPaise} (in flight ${totals.inFlightPaise})`,
  );
}, 300_000);
