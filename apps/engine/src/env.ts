import { transportDefaults } from "@ox/contracts/pipeline";
import { z } from "zod";

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** The distributed engine process's configuration, parsed once at boot (SPEC §7). */
export const engineEnvSchema = z.object({
  REDIS_URL: z.string().url(),
  KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform((value) => value.split(",").map((broker) => broker.trim())),
  DATA_DIR: z.string().default("./data"),
  ENGINE_COMMAND_STREAM: z.string().default(transportDefaults.commandStream),
  ENGINE_GROUP: z.string().default(transportDefaults.engineGroup),
  ENGINE_CONSUMER: z.string().default("engine-0"),
  EVENT_TOPIC: z.string().default(transportDefaults.eventTopic),
  ENGINE_BATCH_MAX: int(500),
  /** Encoded bytes per produce request; a batch above it is split (keep it under message.max.bytes). */
  KAFKA_MAX_REQUEST_BYTES: int(512 * 1024),
  /** How long one append retries through broker loss / leader election before the engine rebuilds. */
  KAFKA_RETRY_FOR_MS: int(30_000),
  /**
   * Event topic settings, applied when the topic is created. Unset: RF 3 / min ISR 2 on a cluster
   * of 3+ brokers, RF = brokers / min ISR 1 below that (the single-broker dev script: 1 / 1).
   */
  EVENT_TOPIC_PARTITIONS: int(1),
  EVENT_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().positive().optional(),
  EVENT_TOPIC_MIN_INSYNC_REPLICAS: z.coerce.number().int().positive().optional(),
  SNAPSHOT_EVERY_COMMANDS: int(100_000),
  SNAPSHOT_EVERY_MS: int(60_000),
  SNAPSHOT_KEEP: int(3),
  /** How long (command time) the engine remembers clientOrderIds and CREDIT/DEBIT refs: 24 h. */
  ENGINE_DEDUPE_WINDOW_MS: int(86_400_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type EngineEnv = z.infer<typeof engineEnvSchema>;

export function parseEngineEnv(source: Record<string, string | undefined> = process.env): EngineEnv {
  const parsed = engineEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    throw new Error(`engine configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
