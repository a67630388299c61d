import type { Kv } from "./ports.ts";

interface Entry {
  value: string;
  expiresAtMs: number;
}

export interface MemoryKvOptions {
  /** The clock used for expiry; injectable so tests can move time. */
  nowMs?: () => number;
}

/** In-process Kv for embedded mode. Expired keys are dropped lazily on access and by a sweep. */
export function createMemoryKv(options: MemoryKvOptions = {}): Kv {
  const nowMs = options.nowMs ?? Date.now;
  const entries = new Map<string, Entry>();
  const expiry = (ttlMs?: number) => (ttlMs === undefined ? Number.POSITIVE_INFINITY : nowMs() + ttlMs);
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAtMs <= nowMs()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const sweep = setInterval(() => {
    for (const key of entries.keys()) live(key);
  }, 60_000);
  sweep.unref?.();

  return {
    async get(key) {
      return live(key)?.value ?? null;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value, expiresAtMs: expiry(ttlMs) });
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      entries.set(key, { value, expiresAtMs: expiry(ttlMs) });
      return true;
    },
    async del(key) {
      const existed = live(key) !== undefined;
      entries.delete(key);
      return existed;
    },
    async incr(key, ttlMs, by = 1) {
      const entry = live(key);
      if (!entry) {
        entries.set(key, { value: String(by), expiresAtMs: expiry(ttlMs) });
        return by;
      }
      const current = Number(entry.value);
      if (!Number.isSafeInteger(current)) throw new Error(`Kv value at ${key} is not an integer`);
      entry.value = String(current + by);
      return current + by;
    },
    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
