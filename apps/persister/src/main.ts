/**
 * The persister process (distributed mode): the Kafka event log (or the embedded file journal when
 * KAFKA_BROKERS is absent) into Postgres (or PGlite in DATA_DIR when DATABASE_URL is absent).
 */
import { join } from "node:path";
import { createFileJournal, createKafkaLog, type EventLog, retryUntilOpen } from "@ox/bus";
import { type LogRecord, transportDefaults } from "@ox/contracts/pipeline";
import { createDb } from "@ox/db";
import pino from "pino";
import { z } from "zod";
import { createPersister } from "./persister.ts";

const env = z
  .object({
    DATABASE_URL: z.string().url().optional(),
    DATA_DIR: z.string().default("./data"),
    KAFKA_BROKERS: z.string().optional(),
    EVENT_TOPIC: z.string().default(transportDefaults.eventTopic),
    EVENT_PARTITION: z.coerce.number().int().nonnegative().default(0),
    // The same topic settings as the engine's (whichever process starts first creates the topic).
    EVENT_TOPIC_PARTITIONS: z.coerce.number().int().positive().default(1),
    EVENT_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().positive().optional(),
    EVENT_TOPIC_MIN_INSYNC_REPLICAS: z.coerce.number().int().positive().optional(),
    PERSISTER_BATCH_SIZE: z.coerce.number().int().positive().default(1_000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .parse(process.env);

const logger = pino({ name: "persister", level: env.LOG_LEVEL });
// A database or a broker that is down at start is waited out here, not by a restart loop.
const handle = await retryUntilOpen("database", logger, () =>
  createDb(env.DATABASE_URL ? { url: env.DATABASE_URL, logger } : { dataDir: join(env.DATA_DIR, "pg") }),
);
const brokers = env.KAFKA_BROKERS?.split(",").map((b) => b.trim());
const log: EventLog<LogRecord> = brokers
  ? await retryUntilOpen("event log", logger, () =>
      createKafkaLog<LogRecord>({
        brokers,
        topic: env.EVENT_TOPIC,
        partition: env.EVENT_PARTITION,
        clientId: `persister-${env.EVENT_PARTITION}`,
        logger,
        createTopic: {
          partitions: env.EVENT_TOPIC_PARTITIONS,
          replicationFactor: env.EVENT_TOPIC_REPLICATION_FACTOR,
          minInsyncReplicas: env.EVENT_TOPIC_MIN_INSYNC_REPLICAS,
        },
      }),
    )
  : await createFileJournal<LogRecord>({ path: join(env.DATA_DIR, "journal", "events.journal"), logger });

const persister = createPersister({
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
    await log.close();
    await handle.close();
    logger.info(persister.status(), "persister: stopped");
    process.exit(0);
  });
}
