import { z } from "zod";
import {
  baseFields,
  metricsPort,
  parseWith,
  positiveInt,
  type Source,
  shardFields,
  topicFields,
  transportFields,
} from "./common.ts";

/**
 * The persister process: the Kafka event log (or the embedded journal when KAFKA_BROKERS is absent)
 * into Postgres (or PGlite in DATA_DIR when DATABASE_URL is absent). docs/operations.md#configuration.
 */
export const persisterEnvSchema = z.object({
  ...baseFields,
  ...transportFields,
  // The same topic settings as the engine's (whichever process starts first creates the topic).
  ...topicFields,
  /** A sharded deployment: persist every shard's topic `${EVENT_TOPIC}.${S}` (one row of offsets each). */
  ...shardFields,
  DATABASE_URL: z.string().url().optional(),
  KAFKA_BROKERS: z.string().optional(),
  PERSISTER_BATCH_SIZE: positiveInt(1_000),
  /**
   * After a batch that was not full (caught up), wait this long before reading again, so a steady
   * stream of orders is written in batches of many records rather than one transaction per fetch.
   */
  PERSISTER_LINGER_MS: z.coerce.number().int().nonnegative().default(50),
  /**
   * The event log consumer's fetch: the broker answers once it has this many bytes or after
   * KAFKA_FETCH_MAX_WAIT_MS. With 1 MiB a fetch carries every append of its 100 ms instead of one
   * (minBytes 1: a fetch per append, and the broker's CPU follows its request count); the persister
   * lags by at most the wait. `npm run bench:e2e` distributed, same run: persister 113 → 69 CPU ms
   * per 1 000 orders, Kafka 85-106 → 35-64, engine 160 → 127 (with zstd).
   */
  KAFKA_FETCH_MIN_BYTES: positiveInt(1_048_576),
  KAFKA_FETCH_MAX_WAIT_MS: positiveInt(100),
  ...metricsPort(9465),
});

export type PersisterEnv = z.infer<typeof persisterEnvSchema>;

export function parsePersisterEnv(source: Source = process.env): PersisterEnv {
  return parseWith(persisterEnvSchema, source);
}
