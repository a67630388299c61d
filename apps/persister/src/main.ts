/**
 * The persister process (distributed mode): the Kafka event log (or the embedded file journal when
 * KAFKA_BROKERS is absent) into Postgres (or PGlite in DATA_DIR when DATABASE_URL is absent).
 */
import { join } from "node:path";
import { createAdapters, retryUntilOpen } from "@ox/bus";
import { parsePersisterEnv, secureDataDir } from "@ox/config";
import { createDb } from "@ox/db";
import { createLogger } from "@ox/logger";
import { createMetricsRegistry, serveMetrics } from "@ox/metrics";
import { createPersister, createPersisterMetrics } from "@ox/persister";

const env = parsePersisterEnv();
const embedded = !env.DATABASE_URL || !env.KAFKA_BROKERS; // PGlite or the journal live in DATA_DIR
if (embedded) secureDataDir(env.DATA_DIR);

const logger = createLogger({ level: env.LOG_LEVEL, service: "persister" });
// A database or a broker that is down at start is waited out here, not by a restart loop.
const handle = await retryUntilOpen("database", logger, () =>
  createDb(env.DATABASE_URL ? { url: env.DATABASE_URL, logger } : { dataDir: join(env.DATA_DIR, "pg") }),
);
if (embedded) secureDataDir(env.DATA_DIR); // PGlite lays out a new cluster 0666
const adapters = createAdapters(env, { instanceId: `persister-${env.EVENT_PARTITION}`, logger });
const log = env.KAFKA_BROKERS
  ? await retryUntilOpen("event log", logger, () => adapters.log())
  : await adapters.log();

const registry = createMetricsRegistry();
const metricsServer = await serveMetrics({ registry, port: env.METRICS_PORT });
logger.info({ port: metricsServer.port }, "persister metrics at /metrics");
const persister = createPersister({
  metrics: env.METRICS === "on" ? createPersisterMetrics(registry) : undefined,
  log,
  db: handle.db,
  logger,
  batchSize: env.PERSISTER_BATCH_SIZE,
  name: `persister:${env.EVENT_TOPIC}:${env.EVENT_PARTITION}`,
});
persister.start();
logger.info({ driver: handle.driver, log: env.KAFKA_BROKERS ? "kafka" : "journal" }, "persister: started");

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await persister.stop();
    await metricsServer.close();
    await log.close();
    await handle.close();
    logger.info(persister.status(), "persister: stopped");
    process.exit(0);
  });
}
