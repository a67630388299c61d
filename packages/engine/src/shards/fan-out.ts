import type { Command, EngineEvent, Result } from "../types.ts";
import { matchingName, routeCommand, type ShardMap } from "./shard-map.ts";
import type { ShardId } from "./wire.ts";

/**
 * Commands that are not one shard's (README "Topology"). Today only CANCEL_ALL without `marketId`
 * (every market of the user): it goes to every matching shard, each cancels the user's orders in
 * the markets it holds, and the answers are joined by `joinFanOut` into what the single engine
 * answers. Returns null for a command that has one shard (routeCommand decides which).
 */
export function fanOutOf(map: ShardMap, raw: unknown): ShardId[] | null {
  const c = raw as Partial<Command> | null;
  if (typeof c !== "object" || c === null || c.type !== "CANCEL_ALL") return null;
  if ((c as { marketId?: unknown }).marketId !== undefined) return null;
  return Array.from({ length: map.matchingShards }, (_, k) => matchingName(k));
}

/** Every shard a command goes to: fanOutOf's, else routeCommand's one (the API router's table). */
export function routeCommandAll(
  map: ShardMap,
  raw: unknown,
  marketOfOrder?: (orderId: string) => string | undefined,
): ShardId[] {
  return fanOutOf(map, raw) ?? [routeCommand(map, raw, marketOfOrder)];
}

const rank = (e: EngineEvent) => (e.type === "POSITION" ? 2 : e.type === "BALANCE" ? 1 : 0);
const marketOf = (e: EngineEvent) => ("marketId" in e ? e.marketId : "");

/**
 * The join of a fanned-out CANCEL_ALL's answers, one per matching shard (any order):
 * - code: the shards' common code; when they differ, OK (a shard that has not yet received the
 *   user's USER message answers USER_NOT_FOUND, and it holds no order of theirs);
 * - events: types.ts §4's order for the single engine — each market's closes and book deltas
 *   (a shard emits them per market in ascending acceptedSeq), markets in ascending marketId; then
 *   any BALANCE (matching shards emit none: cash is the risk shard's); then the POSITIONs by
 *   marketId. A stable sort of the concatenation by (kind, marketId) is exactly that merge.
 * `seq` stays each shard's own (seq is per shard stream).
 */
export function joinFanOut(parts: readonly Result[]): Result {
  if (parts.length === 0) throw new Error("joinFanOut: no answers");
  const codes = new Set(parts.map((p) => p.code));
  const code = codes.size === 1 ? parts[0].code : codes.has("OK") ? "OK" : parts[0].code;
  const events = parts
    .flatMap((p) => p.events)
    .map((e, i) => ({ e, i }))
    .sort((a, b) => {
      const r = rank(a.e) - rank(b.e);
      if (r !== 0) return r;
      const x = marketOf(a.e);
      const y = marketOf(b.e);
      return x < y ? -1 : x > y ? 1 : a.i - b.i;
    })
    .map(({ e }) => e);
  return { code, events };
}
