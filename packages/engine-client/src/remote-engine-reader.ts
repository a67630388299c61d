import { randomUUID } from "node:crypto";
import { type PubSub, withTimeout } from "@ox/bus";
import {
  channels,
  type EngineQuery,
  type EngineQueryKind,
  type EngineQueryReply,
  type EngineStats,
} from "@ox/contracts/pipeline";
import type { BookView, EngineTotals, MarketView, OrderView, PositionView } from "@ox/engine";
import { matchingName, matchingShardOf, riskName, riskShardOf, type ShardMap } from "@ox/engine/shards";
import { createEngineReader, type EngineReader, EngineUnavailableError } from "./engine-reader.ts";
import { allShards, matchingShards, riskShards, shardOfOrderId, shardQueries } from "./shard-routing.ts";

export interface RemoteEngineReaderOptions {
  pubsub: PubSub<unknown>;
  /** This API instance; answers come back on channels.queryReplies(instanceId). */
  instanceId: string;
  timeoutMs?: number;
  /**
   * A sharded deployment's map (SHARD_MAP): each query goes to the shards that own the answer on
   * `${channels.queries}.${shard}` and the answers are joined (createShardedReader). Absent: the
   * single engine on `channels.queries`.
   */
  shardMap?: ShardMap;
}

/** One shard's stats as a sharded reader reports them (`EngineStats.shards`). */
export type ShardStats = EngineStats & { shard: string };

export interface RemoteEngineReader extends EngineReader {
  close(): Promise<void>;
}

/** Distributed mode: request/reply over pub/sub to the engine process, bounded by a timeout. */
export function createRemoteEngineReader(options: RemoteEngineReaderOptions): RemoteEngineReader {
  const { pubsub } = options;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const replyTo = channels.queryReplies(options.instanceId);
  const waiting = new Map<string, (reply: EngineQueryReply) => void>();
  let subscribed: Promise<() => Promise<void>> | null = null;
  const ensureSubscribed = () => {
    subscribed ??= pubsub
      .subscribe(replyTo, (message) => {
        const reply = message as EngineQueryReply;
        waiting.get(reply?.id)?.(reply);
      })
      .catch((err) => {
        subscribed = null; // Redis was down: the next query subscribes again
        throw err;
      });
    return subscribed;
  };
  ensureSubscribed().catch(() => {}); // early; a failure is retried by the first query

  const unavailable = (what: string) => (err: unknown) => {
    throw new EngineUnavailableError(`${what}: ${(err as Error)?.message ?? err}`);
  };

  const askOn = async (channel: string, kind: EngineQueryKind, args: unknown[]): Promise<unknown> => {
    await withTimeout(ensureSubscribed(), timeoutMs, "query reply channel subscribe").catch(
      unavailable("engine unreachable"),
    );
    const id = randomUUID();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answer = new Promise<EngineQueryReply>((resolve, reject) => {
      timer = setTimeout(() => {
        waiting.delete(id);
        reject(new EngineUnavailableError(`engine did not answer a ${kind} query within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(reply);
      });
    });
    answer.catch(() => {}); // awaited below; never an unhandled rejection while the publish hangs
    const query: EngineQuery = { id, replyTo, kind, args };
    try {
      await withTimeout(pubsub.publish(channel, query), timeoutMs, "engine query publish");
    } catch (cause) {
      clearTimeout(timer);
      waiting.delete(id);
      throw new EngineUnavailableError(
        `engine query ${kind} not sent: ${(cause as Error)?.message ?? cause}`,
      );
    }
    const reply = await answer;
    if (!reply.ok)
      throw new EngineUnavailableError(`engine query ${kind} failed: ${reply.error ?? "unknown error"}`);
    return reply.result;
  };
  const reader = options.shardMap
    ? createShardedReader(options.shardMap, (shard, kind, args) => askOn(shardQueries(shard), kind, args))
    : createEngineReader((kind, args) => askOn(channels.queries, kind, args));

  return {
    ...reader,
    async close() {
      const unsubscribe = await subscribed?.catch(() => null);
      await unsubscribe?.();
    },
  };
}

/**
 * Reads over a sharded deployment (README "Running the production topology"): the portfolio joins
 * cash from the user's risk shard with positions from every matching shard (shares live with their
 * market); a book, a market, a market's open orders from that market's shard; an order from the
 * shard its id names; the market list, the totals and the stats from every shard. Totals: cash
 * from the risk shards, escrow from the matching shards' markets.
 */
export function createShardedReader(
  map: ShardMap,
  ask: (shard: string, kind: EngineQueryKind, args: unknown[]) => Promise<unknown>,
): EngineReader {
  const everyMatching = async <T>(kind: EngineQueryKind, args: unknown[]) =>
    ((await Promise.all(matchingShards(map).map((s) => ask(s, kind, args)))) as (T[] | null)[]).flatMap(
      (r) => r ?? [],
    );
  const ofMarket = (marketId: string) => matchingName(matchingShardOf(map, marketId));
  const byMarket = (a: { marketId: string }, b: { marketId: string }) =>
    a.marketId < b.marketId ? -1 : a.marketId > b.marketId ? 1 : 0;
  return {
    account: async (userId) =>
      ((await ask(riskName(riskShardOf(map, userId)), "account", [userId])) ?? null) as Awaited<
        ReturnType<EngineReader["account"]>
      >,
    positions: async (userId) => (await everyMatching<PositionView>("positions", [userId])).sort(byMarket),
    openOrders: async (userId, marketId) =>
      marketId === undefined
        ? everyMatching<OrderView>("openOrders", [userId, undefined])
        : (((await ask(ofMarket(marketId), "openOrders", [userId, marketId])) as OrderView[] | null) ?? []),
    async order(orderId) {
      const k = shardOfOrderId(orderId);
      if (k !== undefined && k < map.matchingShards)
        return ((await ask(matchingName(k), "order", [orderId])) ?? null) as OrderView | null;
      // Not an id this deployment assigned: no shard can hold it open, but ask them all to be sure.
      const found = await Promise.all(matchingShards(map).map((s) => ask(s, "order", [orderId])));
      return (found.find((o) => o != null) ?? null) as OrderView | null;
    },
    book: async (marketId, depth) =>
      ((await ask(ofMarket(marketId), "book", [marketId, depth])) ?? null) as BookView | null,
    market: async (marketId) =>
      ((await ask(ofMarket(marketId), "market", [marketId])) ?? null) as MarketView | null,
    markets: () => everyMatching<MarketView>("markets", []),
    async totals() {
      const [cash, markets] = await Promise.all([
        Promise.all(riskShards(map).map((s) => ask(s, "totals", []) as Promise<EngineTotals>)),
        everyMatching<MarketView>("markets", []),
      ]);
      const t: EngineTotals = {
        creditsPaise: 0,
        debitsPaise: 0,
        feesPaise: 0,
        escrowPaise: 0,
        availablePaise: 0,
        lockedPaise: 0,
      };
      for (const r of cash) {
        t.creditsPaise += r.creditsPaise;
        t.debitsPaise += r.debitsPaise;
        t.feesPaise += r.feesPaise;
        t.availablePaise += r.availablePaise;
        t.lockedPaise += r.lockedPaise;
      }
      for (const m of markets) t.escrowPaise += m.escrowPaise;
      return t;
    },
    async stats() {
      const ids = allShards(map);
      const each = (await Promise.all(ids.map((s) => ask(s, "stats", [])))) as EngineStats[];
      const shards: ShardStats[] = each.map((st, i) => ({ ...st, shard: ids[i] as string }));
      const sum = (f: (s: EngineStats) => number | undefined) => shards.reduce((n, s) => n + (f(s) ?? 0), 0);
      const degraded = shards.find((s) => s.degraded)?.degraded;
      return {
        // Seqs are per shard: the highest says the most recent, the sum of offsets how much is logged.
        lastSeq: Math.max(0, ...shards.map((s) => s.lastSeq)),
        logOffset: sum((s) => s.logOffset),
        queueDepth: sum((s) => s.queueDepth),
        snapshotOffset: sum((s) => s.snapshotOffset),
        commandsApplied: sum((s) => s.commandsApplied),
        ordersPlaced: sum((s) => s.ordersPlaced),
        startedAt: Math.min(...shards.map((s) => s.startedAt)),
        degraded: degraded
          ? `${shards.find((s) => s.degraded)?.shard}: ${degraded}`
          : (null as string | null),
        appendFailures: sum((s) => s.appendFailures),
        shards,
      };
    },
  };
}
