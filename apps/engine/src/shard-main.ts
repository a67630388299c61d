/**
 * One shard of SHARD_MAP as a process (packages/engine README "Shard processes"): the Redis Stream
 * `${ENGINE_COMMAND_STREAM}.${SHARD}` in, the Kafka topic `${EVENT_TOPIC}.${SHARD}` out (or a file
 * journal without KAFKA_BROKERS), envelopes to the peers' streams, replies and live queries on
 * Redis pub/sub, snapshots in DATA_DIR/shards/<SHARD>/snapshots. SIGTERM/SIGINT: finish the batch
 * in hand, snapshot, close. A fatal error exits 1; a restart recovers.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  checkRedisDurability,
  createFileJournal,
  createKafkaLog,
  createRedisPubSub,
  createRedisStreamQueue,
  type EventLog,
  retryUntilOpen,
} from "@ox/bus";
import type { EngineEnv } from "@ox/config";
import {
  type ShardLogBatch,
  type ShardStreamEntry,
  shardCommandStream,
  shardEventTopic,
} from "@ox/contracts/pipeline";
import { describeShardMap, type ShardMap } from "@ox/engine/shards";
import {
  ackKey,
  createEngineMetrics,
  createFileSnapshotStore,
  createRedisAckStore,
  createRedisShardFencing,
  createShardService,
  ReplayDivergedError,
} from "@ox/engine-service";
import { createLogger } from "@ox/logger";
import { createMetricsRegistry, serveMetrics } from "@ox/metrics";

export async function runShard(env: EngineEnv, shardId: string, map: ShardMap): Promise<void> {
  const logger = createLogger({ level: env.LOG_LEVEL, service: `engine-${shardId}` });
  logger.info({ shard: shardId, map }, describeShardMap(map));
  void checkRedisDurability(env.REDIS_URL, logger);
  const dir = join(env.DATA_DIR, "shards", shardId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const queue = createRedisStreamQueue<ShardStreamEntry>({
    url: env.REDIS_URL,
    stream: shardCommandStream(env.ENGINE_COMMAND_STREAM, shardId),
    group: env.ENGINE_GROUP,
    consumer: env.ENGINE_CONSUMER,
    logger,
    // As the single engine's (adapters.ts): a batch's ack goes with the loop's next read.
    foldAcksIntoReads: true,
  });
  const peer = (to: string) =>
    createRedisStreamQueue<ShardStreamEntry>({
      url: env.REDIS_URL,
      stream: shardCommandStream(env.ENGINE_COMMAND_STREAM, to),
      group: env.ENGINE_GROUP,
      consumer: `producer-${shardId}`,
      logger,
    });
  const topic = shardEventTopic(env.EVENT_TOPIC, shardId);
  const log: EventLog<ShardLogBatch> = await retryUntilOpen("shard log", logger, async () =>
    env.KAFKA_BROKERS.length > 0 && env.KAFKA_BROKERS[0] !== ""
      ? createKafkaLog<ShardLogBatch>({
          brokers: env.KAFKA_BROKERS,
          topic,
          partition: 0,
          clientId: `engine-${shardId}`,
          logger,
          maxRequestBytes: env.KAFKA_MAX_REQUEST_BYTES,
          compression: env.KAFKA_COMPRESSION,
          retryForMs: env.KAFKA_RETRY_FOR_MS,
          createTopic: {
            partitions: 1,
            replicationFactor: env.EVENT_TOPIC_REPLICATION_FACTOR,
            minInsyncReplicas: env.EVENT_TOPIC_MIN_INSYNC_REPLICAS,
          },
        })
      : createFileJournal<ShardLogBatch>({ path: join(dir, "events.journal"), logger }),
  );
  const pubsub = createRedisPubSub<unknown>(env.REDIS_URL, { logger, prefix: env.REDIS_NAMESPACE });
  const acks = createRedisAckStore(env.REDIS_URL, env.ENGINE_COMMAND_STREAM);
  const fence =
    env.SHARD_FENCING === "on"
      ? createRedisShardFencing({ url: env.REDIS_URL, base: env.ENGINE_COMMAND_STREAM, shard: shardId })
      : null;
  const registry = createMetricsRegistry();
  const metricsServer = await serveMetrics({ registry, port: env.METRICS_PORT });
  logger.info({ port: metricsServer.port }, "engine shard metrics at /metrics");
  const service = createShardService({
    shard: shardId,
    map,
    queue,
    peer,
    log,
    pubsub,
    acks,
    snapshots: createFileSnapshotStore({ dir: join(dir, "snapshots"), keep: env.SNAPSHOT_KEEP }),
    logger,
    batchMax: env.ENGINE_BATCH_MAX,
    snapshotEveryCommands: env.SNAPSHOT_EVERY_COMMANDS,
    snapshotEveryMs: env.SNAPSHOT_EVERY_MS,
    ackEveryMs: env.SHARD_ACK_EVERY_MS,
    retransmitMs: env.SHARD_RETRANSMIT_MS,
    faultAppendDelayMs: env.SHARD_FAULT_APPEND_DELAY_MS,
    fencing: fence
      ? {
          fence,
          streamOf: (to) => shardCommandStream(env.ENGINE_COMMAND_STREAM, to),
          ackKey: ackKey(env.ENGINE_COMMAND_STREAM, shardId),
        }
      : undefined,
    serveQueries: true,
    dedupeWindowMs: env.ENGINE_DEDUPE_WINDOW_MS,
    metrics: env.METRICS === "on" ? createEngineMetrics(registry) : undefined,
  });
  const closePorts = () =>
    Promise.allSettled([
      queue.close(),
      log.close(),
      pubsub.close(),
      acks.close(),
      fence?.close(),
      metricsServer.close(),
    ]);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "engine shard stopping");
    await service.stop();
    await closePorts();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  const recovered = await retryUntilOpen(
    "shard recovery",
    logger,
    () => service.start(),
    (err) => err instanceof ReplayDivergedError || (err as { fatal?: unknown } | null)?.fatal === true,
  );
  logger.info({ shard: shardId, topic, ...recovered }, "engine shard consuming");
  service.done.catch(async () => {
    await closePorts();
    process.exit(1);
  });
}
