import { CompressionTypes, Kafka, Partitioners } from "kafkajs";
import { jsonCodec } from "./codec.ts";
import "./kafkajs-idle-fix.ts"; // kafkajs re-arms a 1 ms timer for ever otherwise (see there)
import "./kafkajs-produce-fix.ts"; // no zero-fill and no require() per produce request (see there)
import { kafkaLogCreator } from "./kafka-logger.ts";
import { createKafkaReader } from "./kafka-reader.ts";
import { zstdAvailable } from "./kafka-zstd.ts";
import { defaultLogger, type Logger } from "./logger.ts";
import type { Codec, EventLog } from "./ports.ts";

export interface KafkaLogOptions<T> {
  brokers: string[];
  topic: string;
  /** The partition this log is; default 0. One engine shard writes one partition. */
  partition?: number;
  /**
   * Used when the topic does not exist yet (an existing topic with a lower replication factor is
   * reported, not changed). Production: partitions = shards, RF 3, min.insync.replicas 2.
   */
  createTopic?: TopicSettings;
  clientId?: string;
  /**
   * Upper bound on the encoded bytes of one produce request (before compression). A batch larger
   * than this is split into several requests, sent in order. Default 512 KiB: half of the broker's
   * message.max.bytes (1 MiB by default), so the record-batch overhead never pushes a request over.
   */
  maxRequestBytes?: number;
  /**
   * "zstd" (default; kafka-zstd.ts: Bun's zstd at level 1; Kafka ≥ 2.1 brokers and readers), "gzip"
   * (kafkajs's own, level 6: ~4× the CPU of zstd for a larger batch) or "none" (~8× the bytes).
   */
  compression?: "zstd" | "gzip" | "none";
  /**
   * How long one append keeps retrying a retriable error (no leader, broker down, timeout) before it
   * rejects: the producer retries with the same sequence numbers, so the broker drops duplicates.
   * Default 30 s: longer than KRaft needs to fence a dead broker and elect a leader (~10-20 s).
   * Against a broker that refuses connections it takes about twice as long (kafkajs retries the
   * connect inside each send attempt): measured 5.8 s at 3 s, 60 s at 30 s.
   */
  retryForMs?: number;
  /**
   * Reads (the persister; recovery): the broker answers a fetch once it has `minBytes` (default 1)
   * or after `maxWaitMs` (default 200). A follower of a busy log that raises minBytes makes one
   * fetch request per maxWaitMs instead of one per append.
   */
  fetch?: { minBytes?: number; maxWaitMs?: number };
  codec?: Codec<T>;
  logger?: Logger;
}

/**
 * EventLog on one Kafka topic partition. Appends go through an idempotent producer (acks=all, one
 * request in flight), so a batch is written once, in order, and resolves only when every in-sync
 * replica has it. Offsets are Kafka's: dense from 0 on a fresh topic with retention that never deletes.
 */
export interface TopicSettings {
  partitions?: number;
  replicationFactor?: number;
  minInsyncReplicas?: number;
}

/** Messages per request are also bounded (kafkajs builds one record batch per request). */
const MAX_RECORDS_PER_REQUEST = 10_000;
/** Bytes a record costs in a batch besides its value (headers, varints, offsets, timestamps). */
const RECORD_OVERHEAD_BYTES = 64;

/** Splits encoded values into consecutive chunks of at most `maxBytes` (one oversize value alone). */
export function chunkByBytes(values: string[], maxBytes: number, maxCount = MAX_RECORDS_PER_REQUEST) {
  const chunks: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const value of values) {
    const size = Buffer.byteLength(value) + RECORD_OVERHEAD_BYTES;
    if (current.length > 0 && (bytes + size > maxBytes || current.length >= maxCount)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(value);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Retry schedule for kafkajs: 300 ms doubling to at most 1 s between attempts, as many attempts as
 * fit in `forMs` (each attempt also waits up to its request timeout). The cap is what a leader
 * failover costs beyond KRaft's own ~9-10 s to fence the dead broker: with a 5 s cap the producer
 * resumed 14-20 s after a leader kill, at its next scheduled attempt; with 1 s, within a second of
 * the new leader (`npm run bench:kafka`, failover part).
 */
export function retryFor(forMs: number) {
  const initialRetryTime = 300;
  const maxRetryTime = 1_000;
  let retries = 0;
  let total = 0;
  for (let wait = initialRetryTime; total + wait <= forMs; wait = Math.min(wait * 2, maxRetryTime)) {
    total += wait;
    retries++;
  }
  return { initialRetryTime, maxRetryTime, factor: 0, multiplier: 2, retries: Math.max(retries, 1) };
}

export async function createKafkaLog<T>(options: KafkaLogOptions<T>): Promise<EventLog<T>> {
  const { topic } = options;
  const partition = options.partition ?? 0;
  const codec = options.codec ?? jsonCodec<T>();
  const logger = (options.logger ?? defaultLogger).child({ topic, partition });
  const maxRequestBytes = options.maxRequestBytes ?? 512 * 1024;
  const compression = {
    none: CompressionTypes.None,
    gzip: CompressionTypes.GZIP,
    zstd: zstdAvailable ? CompressionTypes.ZSTD : CompressionTypes.GZIP,
  }[options.compression ?? "zstd"];
  const kafka = new Kafka({
    clientId: options.clientId ?? "ox-bus",
    brokers: options.brokers,
    logCreator: kafkaLogCreator(logger),
    retry: retryFor(options.retryForMs ?? 30_000),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopic(admin, topic, partition, options.createTopic ?? {}, logger);
  } catch (error) {
    await admin.disconnect();
    throw error;
  }
  const newProducer = () =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner, // unused: every message names its partition
    });
  let producer = newProducer();
  await producer.connect();
  let connected = true;
  const endOffset = async () => {
    const offsets = await admin.fetchTopicOffsets(topic);
    const mine = offsets.find((o) => o.partition === partition);
    if (!mine) throw new Error(`topic ${topic} has no partition ${partition}`);
    const end = Number(mine.high);
    reader.sawEnd(end);
    return end;
  };
  const listPartitions = async () => (await admin.fetchTopicOffsets(topic)).map((o) => o.partition);
  const reader = createKafkaReader<T>({
    kafka,
    topic,
    partition,
    codec,
    endOffset,
    listPartitions,
    fetch: options.fetch,
  });

  return {
    async append(records) {
      if (records.length === 0) return;
      // One request per chunk, in order (one in flight): never a request the broker must refuse.
      // A failure part-way leaves a prefix appended; the caller finds out how much from endOffset().
      try {
        if (!connected) {
          await producer.connect();
          connected = true;
        }
        for (const chunk of chunkByBytes(
          records.map((record) => codec.encode(record)),
          maxRequestBytes,
        )) {
          await producer.send({
            topic,
            acks: -1,
            compression,
            messages: chunk.map((value) => ({ partition, value })),
          });
        }
      } catch (error) {
        // The failed request may have landed: its sequence numbers are spent. A fresh idempotent
        // producer (a new producer id) starts clean; the caller re-reads the log to see what landed.
        void producer.disconnect().catch(() => {});
        producer = newProducer();
        connected = false;
        // The caller reads the log next (the engine rebuilds): from a fresh consumer, since one
        // that sat through the outage waits out its read timeout (10 s) before it is replaced.
        reader.reset();
        throw error;
      }
    },
    endOffset,
    read: (from, max) => reader.read(from, max),
    // The reader's consumer goes on fetching (and decoding) every record appended after a read:
    // a writer that read only to recover lets it go; its next read starts a fresh one.
    idle: () => reader.reset(),
    async close() {
      await reader.close();
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}

async function ensureTopic(
  admin: ReturnType<Kafka["admin"]>,
  topic: string,
  partition: number,
  settings: TopicSettings,
  logger: Logger,
) {
  const topics = await admin.listTopics();
  if (topics.includes(topic)) {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const replicas = Math.min(...(metadata.topics[0]?.partitions ?? []).map((p) => p.replicas.length));
    if (settings.replicationFactor && replicas < settings.replicationFactor)
      logger.warn(
        { replicas, wanted: settings.replicationFactor },
        "event topic exists with fewer replicas than configured; a broker loss can lose acknowledged records",
      );
  } else {
    const brokers = (await admin.describeCluster()).brokers.length;
    const replicationFactor = settings.replicationFactor ?? Math.min(3, brokers);
    const minInsyncReplicas = settings.minInsyncReplicas ?? (replicationFactor >= 3 ? 2 : 1);
    const fields = { replicationFactor, minInsyncReplicas, brokers };
    // Fewer than 3 replicas where 3 brokers exist is a configuration mistake; on a dev broker it is all there is.
    if (replicationFactor < 3 && brokers >= 3)
      logger.warn(fields, "creating the event topic with fewer than 3 replicas on a multi-broker cluster");
    else logger.info(fields, "creating the event topic");
    await admin
      .createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: Math.max(settings.partitions ?? 1, partition + 1),
            replicationFactor,
            configEntries: [
              {
                name: "min.insync.replicas",
                value: String(minInsyncReplicas),
              },
              { name: "retention.ms", value: "-1" }, // the log is the system of record: never delete
              { name: "cleanup.policy", value: "delete" },
            ],
          },
        ],
      })
      .catch((error: Error) => {
        if (!/already exists/i.test(error.message)) throw error; // another process created it first
      });
  }
  for (let attempt = 0; ; attempt++) {
    // Wait until the partition has a leader, so producers and consumers find it at once.
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
    const found = metadata?.topics[0]?.partitions.find((p) => p.partitionId === partition);
    if (found && found.leader >= 0) return;
    if (attempt >= 100) throw new Error(`topic ${topic} partition ${partition} has no leader`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
