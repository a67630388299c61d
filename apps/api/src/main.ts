/**
 * The API process (distributed mode, docs/architecture.md#processes): stateless, run N of them. Commands go onto the Redis
 * Stream the engine consumes; replies come back on this instance's pub/sub channel; live reads go to
 * the engine over pub/sub; the outbox relay runs here (every replica may run it: the engine
 * deduplicates by outbox id). Configured by the environment only (@ox/config api.ts).
 * SIGTERM/SIGINT drain and exit 0; a fatal error exits 1.
 */
import { checkRedisDurability, createAdapters, isTransientError } from "@ox/bus";
import { type Env, ensureDevSecrets, parseApiProcessEnv } from "@ox/config";
import { createDb } from "@ox/db";
import { describeShardMap } from "@ox/engine/shards";
import {
  createRemoteEngineReader,
  createShardedCommandQueue,
  shardedPersisterHealth,
} from "@ox/engine-client";
import { createLogger } from "@ox/logger";
import { createMetricsRegistry } from "@ox/metrics";
import { createApiRuntime } from "./runtime.ts";

let env: Env & { REDIS_URL: string; DATABASE_URL: string };
try {
  env = ensureDevSecrets(parseApiProcessEnv());
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
}
const logger = createLogger({ level: env.LOG_LEVEL }).child({ process: "api", instanceId: env.INSTANCE_ID });

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
  const database = await createDb({
    url: env.DATABASE_URL,
    readUrl: env.DATABASE_READ_URL,
    migrate: env.DB_MIGRATE,
  });
  void checkRedisDurability(env.REDIS_URL, logger); // warns when a restart would lose sessions and queued commands
  const adapters = createAdapters(env, { instanceId: env.INSTANCE_ID, logger });
  const kv = adapters.kv;
  const pubsub = adapters.pubsub();
  /** A sharded deployment (SHARD_MAP): commands to each shard's stream, reads joined across shards. */
  const shardMap = env.SHARD_MAP;
  const commandQueue = shardMap
    ? createShardedCommandQueue(shardMap, (shard) => adapters.producerQueue(shard))
    : adapters.producerQueue();
  const reader = createRemoteEngineReader({ pubsub, instanceId: env.INSTANCE_ID, shardMap });
  if (shardMap) logger.info({ shardMap }, describeShardMap(shardMap));
  const api = createApiRuntime({
    env,
    db: database.db,
    readDb: database.read,
    kv,
    commandQueue,
    pubsub,
    reader,
    instanceId: env.INSTANCE_ID,
    shardMap,
    ...(shardMap && {
      persisterHealth: shardedPersisterHealth({
        db: database.db,
        map: shardMap,
        topic: env.EVENT_TOPIC,
        reader,
        maxLag: env.PERSISTER_MAX_LAG,
        stuckAfterMs: env.PERSISTER_STUCK_MS,
      }),
    }),
    logger,
    webDist: env.WEB_DIST,
    metricsRegistry: env.METRICS === "on" ? createMetricsRegistry() : undefined,
  });
  const server = Bun.serve({
    port: env.PORT,
    hostname: env.HOST ?? "0.0.0.0",
    reusePort: env.REUSE_PORT === "true",
    fetch: (req, srv) => api.fetch(req, srv),
    // The trading socket (GET /api/v1/ws): the API upgrades the request itself.
    websocket: api.tradingSocket.websocket,
  });
  api.publicOrigins.listening(server.port ?? env.PORT);
  api.start();
  logger.info(
    { port: server.port, stream: env.ENGINE_COMMAND_STREAM, web: Boolean(env.WEB_DIST) },
    "api listening",
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "api stopping");
    try {
      // Bun's stop() waits for open WebSockets: the trading socket closes its own first (1001).
      const stopped = server.stop();
      await api.tradingSocket.close();
      await stopped;
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
