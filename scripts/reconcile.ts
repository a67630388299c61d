/**
 * `npm run reconcile`: the engine's balances and positions vs Postgres, user by user, and
 * conservation (docs/money.md#conservation). Engine state comes from the live engine over the query channel when REDIS_URL is set
 * and it answers (after waiting for the persister to reach the engine's log offset), otherwise from
 * replaying the event log into a fresh engine up to the persister's offset. Prints one JSON object;
 * exits 1 on any difference, 2 when it could not run.
 */
import { join } from "node:path";
import { createFileJournal, createKafkaLog, createRedisPubSub, type EventLog } from "@ox/bus";
import { type LogRecord, transportDefaults } from "@ox/contracts/pipeline";
import { consumerOffsets, createDb, type Db, DEFAULT_PERSISTER_NAME, engineBalances } from "@ox/db";
import { createRemoteEngineReader, type EngineSource, reconcile, replayLog } from "@ox/engine-client";
import { eq } from "drizzle-orm";

const env = process.env;
const topic = env.EVENT_TOPIC ?? transportDefaults.eventTopic;
const persisterName = env.KAFKA_BROKERS
  ? `persister:${topic}:${env.EVENT_PARTITION ?? 0}`
  : DEFAULT_PERSISTER_NAME;
const dataDir = env.DATA_DIR ?? "./data";

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
  const pubsub = createRedisPubSub<unknown>(env.REDIS_URL);
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

const handle = await createDb(
  env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: join(dataDir, "pg") },
);
try {
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
} catch (err) {
  console.error(err);
  process.exitCode = 2;
} finally {
  await handle.close();
}
