/**
 * The pieces every process's environment is built from: one definition of each shared key, so the
 * engine, API, stream, persister and the one-process platform read LOG_LEVEL, DATA_DIR, the
 * transport names and the topic settings the same way. Plain zod, no framework (docs/operations.md).
 */
import { transportDefaults } from "@ox/contracts/pipeline";
import { z } from "zod";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export const logLevel = z.enum(LOG_LEVELS).default("info");
export type LogLevel = (typeof LOG_LEVELS)[number];

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
/** GET /metrics (Prometheus) of a process without an HTTP port of its own; 0 = any free port (logged). */
export const metricsPort = (fallback: number) => ({ METRICS_PORT: port(fallback) });
export const paise = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

/** A comma-separated list; blanks dropped. */
export const csv = z
  .string()
  .default("")
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );

/** An empty string means unset (compose files pass `KEY=` for "use the embedded default"). */
export const optionalUrl = z
  .string()
  .trim()
  .transform((s) => (s === "" ? undefined : s))
  .pipe(z.string().url().optional())
  .optional();

/** Keys every process kind reads. */
export const baseFields = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATA_DIR: z.string().default("./data"),
  LOG_LEVEL: logLevel,
  /**
   * `off` records no ox_ metric (HTTP, engine, persister, stream, business) and the API serves no
   * /metrics: only for measuring what recording costs (`npm run bench:metrics`). METRICS_PORT still
   * serves the process metrics, since probes use it.
   */
  METRICS: z.enum(["on", "off"]).default("on"),
};

/** Names of the command stream, its consumer group and the event topic (docs/architecture.md#transport). */
export const transportFields = {
  ENGINE_COMMAND_STREAM: z.string().default(transportDefaults.commandStream),
  ENGINE_GROUP: z.string().default(transportDefaults.engineGroup),
  EVENT_TOPIC: z.string().default(transportDefaults.eventTopic),
  EVENT_PARTITION: z.coerce.number().int().nonnegative().default(0),
};

/**
 * Event topic settings, applied by whichever process creates the topic first. Unset: RF 3 / min ISR 2
 * on a cluster of 3+ brokers, RF = brokers / min ISR 1 below that (the single-broker dev script: 1 / 1).
 */
export const topicFields = {
  EVENT_TOPIC_PARTITIONS: positiveInt(1),
  EVENT_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().positive().optional(),
  EVENT_TOPIC_MIN_INSYNC_REPLICAS: z.coerce.number().int().positive().optional(),
};

export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid environment:\n  ${issues.join("\n  ")}`);
    this.name = "EnvError";
  }
}

export type Source = Record<string, string | undefined>;

/** Parse once, at boot; every problem is listed in one EnvError. */
export function parseWith<S extends z.ZodType>(schema: S, source: Source): z.infer<S> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  return parsed.data;
}
