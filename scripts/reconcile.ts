/**
 * `npm run reconcile`: the engine's balances and positions vs Postgres, user by user, and
 * conservation (docs/money.md#conservation). Engine state comes from the live engine over the query channel when REDIS_URL is set
 * and it answers (after waiting for the persister to reach the engine's log offset), otherwise from
 * replaying the event log into a fresh engine up to the persister's offset. Prints one JSON object;
 * exits 1 on any difference, 2 when it could not run.
 *
 * With SHARD_MAP (a sharded deployment): every shard rebuilt from its own topic up to what the
 * persister wrote of it, SPEC §4 across all shards counting what is in flight between them, and
 * the shards against Postgres (@ox/engine-client shard-reconcile.ts). Each shard starts from its
 * newest snapshot that the persister has passed (the shard process's snapshot store,
 * DATA_DIR/shards/<S>/snapshots, or SHARD_SNAPSHOT_ROOT/<S>/snapshots) and replays only the tail;
 * with no snapshot, or `--from-zero`, from offset 0. The report's `startedAt` says where each began.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createFileJournal, createKafkaLog, createRedisPubSub, type EventLog } from "@ox/bus";
import { parsePersisterEnv } from "@ox/config";
import {
  type LogRecord,
  type ShardLogBatch,
  shardEventTopic,
  transportDefaults,
} from "@ox/contracts/pipeline";
import { consumerOffsets, createDb, type Db, DEFAULT_PERSISTER_NAME, engineBalances } from "@ox/db";
import { describeShardMap, type ShardMap, shardIds } from "@ox/engine/shards";
import {
  auditShards,
  consistentCut,
  createRemoteEngineReader,
  type EngineSource,
  persistedShardOffsets,
  reconcile,
  replayLog,
  replayShards,
  type ShardStart,
  shardsSource,
} from "@ox/engine-client";
import { latestShardSnapshot, shardSnapshotDir } from "@ox/engine-service";
import { eq } from "drizzle-orm";

const env = process.env;
const topic = env.EVENT_TOPIC ?? transportDefaults.eventTopic;
const persisterName = env.KAFKA_BROKERS
  ? `persister:${topic}:${env.EVENT_PARTITION ?? 0}`
  : DEFAULT_PERSISTER_NAME;
const dataDir = env.DATA_DIR ?? "./data";
const { values: flags } = parseArgs({ options: { "from-zero": { type: "boolean", default: false } } });
/** Shard S's snapshot directory: under SHARD_SNAPSHOT_ROOT when set, else where shard-main.ts keeps it. */
const snapshotDirOf = (shard: string) =>
  env.SHARD_SNAPSHOT_ROOT
    ? join(env.SHARD_SNAPSHOT_ROOT, shard, "snapshots")
    : shardSnapshotDir(dataDir, shard);

async function persistedOffset(db: Db) {
  const [row] = await db.select().from(consumerOffsets).where(eq(consumerOffsets.name, persisterName));
  return row?.offset ?? 0;
}

async function openLog(): Promise<EventLog<LogRecord>> {
  if (env.KAFKA_BROKERS) {
    return createKafkaLog<LogRecord>({
      brokers: env.KAFKA_BROKERS.split(","),
      topic,
      partition: Number(env.EVENT_PARTITION ?? 0),
      clientId: "reconcile",
    });
  }
  return createFileJournal<LogRecord>({ path: join(dataDir, "journal", "events.journal") });
}

/** The live engine, once the persister has caught up with it; null when the engine does not answer. */
async function liveSource(db: Db): Promise<{ source: EngineSource; close(): Promise<void> } | null> {
  if (!env.REDIS_URL) return null;
  const pubsub = createRedisPubSub<unknown>(env.REDIS_URL, { prefix: env.REDIS_NAMESPACE });
  const reader = createRemoteEngineReader({
    pubsub,
    instanceId: `reconcile-${process.pid}`,
    timeoutMs: 2_000,
  });
  const close = async () => {
    await reader.close();
    await pubsub.close();
  };
  try {
    const deadline = Date.now() + Number(env.RECONCILE_WAIT_MS ?? 30_000);
    for (;;) {
      const stats = await reader.stats();
      if ((await persistedOffset(db)) >= stats.logOffset) break;
      if (Date.now() > deadline) throw new Error(`persister still behind log offset ${stats.logOffset}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const markets = await reader.markets();
    // The query channel lists no users: take Postgres's; the totals comparison catches any user it misses.
    const userIds = (await db.select({ userId: engineBalances.userId }).from(engineBalances)).map(
      (r) => r.userId,
    );
    const source: EngineSource = {
      userIds: () => userIds,
      account: (u) => reader.account(u),
      positions: (u) => reader.positions(u),
      markets: () => markets,
      totals: () => reader.totals(),
    };
    return { source, close };
  } catch (err) {
    await close();
    console.error(`engine not reachable live (${(err as Error).message}); replaying the log instead`);
    return null;
  }
}

/** The sharded reconcile: a consistent cut of every shard's log at the persister's offsets. */
async function reconcileShards(db: Db, map: ShardMap) {
  console.error(describeShardMap(map));
  const brokers = (env.KAFKA_BROKERS ?? "").split(",");
  if (!env.KAFKA_BROKERS) throw new Error("SHARD_MAP needs KAFKA_BROKERS (each shard's log is a topic)");
  const logs = new Map<string, EventLog<ShardLogBatch>>();
  for (const shard of shardIds(map))
    logs.set(
      shard,
      await createKafkaLog<ShardLogBatch>({
        brokers,
        topic: shardEventTopic(topic, shard),
        partition: 0,
        clientId: "reconcile",
      }),
    );
  const logOf = (shard: string) => logs.get(shard) as EventLog<ShardLogBatch>;
  try {
    const deadline = Date.now() + Number(env.RECONCILE_WAIT_MS ?? 30_000);
    const dedupe = Number(env.ENGINE_DEDUPE_WINDOW_MS ?? 86_400_000);
    for (;;) {
      // The persister commits each topic on its own: a cut taken while envelopes move may have a
      // receiver ahead of its sender. Read again until it is consistent (it is once traffic pauses).
      const offsets = await persistedShardOffsets(db, map, topic);
      // Each shard from its newest snapshot the persister has passed (else offset 0): the tail only.
      const starts = new Map<string, ShardStart & { file: string }>();
      if (!flags["from-zero"])
        for (const shard of shardIds(map)) {
          const snap = await latestShardSnapshot(snapshotDirOf(shard), shard, offsets.get(shard) ?? 0);
          if (snap)
            starts.set(shard, {
              offset: snap.logOffset,
              state: snap.state,
              nextIndex: snap.nextIndex,
              epoch: snap.epoch,
              file: snap.file,
            });
        }
      const shards = await replayShards(
        map,
        logOf,
        (s) => offsets.get(s) ?? 0,
        dedupe,
        (s) => starts.get(s),
      );
      for (const shard of shardIds(map))
        console.error(
          `${shard}: replayed from offset ${shards.startedAt[shard]} to ${offsets.get(shard) ?? 0}${
            starts.has(shard) ? ` (snapshot ${starts.get(shard)?.file})` : " (no snapshot at or below it)"
          }`,
        );
      if (!consistentCut([...shards.matching, ...shards.risk])) {
        if (Date.now() > deadline) throw new Error("no consistent cut of the shard logs in time");
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      let audit: ReturnType<typeof auditShards> | null = null;
      let violation: string | null = null;
      try {
        audit = auditShards(shards);
      } catch (err) {
        violation = (err as Error).message;
      }
      const report = await reconcile({
        db,
        engine: shardsSource(shards, map),
        persisterName: `persister:${shardEventTopic(topic, "m0")}:0`,
        inFlight: audit
          ? { totalPaise: audit.totals.inFlightPaise, feesPaise: audit.feesPaise, byUser: audit.byUser }
          : undefined,
      });
      if (violation !== null) {
        report.ok = false;
        report.differences.push({ what: "SPEC §4 across shards", engine: violation, postgres: null });
      }
      if (shards.diverged !== null) {
        report.ok = false;
        report.differences.push({
          what: "replay diverged from the log",
          engine: shards.diverged,
          postgres: null,
        });
      }
      return {
        engineSource: "shards",
        offsets: Object.fromEntries(offsets),
        startedAt: shards.startedAt,
        inFlight: audit ? { envelopes: audit.totals.inFlight, paise: audit.totals.inFlightPaise } : null,
        ...report,
      };
    }
  } finally {
    await Promise.all([...logs.values()].map((l) => l.close()));
  }
}

const handle = await createDb(
  env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: join(dataDir, "pg") },
);
try {
  const shardMap = parsePersisterEnv().SHARD_MAP;
  if (shardMap) {
    const out = await reconcileShards(handle.db, shardMap);
    console.log(JSON.stringify(out));
    process.exitCode = out.ok ? 0 : 1;
  } else {
    const live = await liveSource(handle.db);
    let report: Awaited<ReturnType<typeof reconcile>>;
    let engineSource: string;
    if (live) {
      engineSource = "live";
      report = await reconcile({ db: handle.db, engine: live.source, persisterName });
      await live.close();
    } else {
      const log = await openLog();
      const upTo = await persistedOffset(handle.db);
      const replayed = await replayLog(log, upTo);
      await log.close();
      engineSource = "replay";
      report = await reconcile({ db: handle.db, engine: replayed.engine, persisterName });
      if (replayed.divergedAt !== null) {
        report.ok = false;
        report.differences.push({
          what: "replay diverged from the log",
          engine: replayed.divergedAt,
          postgres: null,
        });
      }
    }
    console.log(JSON.stringify({ engineSource, ...report }));
    process.exitCode = report.ok ? 0 : 1;
  }
} catch (err) {
  console.error(err);
  process.exitCode = 2;
} finally {
  await handle.close();
}
