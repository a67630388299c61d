/**
 * The API process (distributed mode, SPEC §5): stateless, run N of them. Commands go onto the Redis
 * Stream the engine consumes; replies come back on this instance's pub/sub channel; live reads go to
 * the engine over pub/sub; the outbox relay runs here (every replica may run it: the engine
 * deduplicates by outbox id). Configured by the environment only (env.ts plus the keys below).
 * SIGTERM/SIGINT drain and exit 0; a fatal error exits 1.
 */
import { hostname } from "node:os";
import { createRedisKv, createRedisPubSub, createRedisStreamQueue, isTransientError } from "@ox/bus";
import { type CommandEnvelope, transportDefaults } from "@ox/contracts/pipeline";
import { createDb } from "@ox/db";
import { createRemoteEngineReader } from "@ox/engine-client";
import { z } from "zod";
import { EnvError, loadEnv } from "./env.ts";
import { createLogger } from "./logger.ts";
import { createApiRuntime } from "./runtime.ts";

const processEnv = z
  .object({
    REDIS_URL: z.string().url(),
    DATABASE_URL: z.string().url(),
    HOST: z.string().default("0.0.0.0"),
    /** Names this replica's reply channels; must differ between replicas (the default does). */
    INSTANCE_ID: z
      .string()
      .min(1)
      .default(`api-${hostname()}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`),
    ENGINE_COMMAND_STREAM: z.string().default(transportDefaults.commandStream),
    ENGINE_GROUP: z.string().default(transportDefaults.engineGroup),
    ENGINE_TIMEOUT_MS: z.coerce.number().int().positive().default(2_000),
    WEB_DIST: z.string().optional(),
    DB_MIGRATE: z.enum(["true", "false"]).default("true"),
  })
  .safeParse(process.env);

let env: ReturnType<typeof loadEnv>;
try {
  env = loadEnv();
  if (!processEnv.success)
    throw new EnvError(processEnv.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
}
const own = processEnv.data;
const logger = createLogger({ level: env.LOG_LEVEL }).child({ process: "api", instanceId: own.INSTANCE_ID });

const fatal = (err: unknown, what: string) => {
  logger.fatal({ err }, what);
  process.exit(1);
};
// A rejection nobody handled is a bug, but one from a Redis/Postgres hiccup must not take every
// replica down with it: log it and serve on. Anything else is still fatal (the supervisor restarts).
process.on("unhandledRejection", (err) => {
  if (isTransientError(err) || (err as Error)?.name === "EngineTimeoutError") {
    logger.error({ err }, "unhandled rejection from a dependency; serving on");
    return;
  }
  fatal(err, "unhandled rejection");
});

try {
  const database = await createDb({ url: own.DATABASE_URL, migrate: own.DB_MIGRATE === "true" });
  const kv = createRedisKv({ url: own.REDIS_URL });
  const pubsub = createRedisPubSub<unknown>(own.REDIS_URL, { logger });
  const commandQueue = createRedisStreamQueue<CommandEnvelope>({
    url: own.REDIS_URL,
    stream: own.ENGINE_COMMAND_STREAM,
    group: own.ENGINE_GROUP,
    consumer: `producer-${own.INSTANCE_ID}`,
    logger,
  });
  const reader = createRemoteEngineReader({ pubsub, instanceId: own.INSTANCE_ID });
  const api = createApiRuntime({
    env,
    db: database.db,
    kv,
    commandQueue,
    pubsub,
    reader,
    instanceId: own.INSTANCE_ID,
    logger,
    webDist: own.WEB_DIST,
  });
  const server = Bun.serve({ port: env.PORT, hostname: own.HOST, fetch: (req, srv) => api.fetch(req, srv) });
  api.start();
  logger.info(
    { port: server.port, stream: own.ENGINE_COMMAND_STREAM, web: Boolean(own.WEB_DIST) },
    "api listening",
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "api stopping");
    try {
      await server.stop();
      await api.stop();
      await reader.close();
      await Promise.allSettled([commandQueue.close(), pubsub.close(), kv.close()]);
      await database.close();
      process.exit(0);
    } catch (err) {
      fatal(err, "shutdown failed");
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
} catch (err) {
  fatal(err, "api failed to start");
}
