import { jsonCodec } from "./codec.ts";
import { shared } from "./memory-share.ts";
import type { Codec, PubSub } from "./ports.ts";

/** One subscription on the hub: `text` decodes an encoded message; `share` takes the object itself. */
export interface MemoryListener {
  text(text: string): void;
  /** Present when the subscriber uses the default JSON codec (it expects what JSON gives back). */
  share?: (message: unknown) => void;
}

/**
 * A hub shared by the in-process publishers and subscribers of embedded mode. Each
 * createMemoryPubSub({hub}) is one "connection"; closing it drops only its own subscriptions.
 */
export interface MemoryPubSubHub {
  readonly channels: Map<string, Set<MemoryListener>>;
}

export function createMemoryPubSubHub(): MemoryPubSubHub {
  return { channels: new Map() };
}

export interface MemoryPubSubOptions<T> {
  hub?: MemoryPubSubHub;
  /**
   * Messages go through the codec as on Redis, so no subscriber shares an object with another.
   * Without one (JSON), a channel's only subscriber is handed the published object itself: no
   * encode, no decode (the engine's reply and event batches, tens of kB per batch). Neither side
   * may then change it after the publish (memory-share.ts: deep-frozen in the tests).
   */
  codec?: Codec<T>;
}

export function createMemoryPubSub<T>(options: MemoryPubSubOptions<T> = {}): PubSub<T> {
  const hub = options.hub ?? createMemoryPubSubHub();
  const codec = options.codec ?? jsonCodec<T>();
  // Without a codec (JSON) both sides may hand over the object itself (memory-share.ts).
  const byReference = options.codec === undefined;
  const own = new Set<{ channel: string; listener: MemoryListener }>();
  let closed = false;

  return {
    async publish(channel, message) {
      if (closed) throw new Error("pubsub is closed");
      const listeners = hub.channels.get(channel);
      if (!listeners || listeners.size === 0) return;
      // Delivered on a later tick, like a network hop: a handler never runs inside publish().
      if (byReference && listeners.size === 1) {
        const [only] = listeners;
        const share = only.share;
        if (share) {
          const value = shared(message);
          queueMicrotask(() => share(value));
          return;
        }
      }
      const text = codec.encode(message);
      for (const listener of [...listeners]) queueMicrotask(() => listener.text(text));
    },
    async subscribe(channel, handler) {
      if (closed) throw new Error("pubsub is closed");
      const listener: MemoryListener = { text: (text: string) => handler(codec.decode(text)) };
      if (byReference) listener.share = (message) => handler(message as T);
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
