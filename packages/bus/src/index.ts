export { jsonCodec } from "./codec.ts";
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
export type * from "./ports.ts";
export { createRedisKv, type RedisKvOptions } from "./redis-kv.ts";
