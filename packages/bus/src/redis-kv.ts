import Redis from "ioredis";
import type { Kv } from "./ports.ts";

export interface RedisKvOptions {
  url: string;
  /** Prepended to every key, so several deployments or test runs can share one Redis. */
  prefix?: string;
  /** A command unanswered this long rejects (a stalled Redis); default 2 s. */
  commandTimeoutMs?: number;
}

// INCRBY and the first-hit expiry in one atomic step.
const INCR_WITH_TTL = `
local existed = redis.call('EXISTS', KEYS[1])
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

export function createRedisKv(options: RedisKvOptions): Kv {
  // Fails fast when Redis is down (3 reconnect attempts) or stalled (command timeout): callers on a
  // request path answer 503 rather than hang. ioredis reconnects by itself meanwhile.
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 3,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    enableAutoPipelining: true, // concurrent requests' session reads leave in one write
  });
  redis.on("error", () => {}); // reported per command; without a listener ioredis prints each retry
  const prefix = options.prefix ?? "";
  const k = (key: string) => prefix + key;

  return {
    async get(key) {
      return redis.get(k(key));
    },
    async set(key, value, ttlMs) {
      if (ttlMs === undefined) await redis.set(k(key), value);
      else await redis.set(k(key), value, "PX", ttlMs);
    },
    async setIfAbsent(key, value, ttlMs) {
      const reply =
        ttlMs === undefined
          ? await redis.set(k(key), value, "NX")
          : await redis.set(k(key), value, "PX", ttlMs, "NX");
      return reply === "OK";
    },
    async del(key) {
      return (await redis.del(k(key))) > 0;
    },
    async incr(key, ttlMs, by = 1) {
      const reply = await redis.eval(INCR_WITH_TTL, 1, k(key), by, ttlMs ?? 0);
      return Number(reply);
    },
    async close() {
      await redis.quit();
    },
  };
}
