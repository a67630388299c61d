import type { Kv } from "./ports.ts";

const READ_CACHE_MS = 5_000;
const WRITE_CACHE_MS = 600_000;

interface Cached {
  value: string | null;
  expiresAtMs: number;
}

/**
 * A memory cache in front of a durable Kv, for a process that is the Kv's only user (embedded mode:
 * sessions and rate limits live in a table so they survive restarts, but reads — one per
 * authenticated request — are answered from memory, keeping the database off the order path).
 * Writes go to the durable Kv first, then to the cache. Not for Kvs shared between processes.
 */
export function createWriteThroughKv(
  durable: Kv,
  options: { nowMs?: () => number; maxEntries?: number } = {},
): Kv {
  const nowMs = options.nowMs ?? Date.now;
  const maxEntries = options.maxEntries ?? 100_000;
  const cache = new Map<string, Cached>();
  const expiry = (ttlMs?: number) => (ttlMs === undefined ? Number.POSITIVE_INFINITY : nowMs() + ttlMs);
  const remember = (key: string, value: string | null, expiresAtMs: number) => {
    if (cache.size >= maxEntries && !cache.has(key)) cache.delete(cache.keys().next().value as string);
    cache.set(key, { value, expiresAtMs });
  };
  const fresh = (key: string) => {
    const hit = cache.get(key);
    if (hit && hit.expiresAtMs <= nowMs()) {
      cache.delete(key);
      return undefined;
    }
    return hit;
  };

  return {
    async get(key) {
      const hit = fresh(key);
      if (hit) return hit.value;
      const value = await durable.get(key);
      // The durable Kv does not say how long a value has left, so a read is kept only briefly: a key
      // may outlive its natural expiry by at most this much. Our own writes and deletes are exact.
      remember(key, value, nowMs() + READ_CACHE_MS);
      return value;
    },
    async set(key, value, ttlMs) {
      await durable.set(key, value, ttlMs);
      remember(key, value, Math.min(expiry(ttlMs), nowMs() + WRITE_CACHE_MS));
    },
    async setIfAbsent(key, value, ttlMs) {
      const set = await durable.setIfAbsent(key, value, ttlMs);
      cache.delete(key);
      return set;
    },
    async del(key) {
      cache.delete(key);
      return durable.del(key);
    },
    async incr(key, ttlMs, by) {
      cache.delete(key);
      return durable.incr(key, ttlMs, by);
    },
    async close() {
      cache.clear();
      await durable.close();
    },
  };
}
