import Redis from "ioredis";
import type { Logger } from "./logger.ts";

/**
 * Redis holds the command queue (orders answered 202 wait there) and the sessions: without an AOF
 * a Redis restart loses both. Checked at start: warns when appendonly is off or fsync is weaker than
 * everysec, or when CONFIG is not allowed (managed Redis: verify it in the provider's settings).
 * Returns what it found; never throws.
 */
export async function checkRedisDurability(
  url: string,
  logger: Logger,
): Promise<"ok" | "no-aof" | "weak-fsync" | "unknown"> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    const [, appendonly] = (await redis.config("GET", "appendonly")) as [string, string];
    const [, fsync] = (await redis.config("GET", "appendfsync")) as [string, string];
    if (appendonly !== "yes") {
      logger.warn(
        { appendonly },
        "Redis runs without an AOF: a restart loses queued commands (orders answered 202) and every session; set appendonly yes, appendfsync everysec",
      );
      return "no-aof";
    }
    if (fsync === "no") {
      logger.warn({ appendfsync: fsync }, "Redis AOF fsync is left to the OS; set appendfsync everysec");
      return "weak-fsync";
    }
    return "ok";
  } catch (err) {
    logger.warn(
      { err },
      "could not verify Redis persistence (CONFIG GET refused or Redis down); it must run with appendonly yes",
    );
    return "unknown";
  } finally {
    redis.disconnect();
  }
}
