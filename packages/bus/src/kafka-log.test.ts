import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { eventLogContract, KAFKA_BROKERS, uniqueName } from "@ox/bus/testing";
import { CompressionCodecs, CompressionTypes, Kafka, logLevel } from "kafkajs";
import { chunkByBytes, createKafkaLog, retryFor } from "./kafka-log.ts";

eventLogContract("kafka", async () => {
  const topic = uniqueName("test-events");
  return {
    open: () => createKafkaLog({ brokers: KAFKA_BROKERS, topic }),
    cleanup: async () => {
      const admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
});

describe("kafka log appends bounded by bytes", () => {
  const topics: string[] = [];
  afterAll(async () => {
    const admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });
  // ~2 KB records that compress poorly (random hex), so compression alone would not save a batch.
  const records = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ n: i, pad: randomBytes(1_000).toString("hex") }));

  test("chunks never exceed the byte bound; an oversize record travels alone", () => {
    const chunks = chunkByBytes(["a".repeat(100), "b".repeat(100), "c".repeat(5_000), "d"], 400);
    expect(chunks.map((c) => c.length)).toEqual([2, 1, 1]);
    expect(chunks.flat()).toHaveLength(4);
    expect(chunkByBytes([], 400)).toEqual([]);
    expect(chunkByBytes(["x", "y", "z"], 10_000, 2).map((c) => c.length)).toEqual([2, 1]);
  });

  test("a backlog of 3000 ~2 KB records (6 MB) is appended in one call and read back in order", async () => {
    const topic = uniqueName("test-bytes");
    topics.push(topic);
    const log = await createKafkaLog<{ n: number; pad: string }>({ brokers: KAFKA_BROKERS, topic });
    try {
      await log.append(records(3_000));
      expect(await log.endOffset()).toBe(3_000);
      const back: number[] = [];
      while (back.length < 3_000) {
        const batch = await log.read(back.length, 5_000);
        if (batch.length === 0) break;
        for (const e of batch) back.push(e.record.n);
      }
      expect(back).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
    } finally {
      await log.close();
    }
  }, 60_000);

  test("the same backlog as one request is refused by the broker (what the bound prevents)", async () => {
    const topic = uniqueName("test-bytes-one");
    topics.push(topic);
    const log = await createKafkaLog<{ n: number; pad: string }>({
      brokers: KAFKA_BROKERS,
      topic,
      maxRequestBytes: 64 * 1024 * 1024,
      compression: "none",
    });
    try {
      await expect(log.append(records(3_000))).rejects.toThrow(/too large|larger than/i);
      expect(await log.endOffset()).toBe(0);
    } finally {
      await log.close();
    }
  }, 60_000);
});

describe("retry schedule", () => {
  test("attempts fit the bound and back off to at most 1 s (a failover costs ~1 s beyond the election)", () => {
    const r = retryFor(30_000);
    expect(r.maxRetryTime).toBe(1_000);
    expect(r.retries).toBeGreaterThanOrEqual(25);
    let total = 0;
    for (let i = 0, wait = r.initialRetryTime; i < r.retries; i++, wait = Math.min(wait * 2, r.maxRetryTime))
      total += wait;
    expect(total).toBeLessThanOrEqual(30_000);
    expect(total).toBeGreaterThan(20_000);
  });
});

describe("kafka log compression", () => {
  test("appends are zstd by default (Bun's zstd through kafkajs's codec table) and read back", async () => {
    const topic = uniqueName("test-zstd");
    const codec = CompressionCodecs[CompressionTypes.ZSTD];
    let compressed = 0;
    CompressionCodecs[CompressionTypes.ZSTD] = () => {
      const inner = codec();
      return {
        ...inner,
        compress: (encoder: unknown) => {
          compressed++;
          return inner.compress(encoder);
        },
      };
    };
    const log = await createKafkaLog<{ n: number; text: string }>({ brokers: KAFKA_BROKERS, topic });
    try {
      const records = Array.from({ length: 50 }, (_, n) => ({ n, text: "yes at 55 paise ".repeat(20) }));
      await log.append(records);
      expect(compressed).toBe(1);
      expect((await log.read(0, 100)).map((e) => e.record)).toEqual(records);
    } finally {
      CompressionCodecs[CompressionTypes.ZSTD] = codec;
      await log.close();
      const admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  }, 30_000);
});
