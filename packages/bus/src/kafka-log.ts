import { Kafka, Partitioners } from "kafkajs";
import { jsonCodec } from "./codec.ts";
import { kafkaLogCreator } from "./kafka-logger.ts";
import { createKafkaReader } from "./kafka-reader.ts";
import { defaultLogger, type Logger } from "./logger.ts";
import type { Codec, EventLog } from "./ports.ts";

export interface KafkaLogOptions<T> {
  brokers: string[];
  topic: string;
  /** The partition this log is; default 0. One engine shard writes one partition. */
  partition?: number;
  /** Used only when the topic does not exist yet. Production: partitions = shards, RF 3. */
  createTopic?: { partitions?: number; replicationFactor?: number; minInsyncReplicas?: number };
  clientId?: string;
  codec?: Codec<T>;
  logger?: Logger;
}

/**
 * EventLog on one Kafka topic partition. Appends go through an idempotent producer (acks=all, one
 * request in flight), so a batch is written once, in order, and resolves only when every in-sync
 * replica has it. Offsets are Kafka's: dense from 0 on a fresh topic with retention that never deletes.
 */
export async function createKafkaLog<T>(options: KafkaLogOptions<T>): Promise<EventLog<T>> {
  const { topic } = options;
  const partition = options.partition ?? 0;
  const codec = options.codec ?? jsonCodec<T>();
  const logger = (options.logger ?? defaultLogger).child({ topic, partition });
  const kafka = new Kafka({
    clientId: options.clientId ?? "ox-bus",
    brokers: options.brokers,
    logCreator: kafkaLogCreator(logger),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopic(admin, topic, partition, options.createTopic ?? {});
  } catch (error) {
    await admin.disconnect();
    throw error;
  }
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner, // unused: every message names its partition
  });
  await producer.connect();
  const endOffset = async () => {
    const offsets = await admin.fetchTopicOffsets(topic);
    const mine = offsets.find((o) => o.partition === partition);
    if (!mine) throw new Error(`topic ${topic} has no partition ${partition}`);
    return Number(mine.high);
  };
  const listPartitions = async () => (await admin.fetchTopicOffsets(topic)).map((o) => o.partition);
  const reader = createKafkaReader<T>({ kafka, topic, partition, codec, endOffset, listPartitions });

  return {
    async append(records) {
      if (records.length === 0) return;
      await producer.send({
        topic,
        acks: -1,
        messages: records.map((record) => ({ partition, value: codec.encode(record) })),
      });
    },
    endOffset,
    read: (from, max) => reader.read(from, max),
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
  settings: NonNullable<KafkaLogOptions<unknown>["createTopic"]>,
) {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) {
    const replicationFactor = settings.replicationFactor ?? 1;
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
                value: String(settings.minInsyncReplicas ?? Math.min(2, replicationFactor)),
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
