export { type CloseScheduler, createCloseScheduler } from "./close-scheduler.ts";
export { createEngineMetrics, type EngineMetrics, type EngineMetricsSource } from "./metrics.ts";
export { answerQuery, UnknownQueryError } from "./queries.ts";
export { createRecentReplies, type RecentReplies } from "./recent-replies.ts";
export { type Recovered, ReplayDivergedError, recover } from "./recovery.ts";
export { type Clock, createEngineService, type EngineService, type EngineServiceOptions } from "./service.ts";
export { createRedisShardFencing, epochKey, type ShardFencing, SupersededError } from "./shard-fencing.ts";
export {
  type AckStore,
  ackKey,
  createRedisAckStore,
  createShardService,
  type ShardQueue,
  type ShardRecovered,
  type ShardService,
  type ShardServiceOptions,
  type ShardStats,
} from "./shard-service.ts";
export { latestShardSnapshot, type ShardSnapshot, shardSnapshotDir } from "./shard-snapshots.ts";
export {
  createFileSnapshotStore,
  decodeSnapshot,
  encodeSnapshot,
  type FileSnapshotStore,
  type ServiceSnapshot,
  SnapshotCorruptError,
  type SnapshotStore,
} from "./snapshot-store.ts";
