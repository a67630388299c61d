/**
 * Helpers for the sharded differential (sharded.test.ts): streams for a sharded deployment, a
 * random placement, and the single engines each shard's accepted input order is replayed into.
 */
import fc from "fast-check";
import { createEngine } from "../src/engine.ts";
import type { ShardedEngine } from "../src/shards/cluster.ts";
import { MatchingShard } from "../src/shards/matching-shard.ts";
import type { ShardMap } from "../src/shards/shard-map.ts";
import type { Command, Engine, EngineEvent } from "../src/types.ts";
import { materialize, type Step, USERS } from "./gen.ts";

/**
 * The generator's streams as an API in front of shards would send them: order ids unique (the API
 * assigns them; the generator's deliberate id reuse tests the single engine's ORDER_ID_EXISTS, which
 * across shards is the API's job) and clientOrderIds scoped to their market (a clientOrderId is
 * remembered by the market's matching shard) and CREDIT/DEBIT refs scoped to their user (an outbox
 * id repeats only for its own command; refs are remembered by the user's risk shard).
 * clientAmendIds are scoped to the market of the order they amend (remembered by its shard).
 * `cids: false` drops clientOrderIds and clientAmendIds.
 */
export function shardedStream(input: readonly Step[], cids: boolean): Command[] {
  const steps = input.map((s) =>
    s.op.k === "order" || s.op.k === "amend"
      ? { ...s, op: { ...s.op, reuseId: null, cid: cids ? s.op.cid : null } }
      : s,
  );
  const marketOf = new Map<string, string>();
  return materialize(steps).map((c) => {
    const o = c as Command | null;
    if (o?.type === "PLACE_ORDER" && typeof o.orderId === "string" && !marketOf.has(o.orderId))
      marketOf.set(o.orderId, o.marketId);
    if (o?.type === "AMEND_ORDER" && o.clientAmendId !== undefined)
      return { ...o, clientAmendId: `${o.clientAmendId}@${marketOf.get(o.orderId) ?? "nowhere"}` };
    if (o?.type === "PLACE_ORDER" && o.clientOrderId !== undefined)
      return { ...o, clientOrderId: `${o.clientOrderId}@${o.marketId}` };
    if ((o?.type === "CREDIT" || o?.type === "DEBIT") && typeof o.ref === "string")
      return { ...o, ref: `${o.ref}@${o.userId}` };
    return c;
  });
}

export const MARKETS = ["m0", "m1", "m2"];

/** N, M in 1..3 and where the fixed markets and users live (new markets go by hash). */
export const placement = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    m: fc.integer({ min: 1, max: 3 }),
    markets: fc.array(fc.nat({ max: 2 }), { minLength: 3, maxLength: 3 }),
    users: fc.array(fc.nat({ max: 2 }), { minLength: USERS.length, maxLength: USERS.length }),
  })
  .map(
    ({ n, m, markets, users }): ShardMap => ({
      version: 1,
      matchingShards: n,
      riskShards: m,
      markets: Object.fromEntries(MARKETS.map((id, i) => [id, markets[i] % n])),
      users: Object.fromEntries(USERS.map((id, i) => [id, users[i] % m])),
    }),
  );

/** Cash every user has in a replay engine: far more than any stream spends. */
export const UNLIMITED = 1_000_000_000_000;

export interface Replay {
  engine: Engine;
  events: EngineEvent[];
  /** Submission index → result code in the replay. */
  codes: Map<number, string>;
}

/**
 * The single engine fed matching shard `k`'s input in the order the shard acted on it: a user when
 * its USER arrived (funded without limit: funds are risk's decision, compared separately), each
 * command where it completed — a parked BUY where its answer arrived — and the BUYs risk refused
 * left out (with unlimited cash the engine would accept them; their only trace at the shard is the
 * ORDER_REJECTED, removed from the comparison).
 */
export function replayMatchingShard(c: ShardedEngine, k: number, commands: readonly unknown[]): Replay {
  const shard = c.matching[k];
  if (!(shard instanceof MatchingShard)) throw new Error("not a matching shard");
  const engine = createEngine();
  const events: EngineEvent[] = [];
  const codes = new Map<number, string>();
  const inputs = c.inputs.get(shard.id) ?? [];
  const receipts = c.receipts.get(shard.id) ?? [];
  const completed = new Map<number, number>();
  for (const x of c.completedAt.get(shard.id) ?? []) completed.set(x.input, x.index);
  const feed = (cmd: unknown) => {
    const r = engine.apply(cmd as Command);
    for (const e of r.events) events.push(e);
    return r;
  };
  inputs.forEach((input, i) => {
    if (input.kind === "message" && input.env.msg.type === "USER" && receipts[i] === "APPLIED") {
      // Only an applied USER opened the user; a duplicate or a gap did nothing.
      const userId = input.env.msg.userId;
      feed({ type: "CREATE_USER", userId, ts: 0 });
      feed({
        type: "CREDIT",
        userId,
        amountPaise: UNLIMITED,
        ref: `unlimited-${userId}`,
        kind: "DEPOSIT",
        ts: 0,
      });
    }
    const index = completed.get(i);
    if (index === undefined) return;
    const result = c.results[index];
    if (result?.code === "INSUFFICIENT_FUNDS") return;
    codes.set(index, feed(commands[index]).code);
  });
  return { engine, events, codes };
}

/** Events as the matching side sees them: cash events are risk's; seq is per stream, so left out. */
export function matchingEvents(events: readonly EngineEvent[]): unknown[] {
  return events
    .filter(
      (e) =>
        e.type !== "BALANCE" &&
        e.type !== "USER_CREATED" &&
        e.type !== "CREDITED" &&
        !(e.type === "ORDER_REJECTED" && e.code === "INSUFFICIENT_FUNDS"),
    )
    .map(({ seq: _seq, ...rest }) => rest);
}
