/**
 * Picks the adapter of every port from the parsed environment (docs/operations.md#configuration):
 * absent REDIS_URL / KAFKA_BROKERS mean the embedded ones (in-process queue, pub/sub and KV;
 * fsync'd file journal). Every process kind (engine, API, stream, persister) and the one-process
 * platform build their ports here, so they honour the same stream, group and topic names.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type CommandEnvelope, type LoggedRecord, transportDefaults } from "@ox/contracts/pipeline";
import { createFileJournal } from "./file-journal.ts";
import { createKafkaLog } from "./kafka-log.ts";
import type { Logger } from "./logger.ts";
import { createMemoryKv } from "./memory-kv.ts";
import { createMemoryPubSub, createMemoryPubSubHub } from "./memory-pubsub.ts";
import { createMemoryQueue, createMemoryStream } from "./memory-queue.ts";
import type { CommandQueue, EventLog, Kv, PubSub } from "./ports.ts";
import { createRedisKv } from "./redis-kv.ts";
import { createRedisPubSub } from "./redis-pubsub.ts";
import { createRedisStreamQueue } from "./redis-stream-queue.ts";

/** The environment keys the adapters read (any process's parsed env has them). */
export interface AdapterEnv {
  DATA_DIR: string;
  REDIS_URL?: string;
  KAFKA_BROKERS?: string | string[];
  ENGINE_COMMAND_STREAM?: string;
  ENGINE_GROUP?: string;
  EVENT_TOPIC?: string;
  EVENT_PARTITION?: number;
  EVENT_TOPIC_PARTITIONS?: number;
  EVENT_TOPIC_REPLICATION_FACTOR?: number;
  EVENT_TOPIC_MIN_INSYNC_REPLICAS?: number;
  KAFKA_MAX_REQUEST_BYTES?: number;
  KAFKA_RETRY_FOR_MS?: number;
  KAFKA_COMPRESSION?: "zstd" | "gzip" | "none";
  KAFKA_FETCH_MIN_BYTES?: number;
  KAFKA_FETCH_MAX_WAIT_MS?: number;
  /** Prepended to this deployment's pub/sub channels and KV keys on Redis (default none). */
  REDIS_NAMESPACE?: string;
}

export interface AdapterOptions {
  /** Names this process in the Redis consumer group and to Kafka. */
  instanceId: string;
  /** The engine's consumer name in the command group; default `engine-0`. */
  engineConsumer?: string;
  logger: Logger;
}

export interface Adapters {
  mode: { queue: "memory" | "redis"; log: "file" | "kafka" };
  /** The engine's side of the command queue (consumer). */
  engineQueue(): CommandQueue<CommandEnvelope>;
  /**
   * The single engine's queue and pub/sub together: on Redis its publishes (replies, events) go in
   * the same write as the next read of the queue, with the acks (RedisStreamQueue.publish).
   */
  enginePorts(): { queue: CommandQueue<CommandEnvelope>; pubsub: PubSub<unknown> };
  /**
   * A producer's side (API, outbox relay). With `shard`, the stream `${ENGINE_COMMAND_STREAM}.${shard}`
   * of that engine shard (a sharded deployment, SHARD_MAP); Redis only.
   */
  producerQueue(shard?: string): CommandQueue<CommandEnvelope>;
  /** The single engine's log: LogRecords, and LogBatches where the engine writes them (ENGINE_LOG_FORMAT). */
  log(): Promise<EventLog<LoggedRecord>>;
  pubsub(): PubSub<unknown>;
  kv: Kv;
}

const brokerList = (brokers: string | string[]) =>
  (Array.isArray(brokers) ? brokers : brokers.split(",")).map((b) => b.trim()).filter(Boolean);

export function createAdapters(env: AdapterEnv, options: AdapterOptions): Adapters {
  const { instanceId, logger } = options;
  const engineConsumer = options.engineConsumer ?? "engine-0";
  const stream = env.ENGINE_COMMAND_STREAM ?? transportDefaults.commandStream;
  const group = env.ENGINE_GROUP ?? transportDefaults.engineGroup;
  const topic = env.EVENT_TOPIC ?? transportDefaults.eventTopic;
  const brokers = env.KAFKA_BROKERS ? brokerList(env.KAFKA_BROKERS) : [];
  const memoryStream = createMemoryStream();
  const hub = createMemoryPubSubHub();
  const redisQueue = (consumer: string, shard?: string, foldAcksIntoReads = false) =>
    createRedisStreamQueue<CommandEnvelope>({
      url: env.REDIS_URL ?? "",
      stream: shard === undefined ? stream : `${stream}.${shard}`,
      group,
      consumer,
      logger,
      foldAcksIntoReads,
    });
  let kv: Kv | undefined;
  const redisPubSub = (publishVia?: (channel: string, text: string) => Promise<void>) =>
    createRedisPubSub<unknown>(env.REDIS_URL ?? "", { logger, prefix: env.REDIS_NAMESPACE, publishVia });

  const adapters: Adapters = {
    mode: { queue: env.REDIS_URL ? "redis" : "memory", log: brokers.length > 0 ? "kafka" : "file" },
    engineQueue: () =>
      env.REDIS_URL
        ? redisQueue(engineConsumer, undefined, true) // the single engine: ack and read in one write
        : createMemoryQueue<CommandEnvelope>({ stream: memoryStream, consumer: engineConsumer }),
    enginePorts() {
      if (!env.REDIS_URL) return { queue: adapters.engineQueue(), pubsub: adapters.pubsub() };
      const queue = redisQueue(engineConsumer, undefined, true);
      return { queue, pubsub: redisPubSub((channel, text) => queue.publish(channel, text)) };
    },
    producerQueue: (shard?: string) => {
      if (shard !== undefined && !env.REDIS_URL) throw new Error("a sharded deployment needs REDIS_URL");
      return env.REDIS_URL
        ? redisQueue(`producer-${instanceId}`, shard)
        : createMemoryQueue<CommandEnvelope>({ stream: memoryStream, consumer: `producer-${instanceId}` });
    },
    async log() {
      if (brokers.length > 0) {
        return createKafkaLog<LoggedRecord>({
          brokers,
          topic,
          partition: env.EVENT_PARTITION,
          clientId: instanceId,
          logger,
          maxRequestBytes: env.KAFKA_MAX_REQUEST_BYTES,
          retryForMs: env.KAFKA_RETRY_FOR_MS,
          compression: env.KAFKA_COMPRESSION,
          fetch: { minBytes: env.KAFKA_FETCH_MIN_BYTES, maxWaitMs: env.KAFKA_FETCH_MAX_WAIT_MS },
          createTopic: {
            partitions: env.EVENT_TOPIC_PARTITIONS ?? 1,
            replicationFactor: env.EVENT_TOPIC_REPLICATION_FACTOR,
            minInsyncReplicas: env.EVENT_TOPIC_MIN_INSYNC_REPLICAS,
          },
        });
      }
      const dir = join(env.DATA_DIR, "journal");
      mkdirSync(dir, { recursive: true });
      return createFileJournal<LoggedRecord>({ path: join(dir, "events.journal"), logger });
    },
    pubsub: () => (env.REDIS_URL ? redisPubSub() : createMemoryPubSub<unknown>({ hub })),
    get kv() {
      kv ??= env.REDIS_URL
        ? createRedisKv({ url: env.REDIS_URL, prefix: env.REDIS_NAMESPACE })
        : createMemoryKv();
      return kv;
    },
  };
  return adapters;
}
