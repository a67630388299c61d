export { createQueueEngineGateway, type EngineGateway, EngineTimeoutError } from "./engine-gateway.ts";
export {
  type Ask,
  createEngineReader,
  createInProcessEngineReader,
  type EngineQuerier,
  type EngineReader,
  EngineUnavailableError,
} from "./engine-reader.ts";
export {
  type Difference,
  type EngineSource,
  postgresTotalsOf,
  type ReconcileReport,
  reconcile,
} from "./reconcile.ts";
export {
  createRemoteEngineReader,
  createShardedReader,
  type RemoteEngineReader,
  type RemoteEngineReaderOptions,
  type ShardStats,
} from "./remote-engine-reader.ts";
export { ReplayDivergedError, type Replayed, type ReplayOptions, replayLog, sameEvents } from "./replay.ts";
export {
  persistedShardOffsets,
  persisterCaughtUp,
  shardedPersisterHealth,
  shardPersisterName,
} from "./shard-offsets.ts";
export {
  auditShards,
  consistentCut,
  type ReplayedShards,
  replayShards,
  type ShardAudit,
  type ShardStart,
  shardsSource,
} from "./shard-reconcile.ts";
export {
  allShards,
  createShardedCommandQueue,
  matchingShards,
  riskShards,
  shardedOrderId,
  shardOfCommand,
  shardOfOrderId,
  shardQueries,
  shardStream,
  shardTopic,
} from "./shard-routing.ts";
