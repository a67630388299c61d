import { pubSubContract, queueContract, REDIS_URL, uniqueName } from "@ox/bus/testing";
import Redis from "ioredis";
import { createRedisPubSub } from "./redis-pubsub.ts";
import { createRedisStreamQueue } from "./redis-stream-queue.ts";

pubSubContract("redis", async () => ({
  connect: () => createRedisPubSub(REDIS_URL),
  cleanup: async () => {},
}));

queueContract("redis streams", async () => {
  const stream = uniqueName("test-commands");
  return {
    open: async (consumer, options) =>
      createRedisStreamQueue({ url: REDIS_URL, stream, group: "engine", consumer, ...options }),
    cleanup: async () => {
      const redis = new Redis(REDIS_URL);
      await redis.del(stream);
      await redis.quit();
    },
  };
});

// As the single engine opens it (adapters.ts): acks folded into the next read.
queueContract("redis streams, acks folded into reads", async () => {
  const stream = uniqueName("test-commands");
  return {
    open: async (consumer, options) =>
      createRedisStreamQueue({
        url: REDIS_URL,
        stream,
        group: "engine",
        consumer,
        foldAcksIntoReads: true,
        ...options,
      }),
    cleanup: async () => {
      const redis = new Redis(REDIS_URL);
      await redis.del(stream);
      await redis.quit();
    },
  };
});
