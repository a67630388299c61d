import { jsonCodec } from "./codec.ts";
import type { Codec, PubSub } from "./ports.ts";

/**
 * A hub shared by the in-process publishers and subscribers of embedded mode. Each
 * createMemoryPubSub({hub}) is one "connection"; closing it drops only its own subscriptions.
 */
export interface MemoryPubSubHub {
  readonly channels: Map<string, Set<(text: string) => void>>;
}

export function createMemoryPubSubHub(): MemoryPubSubHub {
  return { channels: new Map() };
}

export interface MemoryPubSubOptions<T> {
  hub?: MemoryPubSubHub;
  /** Messages go through the codec as on Redis, so no subscriber shares an object with another. */
  codec?: Codec<T>;
}

export function createMemoryPubSub<T>(options: MemoryPubSubOptions<T> = {}): PubSub<T> {
  const hub = options.hub ?? createMemoryPubSubHub();
  const codec = options.codec ?? jsonCodec<T>();
  const own = new Set<{ channel: string; listener: (text: string) => void }>();
  let closed = false;

  return {
    async publish(channel, message) {
      if (closed) throw new Error("pubsub is closed");
      const text = codec.encode(message);
      const listeners = hub.channels.get(channel);
      if (!listeners) return;
      // Delivered on a later tick, like a network hop: a handler never runs inside publish().
      for (const listener of [...listeners]) queueMicrotask(() => listener(text));
    },
    async subscribe(channel, handler) {
      if (closed) throw new Error("pubsub is closed");
      const listener = (text: string) => handler(codec.decode(text));
      const sub = { channel, listener };
      const listeners = hub.channels.get(channel) ?? new Set();
      hub.channels.set(channel, listeners);
      listeners.add(listener);
      own.add(sub);
      return async () => {
        own.delete(sub);
        const current = hub.channels.get(channel);
        current?.delete(listener);
        if (current?.size === 0) hub.channels.delete(channel);
      };
    },
    async close() {
      closed = true;
      for (const { channel, listener } of own) hub.channels.get(channel)?.delete(listener);
      own.clear();
    },
  };
}
