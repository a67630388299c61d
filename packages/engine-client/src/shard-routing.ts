/**
 * The API's side of the sharded topology (README "Running the production topology"): which shard's
 * stream a command goes to, which shards a read asks, and the names of the per-shard transports.
 * The routing table itself is the engine library's (`routeCommand`, shard-map.ts), shared with
 * `ShardedEngine`, so the API and the in-process tests route alike.
 */
import type { CommandQueue } from "@ox/bus";
import {
  type CommandEnvelope,
  shardCommandStream,
  shardEventTopic,
  shardQueryChannel,
} from "@ox/contracts/pipeline";
import {
  fanOutOf,
  matchingName,
  matchingShardOf,
  riskName,
  routeCommand,
  type ShardMap,
  shardIds,
} from "@ox/engine/shards";

/** Shard S's input stream, output topic and query channel (the contract's names, @ox/contracts). */
export const shardStream = shardCommandStream;
export const shardTopic = shardEventTopic;
export const shardQueries = shardQueryChannel;

export const matchingShards = (map: ShardMap) =>
  Array.from({ length: map.matchingShards }, (_, k) => matchingName(k));
export const riskShards = (map: ShardMap) => Array.from({ length: map.riskShards }, (_, k) => riskName(k));
export const allShards = shardIds;

/**
 * A new order's id on a sharded deployment: `m<K>.<uuid>`, K the matching shard of its market. A
 * market never moves between shards (AUDIT.md), so the prefix stays true for the order's life and a
 * cancel, or a read of the order, goes to one shard without asking the others. It is the cheapest
 * correct way: no lookup table, no fan-out, and any API replica can route the cancel.
 */
export function shardedOrderId(map: ShardMap, marketId: string): string {
  return `${matchingName(matchingShardOf(map, marketId))}.${crypto.randomUUID()}`;
}

/** The matching shard an order id names (`m<K>.…`); undefined for an id of another form. */
export function shardOfOrderId(orderId: string): number | undefined {
  const m = /^m(\d{1,4})\./.exec(orderId);
  return m ? Number(m[1]) : undefined;
}

/** The shard a command goes to. */
export const shardOfCommand = (map: ShardMap, command: unknown) => routeCommand(map, command, shardOfOrderId);

/**
 * A producer queue over every shard's stream: each single-command envelope goes to its shard.
 * Batch envelopes are split by the gateway (their items may live on different shards), so one
 * reaching here is a bug and is refused.
 */
export function createShardedCommandQueue(
  map: ShardMap,
  queueOf: (shard: string) => CommandQueue<CommandEnvelope>,
): CommandQueue<CommandEnvelope> & { shardOf(envelope: CommandEnvelope): string } {
  const queues = new Map(allShards(map).map((s) => [s, queueOf(s)]));
  const shardOf = (envelope: CommandEnvelope) => {
    if (envelope.command === undefined) throw new Error("a batch envelope cannot be routed to one shard");
    if (envelope.toShard !== undefined) {
      if (!queues.has(envelope.toShard)) throw new Error(`no shard ${envelope.toShard} in the map`);
      return envelope.toShard;
    }
    if (fanOutOf(map, envelope.command) !== null)
      throw new Error(`${envelope.command.type} goes to several shards: the gateway sends one envelope each`);
    return shardOfCommand(map, envelope.command);
  };
  const queue = (s: string) => queues.get(s) as CommandQueue<CommandEnvelope>;
  return {
    shardOf,
    send: (envelope) => queue(shardOf(envelope)).send(envelope),
    receive: () => Promise.reject(new Error("the sharded producer queue does not consume")),
    ack: async () => {},
    async depth() {
      let n = 0;
      for (const d of await Promise.all([...queues.values()].map((q) => q.depth()))) n += d;
      return n;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
