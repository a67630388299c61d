/**
 * The versioned shard map (README "Topology"): market → matching shard, user → risk shard. Every
 * shard is built with the map's version and refuses envelopes stamped with another one, so two
 * shards running different maps cannot exchange money.
 *
 * Placement: a market or user listed explicitly goes where it is listed; any other market goes to
 * `newMarketsOn` when set (how a new shard takes new markets) and otherwise by hash, like any other
 * user. Moving a live market or user between shards is not supported (AUDIT.md).
 */
export interface ShardMap {
  version: number;
  matchingShards: number;
  riskShards: number;
  markets?: Record<string, number>;
  users?: Record<string, number>;
  /** Markets not listed are placed here (when set) rather than by hash. */
  newMarketsOn?: number;
}

/** FNV-1a over UTF-16 code units: stable across runtimes and processes. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function checkShardMap(map: ShardMap): ShardMap {
  const bad = (why: string): never => {
    throw new Error(`shard map v${map.version}: ${why}`);
  };
  if (!Number.isSafeInteger(map.version) || map.version < 1) bad("version must be a positive integer");
  for (const [name, n] of [
    ["matchingShards", map.matchingShards],
    ["riskShards", map.riskShards],
  ] as const)
    if (!Number.isSafeInteger(n) || n < 1 || n > 1024) bad(`${name} must be 1..1024`);
  for (const [id, k] of Object.entries(map.markets ?? {}))
    if (!Number.isSafeInteger(k) || k < 0 || k >= map.matchingShards) bad(`market ${id} on shard ${k}`);
  for (const [id, k] of Object.entries(map.users ?? {}))
    if (!Number.isSafeInteger(k) || k < 0 || k >= map.riskShards) bad(`user ${id} on shard ${k}`);
  const n = map.newMarketsOn;
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 0 || n >= map.matchingShards))
    bad(`newMarketsOn ${n}`);
  return map;
}

export function matchingShardOf(map: ShardMap, marketId: string): number {
  const k = map.markets?.[marketId];
  if (k !== undefined) return k;
  if (map.newMarketsOn !== undefined) return map.newMarketsOn;
  return fnv1a(marketId) % map.matchingShards;
}

export function riskShardOf(map: ShardMap, userId: string): number {
  const k = map.users?.[userId];
  return k !== undefined ? k : fnv1a(userId) % map.riskShards;
}

export const matchingName = (k: number) => `m${k}`;
export const riskName = (k: number) => `r${k}`;

/** One line for logs: what runs where. */
export function describeShardMap(map: ShardMap): string {
  const markets = Object.entries(map.markets ?? {})
    .map(([id, k]) => `${id}→m${k}`)
    .join(" ");
  return (
    `shard map v${map.version}: ${map.matchingShards} matching × ${map.riskShards} risk; ` +
    `markets ${markets || "(none listed)"}, others ${map.newMarketsOn === undefined ? "by hash" : `→m${map.newMarketsOn}`}; ` +
    `users ${Object.keys(map.users ?? {}).length} listed, others by hash`
  );
}

/**
 * Which shard a command goes to: the API's routing table (and ShardedEngine's). Users' cash
 * commands go to the user's risk shard, market and order commands to the market's matching shard.
 * CANCEL_ORDER and AMEND_ORDER carry no market: `marketOfOrder` (the API assigned the order id, so
 * it knows its market) supplies it, or the market's matching shard index directly (the API's order
 * ids name it); an unknown id cannot be open anywhere and goes to m0, which refuses it.
 */
export function routeCommand(
  map: ShardMap,
  raw: unknown,
  marketOfOrder: (orderId: string) => string | number | undefined = () => undefined,
): string {
  const c = raw as Record<string, unknown> | null;
  if (typeof c !== "object" || c === null) return matchingName(0);
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  switch (c.type) {
    case "CREATE_USER":
    case "CREDIT":
    case "DEBIT":
      return riskName(riskShardOf(map, str(c.userId)));
    case "PLACE_ORDER":
    case "CANCEL_ALL":
    case "CREATE_MARKET":
    case "CLOSE_MARKET":
    case "RESOLVE_MARKET":
      return matchingName(matchingShardOf(map, str(c.marketId)));
    case "CANCEL_ORDER":
    case "AMEND_ORDER": {
      const market = marketOfOrder(str(c.orderId));
      if (typeof market === "number")
        return matchingName(
          Number.isSafeInteger(market) && market >= 0 && market < map.matchingShards ? market : 0,
        );
      return matchingName(market === undefined ? 0 : matchingShardOf(map, market));
    }
    default:
      return matchingName(0);
  }
}

/** Every shard of the map, matching first: m0…m{N-1}, r0…r{M-1}. */
export function shardIds(map: ShardMap): string[] {
  const ids: string[] = [];
  for (let k = 0; k < map.matchingShards; k++) ids.push(matchingName(k));
  for (let k = 0; k < map.riskShards; k++) ids.push(riskName(k));
  return ids;
}
