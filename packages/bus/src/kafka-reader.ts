import { randomUUID } from "node:crypto";
import type { Consumer, Kafka } from "kafkajs";
import type { Codec, LogEntry } from "./ports.ts";

const BUFFER_HIGH = 10_000;
const READ_TIMEOUT_MS = 10_000;

interface ReaderOptions<T> {
  kafka: Kafka;
  topic: string;
  partition: number;
  codec: Codec<T>;
  endOffset: () => Promise<number>;
  listPartitions: () => Promise<number[]>;
  /** The consumer's fetch: the broker answers once it has minBytes or after maxWaitMs. */
  fetch?: { minBytes?: number; maxWaitMs?: number };
}

/**
 * Random-access reads over kafkajs's push consumer. kafkajs has no public fetch-at-offset call, so
 * one consumer (its own throwaway group, never committing) fills a buffer from wherever it was last
 * sought to; a read that continues where the previous one stopped is served from the buffer, any
 * other read seeks. Sequential readers (the persister, recovery) therefore stream at full speed.
 */
export function createKafkaReader<T>(options: ReaderOptions<T>) {
  const { kafka, topic, partition, codec } = options;
  const minBytes = options.fetch?.minBytes ?? 1;
  const maxWaitTimeInMs = options.fetch?.maxWaitMs ?? 200;
  let consumer: Consumer | undefined;
  let buffer: LogEntry<T>[] = [];
  let nextExpected = 0;
  let highWatermark = 0;
  let wakeReader = () => {};
  let wakeFetcher = () => {};

  const start = async (from: number) => {
    const c = kafka.consumer({
      groupId: `ox-reader-${topic}-${randomUUID()}`,
      allowAutoTopicCreation: false,
      minBytes,
      maxWaitTimeInMs,
    });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    nextExpected = from;
    await c.run({
      autoCommit: false,
      eachBatch: async ({ batch, isStale, isRunning, heartbeat }) => {
        if (batch.partition !== partition || isStale()) return;
        highWatermark = Math.max(highWatermark, Number(batch.highWatermark));
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < nextExpected || !message.value) continue;
          buffer.push({ offset, record: codec.decode(message.value.toString("utf8")) });
          nextExpected = offset + 1;
        }
        wakeReader();
        while (buffer.length > BUFFER_HIGH && isRunning() && !isStale()) {
          await new Promise<void>((resolve) => {
            wakeFetcher = resolve;
            setTimeout(resolve, 1_000);
          });
          await heartbeat();
        }
      },
    });
    // A consumer kafkajs gave up on (retries exhausted while the broker was away) is replaced by
    // the next read instead of leaving every later read to time out.
    c.on(c.events.CRASH, (event) => {
      if (!event.payload.restart && consumer === c) consumer = undefined;
    });
    const others = (await options.listPartitions()).filter((p) => p !== partition);
    if (others.length > 0) c.pause([{ topic, partitions: others }]);
    // kafkajs restarts a crashed consumer from the group's (never committed) offset: seek it back.
    c.on(c.events.GROUP_JOIN, () => seekConsumer(c, nextExpected));
    seekConsumer(c, from);
    consumer = c;
  };

  const seekConsumer = (c: Consumer, offset: number) => {
    try {
      c.seek({ topic, partition, offset: String(offset) });
    } catch {
      // Mid-restart; GROUP_JOIN seeks again, and offsets below nextExpected are skipped anyway.
    }
  };

  const seek = (from: number) => {
    buffer = [];
    nextExpected = from;
    if (consumer) seekConsumer(consumer, from);
    wakeFetcher();
  };

  return {
    async read(from: number, max: number): Promise<LogEntry<T>[]> {
      if (max <= 0 || from < 0) return [];
      // A follower at the end of what it has read (the persister, caught up): its consumer is
      // fetching already, so wait one fetch for what it brings before asking the broker for the
      // end offset (two ListOffsets requests and a metadata refresh per ask, on every idle poll).
      if (consumer && from >= highWatermark && from === nextExpected && buffer.length === 0)
        await new Promise<void>((resolve) => {
          wakeReader = resolve;
          setTimeout(resolve, maxWaitTimeInMs + 20);
        });
      if (from >= highWatermark) {
        highWatermark = Math.max(highWatermark, await options.endOffset());
        if (from >= highWatermark) return [];
      }
      if (!consumer) await start(from);
      const continues =
        buffer.length > 0 ? buffer[0].offset <= from && from < nextExpected : from === nextExpected;
      if (!continues) seek(from);
      const deadline = Date.now() + READ_TIMEOUT_MS;
      while (!buffer.some((e) => e.offset >= from)) {
        if (Date.now() > deadline) {
          // Stuck (a broker restart it did not ride out): start a fresh consumer next time.
          const stuck = consumer;
          consumer = undefined;
          buffer = [];
          void stuck?.disconnect().catch(() => {});
          throw new Error(`kafka read of ${topic}/${partition} at ${from} timed out`);
        }
        await new Promise<void>((resolve) => {
          wakeReader = resolve;
          setTimeout(resolve, 100);
        });
      }
      const start0 = buffer.findIndex((e) => e.offset >= from);
      const out = buffer.slice(start0, start0 + max);
      buffer = buffer.slice(start0 + out.length);
      wakeFetcher();
      return out;
    },
    /** The log's end as just read from the broker (EventLog.endOffset): no need to ask again. */
    sawEnd(end: number) {
      highWatermark = Math.max(highWatermark, end);
    },
    /**
     * Drops the consumer; the next read starts a fresh one. For when the caller knows the broker
     * connection broke (an append failed): a consumer that sat idle through a broker restart does
     * not resume by itself, and the next read would wait READ_TIMEOUT_MS for nothing.
     */
    reset() {
      const old = consumer;
      consumer = undefined;
      buffer = [];
      void old?.disconnect().catch(() => {});
    },
    async close() {
      await consumer?.disconnect();
    },
  };
}
