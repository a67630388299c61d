/**
 * Issue 16's chaos test, single-broker part (the 3-broker leader failover is chaos-failover.test.ts,
 * a separate file: they share nothing, so `bun test --parallel` or two shells can run them at
 * once; `npm test` runs them one after the other): the distributed deployment (engine, persister, API as
 * supervised child processes) on PRIVATE Redis, Postgres and Kafka instances started here, under a
 * steady HTTP order load, through one fault after another, at the issue's durations:
 *   engine SIGSTOP 20 s, persister SIGSTOP 20 s, Postgres `pg_ctl restart -m fast`, Redis restart
 *   with AOF (3 s gap), Kafka kill -9 down 20 s, Kafka stopped 60 s, Redis restarted empty (no AOF).
 * The producer's retry budget is KAFKA_RETRY_FOR_MS = 20 s here (default 30 s; against a broker
 * that refuses connections kafkajs takes up to about twice that), so the 60 s stop surely outlasts
 * it and runs the engine's in-process rebuild-and-retry path, which the test checks in the engine's
 * log. The 20 s kill plus the broker's restart may or may not, depending on where it hits an append.
 * After each fault: orders flow again (a new 201) within RECOVER_BOUND_S of the fault clearing,
 * without an operator. At the end: no acknowledged order lost or doubled, the live engine equals a
 * replay of the log, reconcile is clean, and no process exited more than once. One JSON line
 * reports it all.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finishChaosRun, startChaosRun } from "./chaos-harness.ts";
import { privateKafka, privatePostgres, privateRedis } from "./chaos-infra.ts";

/**
 * Seconds after a fault clears by which orders must flow again: the goal, 15 s. The 60 s
 * Kafka stop gets 30 s: when the broker returns the engine may be inside a backoff (up to 5 s) or
 * a rebuild, on a machine shared with other suites. The JSON line has what each fault took.
 */
const RECOVER_BOUND_S = 15;
const KAFKA_STOP_BOUND_S = 30;
const ENGINE_STOP_S = 20;
const PERSISTER_STOP_S = 20;
const KAFKA_KILL_DOWN_S = 20;
const KAFKA_STOP_DOWN_S = 60;
const REDIS_GAP_S = 3;
const KAFKA_RETRY_FOR_MS = 20_000;
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "ox-chaos-"));
const cleanups: (() => Promise<unknown>)[] = [];
/** Stops everything this test started (processes first, then Kafka, Postgres, Redis); idempotent. */
async function cleanUp() {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  if (!process.env.CHAOS_KEEP) rmSync(dir, { recursive: true, force: true });
}
afterAll(cleanUp, 180_000);

test("Kafka, Redis, Postgres faults and paused processes under load heal by themselves; nothing acknowledged is lost or doubled", async () => {
  try {
    await chaos();
  } finally {
    await cleanUp();
  }
}, 900_000);

async function chaos() {
  const redis = await privateRedis(dir);
  await redis.start({ aof: true });
  cleanups.push(() => redis.kill9());
  const postgres = await privatePostgres(dir);
  cleanups.push(() => postgres.destroy());
  const kafka = await privateKafka(dir);
  cleanups.push(() => kafka.stop());
  await kafka.start();

  const run = await startChaosRun({
    dir,
    runId,
    phonePrefix: "+91920000",
    redisUrl: redis.url,
    pgAdminUrl: postgres.adminUrl,
    kafkaBrokers: kafka.brokers,
    extraEnv: { KAFKA_RETRY_FOR_MS: String(KAFKA_RETRY_FOR_MS) },
    cleanups,
  });
  const { cluster, engine, persister, load, admin } = run;
  const healthDuringFault: Record<string, number> = {};
  const engineLog = () => readFileSync(join(dir, `${engine.name}.log`), "utf8");
  const recovered = (fault: string, clearedAt: number, ok: () => Promise<boolean> | boolean) =>
    run.recoveredWithin(fault, clearedAt, ok, fault === "kafkaStop" ? KAFKA_STOP_BOUND_S : RECOVER_BOUND_S);

  await Bun.sleep(5_000); // steady state first
  expect(load.stats.last201At).toBeGreaterThan(0);

  // 1. The engine paused: /health must say so; commands queue (202s); the backlog is applied after.
  engine.signal("SIGSTOP");
  await Bun.sleep((ENGINE_STOP_S - 3) * 1000);
  healthDuringFault.engineSigstop = await run.health();
  await Bun.sleep(3_000);
  engine.signal("SIGCONT");
  let cleared = Date.now();
  await recovered("engineSigstop", cleared, run.ordersFlowAfter(cleared));

  // 2. The persister paused: it catches up with what was logged meanwhile.
  persister.signal("SIGSTOP");
  await Bun.sleep((PERSISTER_STOP_S - 3) * 1000);
  healthDuringFault.persisterSigstop = await run.health();
  await Bun.sleep(3_000);
  const behind = (await run.persistedOffset()) + 1;
  persister.signal("SIGCONT");
  cleared = Date.now();
  await recovered("persisterSigstop", cleared, async () => (await run.persistedOffset()) > behind);

  // 3. Postgres restarted (fast shutdown: sessions cut mid-transaction).
  await postgres.restartFast();
  cleared = Date.now();
  const atRestart = await run.persistedOffset().catch(() => 0);
  await recovered(
    "postgresRestart",
    cleared,
    async () =>
      load.stats.last201SentAt > cleared &&
      (await run.persistedOffset().catch(() => 0)) > atRestart &&
      (await admin.call("GET", "/wallet/transactions").catch(() => ({ status: 0 }))).status === 200,
  );

  // 4. Redis restarted with its AOF, a few seconds' gap: queued commands, groups and sessions survive.
  await redis.stop();
  await Bun.sleep(REDIS_GAP_S * 1000);
  await redis.start({ aof: true });
  cleared = Date.now();
  await recovered("redisRestartAof", cleared, run.ordersFlowAfter(cleared));

  // 5. Kafka kill -9, down 20 s: appends fail, the engine rebuilds from the log and retries.
  await kafka.kill9();
  await Bun.sleep((KAFKA_KILL_DOWN_S - 3) * 1000);
  healthDuringFault.kafkaKill = await run.health();
  await Bun.sleep(3_000);
  await kafka.start();
  cleared = Date.now();
  await recovered("kafkaKill9", cleared, run.ordersFlowAfter(cleared));

  // 6. Kafka stopped 60 s: longer than the producer retries (20-40 s), so appends fail and the
  // engine rebuilds from the log in-process, again and again, until the broker is back.
  const rebuildsBefore = engineLog().split("log appends work again").length - 1;
  await kafka.stop();
  await Bun.sleep((KAFKA_STOP_DOWN_S - 3) * 1000);
  healthDuringFault.kafkaStop = await run.health();
  await Bun.sleep(3_000);
  await kafka.start();
  cleared = Date.now();
  await recovered("kafkaStop", cleared, run.ordersFlowAfter(cleared));
  const rebuilds = engineLog().split("log appends work again").length - 1 - rebuildsBefore;

  // 7. Redis comes back empty (no AOF): stream and group are re-created, sessions re-established.
  // What Redis held then is lost by design (the reason AOF is required): commands that got a 202
  // and were still queued. Wait until nothing is queued, so every loss counted below is real.
  const xlen = () =>
    Number(
      Bun.spawnSync([
        "redis-cli",
        "-p",
        String(redis.port),
        "xlen",
        cluster.env.ENGINE_COMMAND_STREAM as string,
      ])
        .stdout.toString()
        .trim(),
    );
  for (let i = 0; i < 200 && xlen() !== 0; i++) await Bun.sleep(100);
  const wipedAt = Date.now();
  await redis.kill9();
  redis.wipe();
  await redis.start({ aof: false });
  cleared = Date.now();
  const emptyCleared = cleared;
  await recovered("redisRestartEmpty", cleared, run.ordersFlowAfter(cleared));
  await Bun.sleep(3_000);

  expect(Object.keys(run.recovery)).toHaveLength(7);
  expect(healthDuringFault.engineSigstop).toBe(503);
  expect(rebuilds).toBeGreaterThanOrEqual(1); // the 60 s stop ran the rebuild-and-retry path
  await finishChaosRun(run, {
    runId,
    faults: {
      engineSigstop: { seconds: ENGINE_STOP_S },
      persisterSigstop: { seconds: PERSISTER_STOP_S },
      postgresRestart: { mode: "fast" },
      redisRestartAof: { gapSeconds: REDIS_GAP_S },
      kafkaKill9: { downSeconds: KAFKA_KILL_DOWN_S },
      kafkaStop: { downSeconds: KAFKA_STOP_DOWN_S },
      redisRestartEmpty: { aof: false },
    },
    recoverBoundSeconds: { each: RECOVER_BOUND_S, kafkaStop: KAFKA_STOP_BOUND_S },
    healthDuringFault,
    extra: { kafkaRetryForMs: KAFKA_RETRY_FOR_MS, engineRebuildsDuringKafkaStop: rebuilds },
    // Lost to the empty Redis by design: a 202 answered just before the wipe, never applied.
    lostByDesign: (a) => a.status === 202 && a.at >= wipedAt - 3_000 && a.at <= emptyCleared,
  });
}
