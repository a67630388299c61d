import { kvContract, REDIS_URL, uniqueName } from "@ox/bus/testing";
import Redis from "ioredis";
import { createRedisKv } from "./redis-kv.ts";

kvContract("redis", async () => {
  const prefix = `${uniqueName("test-kv")}:`;
  const kv = createRedisKv({ url: REDIS_URL, prefix });
  return {
    kv,
    cleanup: async () => {
      await kv.close();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
});
