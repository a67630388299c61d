export { createPersisterMetrics, type PersisterMetrics } from "./metrics.ts";
export {
  type BatchResult,
  createPersister,
  DEFAULT_PERSISTER_NAME,
  type Persister,
  type PersisterOptions,
  type PersisterStatus,
} from "./persister.ts";
export { type Plan, planBatch } from "./plan.ts";
export { type ShardLogViewOptions, shardLogView } from "./shard-log.ts";
