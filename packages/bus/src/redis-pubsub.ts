import Redis from "ioredis";
import { jsonCodec } from "./codec.ts";
import { defaultLogger, type Logger } from "./logger.ts";
import type { Codec, PubSub } from "./ports.ts";

export interface RedisPubSubOptions<T> {
  codec?: Codec<T>;
  logger?: Logger;
  /**
   * Prepended to every channel on Redis (REDIS_NAMESPACE): deployments that share one Redis server
   * talk on disjoint channels. Callers keep using the logical names.
   */
  prefix?: string;
  /**
   * Writes a PUBLISH (the channel on Redis, the encoded message) instead of this adapter's own
   * publisher connection: the single engine's publishes ride on its queue's reads
   * (RedisStreamQueue.publish). Subscribing is unchanged.
   */
  publishVia?: (channel: string, text: string) => Promise<void>;
}

/** PubSub on Redis PUBLISH/SUBSCRIBE: at-most-once, a subscriber that is down misses messages. */
export function createRedisPubSub<T>(url: string, options: RedisPubSubOptions<T> = {}): PubSub<T> {
  const codec = options.codec ?? jsonCodec<T>();
  const log = options.logger ?? defaultLogger;
  const prefix = options.prefix ?? "";
  const onRedis = (channel: string) => prefix + channel;
  // A stalled Redis must not hang a publish; the subscriber connection (below) waits by design.
  // Auto-pipelining: publishes issued in one event-loop turn leave in one write.
  const publisher = new Redis(url, { commandTimeout: 5_000, enableAutoPipelining: true });
  publisher.on("error", (err) => log.debug({ err }, "redis connection error")); // ioredis reconnects
  let subscriber: Redis | undefined;
  const handlers = new Map<string, Set<(message: T) => void>>();
  let closed = false;

  const connectSubscriber = (): Redis => {
    const connection = publisher.duplicate({ commandTimeout: undefined, enableAutoPipelining: false });
    connection.on("error", (err) => log.debug({ err }, "redis connection error"));
    connection.on("message", (redisChannel: string, text: string) => {
      if (!redisChannel.startsWith(prefix)) return;
      const channel = redisChannel.slice(prefix.length);
      const set = handlers.get(channel);
      if (!set) return;
      const message = codec.decode(text);
      for (const handler of [...set]) {
        try {
          handler(message);
        } catch (error) {
          log.error({ err: error, channel }, "pubsub handler threw");
        }
      }
    });
    return connection;
  };

  return {
    async publish(channel, message) {
      const text = codec.encode(message);
      if (options.publishVia) return options.publishVia(onRedis(channel), text);
      await publisher.publish(onRedis(channel), text);
    },
    async subscribe(channel, handler) {
      subscriber ??= connectSubscriber();
      const set = handlers.get(channel) ?? new Set();
      handlers.set(channel, set);
      set.add(handler);
      await subscriber.subscribe(onRedis(channel));
      return async () => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(channel) === set) {
          handlers.delete(channel);
          await subscriber?.unsubscribe(onRedis(channel));
        }
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      handlers.clear();
      if (subscriber) await subscriber.quit();
      await publisher.quit();
    },
  };
}
