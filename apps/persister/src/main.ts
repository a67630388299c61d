/**
 * The persister process (distributed mode): the Kafka event log (or the embedded file journal when
 * KAFKA_BROKERS is absent) into Postgres (or PGlite in DATA_DIR when DATABASE_URL is absent).
 * With SHARD_MAP (a sharded deployment): every shard's topic `${EVENT_TOPIC}.${S}`, one persister
 * loop per topic in this process, each committing its topic's offset with its rows
 * (@ox/persister shard-log.ts says why that leaves Postgres as with one engine).
 */
import { join } from "node:path";
import { createAdapters, createKafkaLog, type PersisterHealth, retryUntilOpen } from "@ox/bus";
import { parsePersisterEnv, secureDataDir } from "@ox/config";
import { type ShardLogBatch, shardEventTopic } from "@ox/contracts/pipeline";
import { createDb } from "@ox/db";
import { describeShardMap, shardIds } from "@ox/engine/shards";
import { createLogger } from "@ox/logger";
import { createMetricsRegistry, serveMetrics } from "@ox/metrics";
import { createPersister, createPersisterMetrics, type Persister, shardLogView } from "@ox/persister";

const env = parsePersisterEnv();
const embedded = !env.DATABASE_URL || !env.KAFKA_BROKERS; // PGlite or the journal live in DATA_DIR
if (embedded) secureDataDir(env.DATA_DIR);
const shardMap = env.SHARD_MAP;

const logger = createLogger({ level: env.LOG_LEVEL, service: "persister" });
if (shardMap && !env.KAFKA_BROKERS) {
  logger.fatal("SHARD_MAP needs KAFKA_BROKERS: shard logs are Kafka topics");
  process.exit(2);
}
// A database or a broker that is down at start is waited out here, not by a restart loop.
const handle = await retryUntilOpen("database", logger, () =>
  createDb(env.DATABASE_URL ? { url: env.DATABASE_URL, logger } : { dataDir: join(env.DATA_DIR, "pg") }),
);
if (embedded) secureDataDir(env.DATA_DIR); // PGlite lays out a new cluster 0666
const adapters = createAdapters(env, { instanceId: `persister-${env.EVENT_PARTITION}`, logger });

const registry = createMetricsRegistry();
const metricsServer = await serveMetrics({ registry, port: env.METRICS_PORT });
logger.info({ port: metricsServer.port }, "persister metrics at /metrics");
const metrics = env.METRICS === "on" ? createPersisterMetrics(registry) : undefined;

const logs: { close(): Promise<void> }[] = [];
const persisters: Persister[] = [];
if (shardMap) {
  logger.info({ shardMap }, describeShardMap(shardMap));
  const brokers = (env.KAFKA_BROKERS ?? "").split(",").map((b) => b.trim());
  for (const shard of shardIds(shardMap)) {
    const topic = shardEventTopic(env.EVENT_TOPIC, shard);
    const log = await retryUntilOpen(`event log ${topic}`, logger, async () =>
      createKafkaLog<ShardLogBatch>({
        brokers,
        topic,
        partition: 0,
        clientId: `persister-${shard}`,
        fetch: { minBytes: env.KAFKA_FETCH_MIN_BYTES, maxWaitMs: env.KAFKA_FETCH_MAX_WAIT_MS },
        logger,
      }),
    );
    logs.push(log);
    persisters.push(
      createPersister({
        // Counters are shared; the health gauge watches the sum of every topic (below).
        metrics: metrics && { ...metrics, watch: () => {} },
        log: shardLogView(log, { shard }),
        db: handle.db,
        logger: logger.child({ shard }),
        batchSize: env.PERSISTER_BATCH_SIZE,
        lingerMs: env.PERSISTER_LINGER_MS,
        name: `persister:${topic}:0`,
      }),
    );
  }
  metrics?.watch({ health: async () => sumHealth(await Promise.all(persisters.map((p) => p.health()))) });
} else {
  const log = env.KAFKA_BROKERS
    ? await retryUntilOpen("event log", logger, () => adapters.log())
    : await adapters.log();
  logs.push(log);
  persisters.push(
    createPersister({
      metrics,
      log,
      db: handle.db,
      logger,
      batchSize: env.PERSISTER_BATCH_SIZE,
      lingerMs: env.PERSISTER_LINGER_MS,
      name: `persister:${env.EVENT_TOPIC}:${env.EVENT_PARTITION}`,
    }),
  );
}
for (const p of persisters) p.start();
logger.info(
  { driver: handle.driver, log: env.KAFKA_BROKERS ? "kafka" : "journal", topics: persisters.length },
  "persister: started",
);

/** Several topics' health as one: offsets and ends summed, the worst state. */
function sumHealth(all: PersisterHealth[]): PersisterHealth {
  const rank = { ok: 0, lagging: 1, stuck: 2 } as const;
  let worst = all[0] as PersisterHealth;
  const sum = (f: (h: PersisterHealth) => number) => all.reduce((n, h) => n + f(h), 0);
  for (const h of all) if (rank[h.state] > rank[worst.state]) worst = h;
  return {
    state: worst.state,
    offset: sum((h) => h.offset),
    endOffset: sum((h) => h.endOffset),
    lag: sum((h) => h.lag),
    stalledMs: Math.max(...all.map((h) => h.stalledMs)),
    quarantined: sum((h) => h.quarantined ?? 0),
  };
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(persisters.map((p) => p.stop()));
    await metricsServer.close();
    await Promise.all(logs.map((l) => l.close()));
    await handle.close();
    logger.info(
      persisters.map((p) => p.status()),
      "persister: stopped",
    );
    process.exit(0);
  });
}
