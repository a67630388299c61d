export { type AdapterEnv, type AdapterOptions, type Adapters, createAdapters } from "./adapters.ts";
export { jsonCodec } from "./codec.ts";
export {
  createFileJournal,
  type FileJournal,
  type FileJournalOptions,
  JournalCorruptError,
  JournalFailedError,
  type JournalPayloads,
} from "./file-journal.ts";
export { type JournalReader, openJournalReader } from "./journal-reader.ts";
export { createKafkaLog, type KafkaLogOptions } from "./kafka-log.ts";
export type { Logger } from "./logger.ts";
export { createMemoryKv, type MemoryKvOptions } from "./memory-kv.ts";
export {
  createMemoryPubSub,
  createMemoryPubSubHub,
  type MemoryPubSubHub,
  type MemoryPubSubOptions,
} from "./memory-pubsub.ts";
export {
  createMemoryQueue,
  createMemoryStream,
  type MemoryQueueOptions,
  type MemoryStream,
} from "./memory-queue.ts";
export {
  createPersisterHealth,
  PERSISTER_HEALTH_DEFAULTS,
  type PersisterHealth,
  type PersisterHealthOptions,
  type PersisterHealthProbe,
  type PersisterState,
  persisterHealthCheck,
} from "./persister-health.ts";
export type * from "./ports.ts";
export { checkRedisDurability } from "./redis-durability.ts";
export { createRedisKv, type RedisKvOptions } from "./redis-kv.ts";
export { createRedisPubSub, type RedisPubSubOptions } from "./redis-pubsub.ts";
export { createRedisStreamQueue, type RedisStreamQueueOptions } from "./redis-stream-queue.ts";
export { retryUntilOpen } from "./retry.ts";
export { InfraTimeoutError, isTransientError, withTimeout } from "./transient.ts";
export { createWriteThroughKv } from "./write-through-kv.ts";
