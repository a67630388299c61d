/**
 * The distributed engine process: Redis Stream consumer group in, Kafka out, Redis pub/sub for replies,
 * events and queries, snapshots in DATA_DIR/snapshots. Configured by the environment (@ox/config engine.ts).
 * SIGTERM/SIGINT: finish the batch in hand, snapshot, close. A fatal error exits 1; restart recovers.
 */
import { join } from "node:path";
import { checkRedisDurability, createAdapters, retryUntilOpen } from "@ox/bus";
import { parseEngineEnv, secureDataDir } from "@ox/config";
import {
  createEngineMetrics,
  createEngineService,
  createFileSnapshotStore,
  ReplayDivergedError,
} from "@ox/engine-service";
import { createLogger } from "@ox/logger";
import { createMetricsRegistry, serveMetrics } from "@ox/metrics";

const env = parseEngineEnv();
secureDataDir(env.DATA_DIR); // snapshots hold every account's balances: 0700 / 0600
if (env.SHARD !== undefined && env.SHARD_MAP !== undefined) {
  // One shard of the sharded engine (SHARD=m0…, r0…): its own stream, log and snapshots.
  const { runShard } = await import("./shard-main.ts");
  await runShard(env, env.SHARD, env.SHARD_MAP);
} else await runSingle();

async function runSingle() {
  const logger = createLogger({ level: env.LOG_LEVEL, service: "engine" });
  void checkRedisDurability(env.REDIS_URL, logger); // warns when Redis would lose the queue on restart
  const adapters = createAdapters(env, {
    instanceId: env.ENGINE_CONSUMER,
    engineConsumer: env.ENGINE_CONSUMER,
    logger,
  });
  // Replies and events go out in the same write as the next read and the acks (enginePorts).
  const { queue, pubsub } = adapters.enginePorts();
  const log = await retryUntilOpen("event log", logger, () => adapters.log());
  const registry = createMetricsRegistry();
  const metricsServer = await serveMetrics({ registry, port: env.METRICS_PORT });
  logger.info({ port: metricsServer.port }, "engine metrics at /metrics");
  const service = createEngineService({
    queue,
    log,
    pubsub,
    snapshots: createFileSnapshotStore({ dir: join(env.DATA_DIR, "snapshots"), keep: env.SNAPSHOT_KEEP }),
    logger,
    batchMax: env.ENGINE_BATCH_MAX,
    logFormat: env.ENGINE_LOG_FORMAT,
    snapshotEveryCommands: env.SNAPSHOT_EVERY_COMMANDS,
    snapshotEveryMs: env.SNAPSHOT_EVERY_MS,
    serveQueries: true,
    engineConfig: { dedupeWindowMs: env.ENGINE_DEDUPE_WINDOW_MS },
    metrics: env.METRICS === "on" ? createEngineMetrics(registry) : undefined,
  });

  const closePorts = () =>
    Promise.allSettled([queue.close(), log.close(), pubsub.close(), metricsServer.close()]);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "engine stopping");
    await service.stop();
    await closePorts();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  // Kafka down at start is waited out like Kafka down later: recovery reads the log, so retry it.
  const recovered = await retryUntilOpen(
    "engine recovery",
    logger,
    () => service.start(),
    (err) => err instanceof ReplayDivergedError,
  );
  logger.info(
    {
      replayed: recovered.replayed,
      snapshotOffset: recovered.snapshotOffset,
      startupMs: recovered.elapsedMs,
    },
    "engine consuming commands",
  );
  service.done.catch(async () => {
    await closePorts();
    process.exit(1);
  });
}
