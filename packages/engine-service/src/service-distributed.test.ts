import { randomUUID } from "node:crypto";
import { createKafkaLog, createRedisPubSub, createRedisStreamQueue } from "@ox/bus";
import type { CommandEnvelope, LoggedRecord } from "@ox/contracts/pipeline";
import { type AdapterSet, silentLogger } from "@ox/engine-service/testing";
import Redis from "ioredis";
import { batchEnvelopeSuite } from "./batch.suite.ts";
import { engineServiceSuite } from "./service.suite.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");

const adapters = async (): Promise<AdapterSet> => {
  const run = randomUUID().slice(0, 8);
  const stream = `test:engine-service:${run}:commands`;
  const topic = `test.engine-service.${run}.events`;
  return {
    name: "distributed",
    queue: (consumer = "engine-0") =>
      createRedisStreamQueue<CommandEnvelope>({
        url: REDIS_URL,
        stream,
        group: "engine",
        consumer,
        logger: silentLogger,
        foldAcksIntoReads: true, // as adapters.ts opens the engine's queue
      }),
    log: () => createKafkaLog<LoggedRecord>({ brokers: KAFKA_BROKERS, topic, logger: silentLogger }),
    // Its own channels (queries, replies, events): other engines on the machine's Redis answer
    // the shared query channel too.
    pubsub: () => createRedisPubSub(REDIS_URL, { logger: silentLogger, prefix: `test.${run}:` }),
    cleanup: async () => {
      const redis = new Redis(REDIS_URL);
      await redis.del(stream);
      await redis.quit();
    },
  };
};

engineServiceSuite("distributed adapters (Redis Stream group, Kafka log, Redis pub/sub)", adapters);
batchEnvelopeSuite("distributed adapters (Redis Stream group, Kafka log, Redis pub/sub)", adapters);
// The distributed engine's default: one LogBatch record per group commit.
const batched = "distributed adapters, LogBatch records (one per group commit)";
engineServiceSuite(batched, adapters, { logFormat: "batch" });
batchEnvelopeSuite(batched, adapters, { logFormat: "batch" });
