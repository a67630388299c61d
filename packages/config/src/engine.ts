import { z } from "zod";
import {
  baseFields,
  checkShardInMap,
  metricsPort,
  parseWith,
  positiveInt,
  type Source,
  shardField,
  shardFields,
  topicFields,
  transportFields,
} from "./common.ts";

/** The distributed engine process's configuration, parsed once at boot (docs/operations.md#configuration). */
export const engineEnvSchema = z
  .object({
    ...baseFields,
    ...transportFields,
    ...topicFields,
    REDIS_URL: z.string().url(),
    KAFKA_BROKERS: z
      .string()
      .min(1)
      .transform((value) => value.split(",").map((broker) => broker.trim())),
    ENGINE_CONSUMER: z.string().default("engine-0"),
    ENGINE_BATCH_MAX: positiveInt(500),
    /**
     * What one log record holds: `batch` (default), a group commit's commands (LogBatch, one Kafka
     * record per append); `command`, one command's (as before session 9). Readers (persister,
     * reconcile, recovery) of a commit before that cannot read `batch`: upgrade them first.
     */
    ENGINE_LOG_FORMAT: z.enum(["batch", "command"]).default("batch"),
    /** Encoded bytes per produce request; a batch above it is split (keep it under message.max.bytes). */
    KAFKA_MAX_REQUEST_BYTES: positiveInt(512 * 1024),
    /**
     * Produce-request compression: zstd (default: level 1, smaller than gzip for a quarter of its CPU;
     * brokers and readers ≥ Kafka 2.1), gzip (kafkajs's own) or none (~8× the bytes of zstd).
     */
    KAFKA_COMPRESSION: z.enum(["zstd", "gzip", "none"]).default("zstd"),
    /** How long one append retries through broker loss / leader election before the engine rebuilds. */
    KAFKA_RETRY_FOR_MS: positiveInt(30_000),
    SNAPSHOT_EVERY_COMMANDS: positiveInt(100_000),
    SNAPSHOT_EVERY_MS: positiveInt(60_000),
    SNAPSHOT_KEEP: positiveInt(3),
    /** How long (command time) the engine remembers clientOrderIds and CREDIT/DEBIT refs: 24 h. */
    ENGINE_DEDUPE_WINDOW_MS: positiveInt(86_400_000),
    ...metricsPort(9464),
    ...shardFields,
    /** Run one shard of SHARD_MAP (m<k> or r<k>) instead of the single engine. */
    SHARD: shardField,
    /** A shard: how often it learns what its peers applied (and forgets those sent envelopes). */
    SHARD_ACK_EVERY_MS: positiveInt(1_000),
    /**
     * A shard: envelopes unacknowledged this long are sent again (their stream entries may be lost:
     * a Redis restarted without persistence); the wait doubles while a link stays unacked. 0: only
     * at recovery. Keep it above an ack round trip (SHARD_ACK_EVERY_MS × 2 + a batch).
     */
    SHARD_RETRANSMIT_MS: z.coerce.number().int().nonnegative().default(5_000),
    /**
     * A shard: fence stale incarnations (an epoch per start, a fence record first in the log, the
     * envelopes and acks sent through an epoch-checking Redis script). "off" only to show the fault.
     */
    SHARD_FENCING: z.enum(["on", "off"]).default("on"),
    /**
     * Fault injection, for tests only: a shard holds every applied batch this long before appending
     * it, so a test that pauses the process lands inside that window (the fencing test). 0: never.
     */
    SHARD_FAULT_APPEND_DELAY_MS: z.coerce.number().int().nonnegative().default(0),
  })
  .superRefine(checkShardInMap);

export type EngineEnv = z.infer<typeof engineEnvSchema>;

export function parseEngineEnv(source: Source = process.env): EngineEnv {
  return parseWith(engineEnvSchema, source);
}
