import Redis from "ioredis";
import { pubSubContract } from "./pubsub.contract.ts";
import { queueContract } from "./queue.contract.ts";
import { createRedisPubSub } from "./redis-pubsub.ts";
import { createRedisStreamQueue } from "./redis-stream-queue.ts";
import { REDIS_URL, uniqueName } from "./test-util.ts";

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
