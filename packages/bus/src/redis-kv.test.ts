import Redis from "ioredis";
import { kvContract } from "./kv.contract.ts";
import { createRedisKv } from "./redis-kv.ts";
import { REDIS_URL, uniqueName } from "./test-util.ts";

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
