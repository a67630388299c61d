import { jsonCodec } from "./codec.ts";
import { shared } from "./memory-share.ts";
import type { Codec, CommandQueue, Delivery } from "./ports.ts";

interface Pending {
  consumer: string;
  deliveries: number;
  deliveredAtMs: number;
}

/**
 * An entry as its producer left it: encoded by its codec, or (default codec) the object itself,
 * which a consumer with the default codec takes as it is (memory-share.ts: neither side may change it).
 */
export type MemoryEntry = { text: string; value?: undefined } | { text?: undefined; value: unknown };

/**
 * The in-process stand-in for one Redis stream with one consumer group. Queues opened on the same
 * stream behave like consumers of that group: an entry lives until acked, a consumer that closes
 * (or "crashes") keeps its pending entries, and gets them again when it reopens under its name, or
 * another consumer claims them once idle. Not durable across a process crash: in embedded mode the
 * producer dies with the consumer, and nothing is acknowledged to a client before the journal has it.
 */
export interface MemoryStream {
  readonly entries: Map<string, MemoryEntry>;
  readonly pending: Map<string, Pending>;
  readonly fresh: string[];
  readonly waiters: Set<() => void>;
  nextSeq: number;
}

export function createMemoryStream(): MemoryStream {
  return { entries: new Map(), pending: new Map(), fresh: [], waiters: new Set(), nextSeq: 1 };
}

export interface MemoryQueueOptions<T> {
  stream?: MemoryStream;
  consumer?: string;
  /** Entries pending this long at another consumer are claimed by this one (as XAUTOCLAIM). */
  claimIdleMs?: number;
  /** Absent: JSON, and the object itself to a consumer that has no codec either (no copy). */
  codec?: Codec<T>;
  nowMs?: () => number;
}

const seqOf = (id: string) => Number(id);

export function createMemoryQueue<T>(options: MemoryQueueOptions<T> = {}): CommandQueue<T> {
  const stream = options.stream ?? createMemoryStream();
  const consumer = options.consumer ?? "engine-0";
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const codec = options.codec ?? jsonCodec<T>();
  const share = options.codec === undefined;
  const nowMs = options.nowMs ?? Date.now;
  let backlogFromSeq = 0; // own pending entries above this are re-read after a restart
  let backlogDone = false;
  let closed = false;

  /** `at`: the time of the take (one clock read per take, not per entry). */
  const deliver = (id: string, at: number): Delivery<T> | undefined => {
    const entry = stream.entries.get(id);
    if (entry === undefined) return undefined;
    const previous = stream.pending.get(id);
    const deliveries = (previous?.deliveries ?? 0) + 1;
    stream.pending.set(id, { consumer, deliveries, deliveredAtMs: at });
    const body =
      entry.text !== undefined
        ? codec.decode(entry.text)
        : share
          ? (entry.value as T)
          : codec.decode(JSON.stringify(entry.value));
    return { id, body, deliveries };
  };

  const take = (max: number): Delivery<T>[] => {
    const out: Delivery<T>[] = [];
    const at = nowMs();
    if (!backlogDone) {
      const own = [...stream.pending.entries()]
        .filter(([id, p]) => p.consumer === consumer && seqOf(id) > backlogFromSeq)
        .sort(([a], [b]) => seqOf(a) - seqOf(b))
        .slice(0, max);
      if (own.length === 0) backlogDone = true;
      for (const [id] of own) {
        backlogFromSeq = seqOf(id);
        const d = deliver(id, at);
        if (d) out.push(d);
      }
      if (out.length > 0) return out;
    }
    const idleBefore = at - claimIdleMs;
    for (const [id, p] of stream.pending) {
      if (out.length >= max) break;
      if (p.consumer !== consumer && p.deliveredAtMs <= idleBefore) {
        const d = deliver(id, at);
        if (d) out.push(d);
      }
    }
    while (out.length < max && stream.fresh.length > 0) {
      const d = deliver(stream.fresh.shift() as string, at);
      if (d) out.push(d);
    }
    return out;
  };

  return {
    async send(body) {
      if (closed) throw new Error("queue is closed");
      const id = String(stream.nextSeq++);
      stream.entries.set(id, share ? { value: shared(body) } : { text: codec.encode(body) });
      stream.fresh.push(id);
      if (stream.waiters.size > 0) for (const wake of [...stream.waiters]) wake();
      return id;
    },
    async receive(max, blockMs) {
      if (closed) throw new Error("queue is closed");
      const now = take(max);
      if (now.length > 0 || blockMs <= 0) return now;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          stream.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, blockMs);
        stream.waiters.add(wake);
      });
      return closed ? [] : take(max);
    },
    async ack(ids) {
      for (const id of ids) {
        stream.entries.delete(id);
        stream.pending.delete(id);
      }
    },
    async depth() {
      return stream.entries.size;
    },
    async close() {
      closed = true;
    },
  };
}
