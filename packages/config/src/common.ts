/**
 * The pieces every process's environment is built from: one definition of each shared key, so the
 * engine, API, stream, persister and the one-process platform read LOG_LEVEL, DATA_DIR, the
 * transport names and the topic settings the same way. Plain zod, no framework (docs/operations.md).
 */
import { shardIdSchema, shardMapSchema, transportDefaults } from "@ox/contracts/pipeline";
import { checkShardMap, type ShardMap } from "@ox/engine/shards";
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
  /**
   * Prepended to every pub/sub channel and KV key (sessions, dead-man switches, caches) a deployment
   * uses on Redis, so several deployments can share one Redis server; every process of a deployment
   * must agree. Streams are named by ENGINE_COMMAND_STREAM, rate-limit buckets by RATE_LIMIT_PREFIX.
   * Default: none (the names as they always were).
   */
  REDIS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9:._-]*$/, "letters, digits and : . _ - only")
    .default(""),
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

/**
 * SHARD_MAP: the versioned shard map as JSON (packages/engine README "Topology"). Absent or empty:
 * no sharding, today's single engine (the default).
 */
export const shardMapField = z
  .string()
  .trim()
  .optional()
  .transform((raw, ctx): ShardMap | undefined => {
    if (raw === undefined || raw === "") return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: "not JSON" });
      return z.NEVER;
    }
    const parsed = shardMapSchema.safeParse(json);
    if (!parsed.success) {
      for (const i of parsed.error.issues)
        ctx.addIssue({ code: "custom", message: `${i.path.join(".") || "map"}: ${i.message}` });
      return z.NEVER;
    }
    try {
      return checkShardMap(parsed.data);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });

/** Keys of a process that knows the shard map (API, persister, engine). */
export const shardFields = { SHARD_MAP: shardMapField };

/** SHARD (engine only): the one shard this process runs, `m<k>` or `r<k>`; needs SHARD_MAP. */
export const shardField = z
  .string()
  .trim()
  .optional()
  .transform((s) => (s === "" ? undefined : s))
  .pipe(shardIdSchema.optional());

/** The map names the shard: SHARD set needs SHARD_MAP, and its index inside the map's counts. */
export function checkShardInMap(
  env: { SHARD?: string; SHARD_MAP?: ShardMap },
  ctx: { addIssue(issue: { code: "custom"; path: string[]; message: string }): void },
): void {
  if (env.SHARD === undefined) return;
  const map = env.SHARD_MAP;
  if (map === undefined) {
    ctx.addIssue({ code: "custom", path: ["SHARD"], message: "SHARD needs SHARD_MAP" });
    return;
  }
  const k = Number(env.SHARD.slice(1));
  const n = env.SHARD.startsWith("m") ? map.matchingShards : map.riskShards;
  if (k >= n)
    ctx.addIssue({
      code: "custom",
      path: ["SHARD"],
      message: `${env.SHARD} is not in shard map v${map.version} (${map.matchingShards} matching × ${map.riskShards} risk)`,
    });
}
