/**
 * Picks the adapter of every port from the environment (SPEC §7): absent REDIS_URL / KAFKA_BROKERS mean
 * the embedded ones (in-process queue, pub/sub and KV; fsync'd file journal). The processes never
 * know which they got.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type CommandQueue,
  createFileJournal,
  createKafkaLog,
  createMemoryKv,
  createMemoryPubSub,
  createMemoryPubSubHub,
  createMemoryQueue,
  createMemoryStream,
  createRedisKv,
  createRedisPubSub,
  createRedisStreamQueue,
  type EventLog,
  type Kv,
  type PubSub,
} from "@ox/bus";
import { type CommandEnvelope, type LogRecord, transportDefaults } from "@ox/contracts/pipeline";
import type { Logger } from "pino";

export interface AdapterEnv {
  dataDir: string;
  redisUrl?: string;
  kafkaBrokers?: string;
  /** Names this process in the Redis consumer group. */
  instanceId: string;
}

export interface Adapters {
  mode: { queue: "memory" | "redis"; log: "file" | "kafka" };
  /** The engine's side of the command queue (consumer). */
  engineQueue(): CommandQueue<CommandEnvelope>;
  /** A producer's side (API, outbox relay). */
  producerQueue(): CommandQueue<CommandEnvelope>;
  log(): Promise<EventLog<LogRecord>>;
  pubsub(): PubSub<unknown>;
  kv: Kv;
}

export const COMMAND_STREAM = transportDefaults.commandStream;
export const ENGINE_GROUP = transportDefaults.engineGroup;
export const EVENT_TOPIC = transportDefaults.eventTopic;

export function createAdapters(env: AdapterEnv, logger: Logger): Adapters {
  const memoryStream = createMemoryStream();
  const hub = createMemoryPubSubHub();
  const redisQueue = (consumer: string) =>
    createRedisStreamQueue<CommandEnvelope>({
      url: env.redisUrl ?? "",
      stream: COMMAND_STREAM,
      group: ENGINE_GROUP,
      consumer,
      logger,
    });

  return {
    mode: { queue: env.redisUrl ? "redis" : "memory", log: env.kafkaBrokers ? "kafka" : "file" },
    engineQueue: () =>
      env.redisUrl
        ? redisQueue("engine-0")
        : createMemoryQueue<CommandEnvelope>({ stream: memoryStream, consumer: "engine-0" }),
    producerQueue: () =>
      env.redisUrl
        ? redisQueue(`producer-${env.instanceId}`)
        : createMemoryQueue<CommandEnvelope>({
            stream: memoryStream,
            consumer: `producer-${env.instanceId}`,
          }),
    async log() {
      if (env.kafkaBrokers) {
        return createKafkaLog<LogRecord>({
          brokers: env.kafkaBrokers.split(",").map((b) => b.trim()),
          topic: EVENT_TOPIC,
          clientId: `ox-${env.instanceId}`,
          logger,
        });
      }
      const dir = join(env.dataDir, "journal");
      mkdirSync(dir, { recursive: true });
      return createFileJournal<LogRecord>({ path: join(dir, "events.journal"), logger });
    },
    pubsub: () =>
      env.redisUrl
        ? createRedisPubSub<unknown>(env.redisUrl, { logger })
        : createMemoryPubSub<unknown>({ hub }),
    kv: env.redisUrl ? createRedisKv({ url: env.redisUrl }) : createMemoryKv(),
  };
}
