import Redis from "ioredis";
import { kvContract } from "./kv.contract.ts";
import { createRedisKv } from "./redis-kv.ts";
import { uniqueName } from "./test-util.ts";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

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
