export { engineOver } from "../engine.ts";
/** The sharded engine (README "Topology"): shard state machines, their wire format and the map. */
export {
  type AuditableCluster,
  auditCluster,
  type ClusterTotals,
  inFlightBetween,
  inFlightEffect,
} from "./audit.ts";
export { type ClusterOptions, ShardedEngine } from "./cluster.ts";
export { fanOutOf, joinFanOut, routeCommandAll } from "./fan-out.ts";
export { MatchingShard, type Parked, type ShardStep } from "./matching-shard.ts";
export { RiskShard } from "./risk-shard.ts";
export {
  checkShardMap,
  describeShardMap,
  fnv1a,
  matchingName,
  matchingShardOf,
  riskName,
  riskShardOf,
  routeCommand,
  type ShardMap,
  shardIds,
} from "./shard-map.ts";
export * from "./wire.ts";
