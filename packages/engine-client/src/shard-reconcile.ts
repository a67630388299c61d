/**
 * `npm run reconcile` on a sharded deployment: every shard rebuilt from its own log (the records'
 * inputs, in order, through the engine library's MatchingShard / RiskShard), up to what the
 * persister has written of that log, then SPEC §4 across all shards counting what is in flight
 * between them (audit.ts), and the shards against Postgres (reconcile.ts) with that in-flight cash
 * counted per user.
 *
 * The cut must be consistent: a receiver's log prefix may only have applied envelopes that the
 * sender's prefix has sent. The persister commits each topic on its own, so a cut taken while
 * traffic flows may not be; `consistentCut` says so and the caller reads again.
 */
import type { EventLog } from "@ox/bus";
import { peerInputOf, type ShardLogBatch } from "@ox/contracts/pipeline";
import { createFenceFilter } from "@ox/contracts/shard-fence";
import type { EngineTotals, MarketView } from "@ox/engine";
import {
  auditCluster,
  type ClusterTotals,
  inFlightBetween,
  inFlightEffect,
  MatchingShard,
  RiskShard,
  ShardedEngine,
  type ShardMap,
} from "@ox/engine/shards";
import type { EngineSource } from "./reconcile.ts";

export interface ReplayedShards {
  matching: MatchingShard[];
  risk: RiskShard[];
  /** The first record whose events the library did not reproduce, if any. */
  diverged: { shard: string; offset: number } | null;
  /** The log offset each shard's replay started from (past 0 when it started from a snapshot). */
  startedAt: Record<string, number>;
}

/** Where a shard's replay may start: its state after log records [0, offset) (a snapshot). */
export interface ShardStart {
  offset: number;
  /** The shard's snapshot() bytes. */
  state: Uint8Array;
  /** The index the shard service gives its next command input (parked commands hold earlier ones). */
  nextIndex: number;
  /** The fence epoch the shard held there (shard-fence.ts): older incarnations' records apply nothing. */
  epoch: number;
}

/** Events equal but for `seq` (the deployment may number seqs across shards, shard-log.ts). */
const sameEvents = (a: readonly object[], b: readonly object[]) =>
  JSON.stringify(a.map(({ seq: _s, ...e }: { seq?: number }) => e)) ===
  JSON.stringify(b.map(({ seq: _s, ...e }: { seq?: number }) => e));

/**
 * Each shard from its log's records [0, upTo(shard)) (log records: batches of inputs), or, when
 * `startOf` gives it a start at or below upTo, restored from that state and replayed over
 * [start.offset, upTo(shard)) only.
 */
export async function replayShards(
  map: ShardMap,
  logOf: (shard: string) => EventLog<ShardLogBatch>,
  upTo: (shard: string) => number,
  dedupeWindowMs?: number,
  startOf?: (shard: string) => ShardStart | null | undefined,
): Promise<ReplayedShards> {
  const startedAt: Record<string, number> = {};
  const nextIndex: Record<string, number> = {};
  const epochs: Record<string, number> = {};
  const initial = <S>(id: string, fresh: () => S, restore: (bytes: Uint8Array) => S): S => {
    const start = startOf?.(id);
    if (start && start.offset <= upTo(id)) {
      startedAt[id] = start.offset;
      nextIndex[id] = start.nextIndex;
      epochs[id] = start.epoch;
      return restore(start.state);
    }
    startedAt[id] = 0;
    return fresh();
  };
  const matching = Array.from({ length: map.matchingShards }, (_, k) =>
    initial(
      `m${k}`,
      () => new MatchingShard(k, map, dedupeWindowMs),
      (b) => MatchingShard.restore(b, map, dedupeWindowMs),
    ),
  );
  const risk = Array.from({ length: map.riskShards }, (_, k) =>
    initial(
      `r${k}`,
      () => new RiskShard(k, map, dedupeWindowMs),
      (b) => RiskShard.restore(b, map, dedupeWindowMs),
    ),
  );
  let diverged: ReplayedShards["diverged"] = null;
  for (const s of [...matching, ...risk]) {
    const log = logOf(s.id);
    const end = upTo(s.id);
    // From a snapshot: the fence epoch it held, and commands numbered on from its next input index.
    const fence = createFenceFilter(epochs[s.id] ?? 0);
    let at = startedAt[s.id] ?? 0;
    let index = nextIndex[s.id] ?? 0;
    while (at < end) {
      const entries = await log.read(at, Math.min(100, end - at)); // log records: batches of inputs
      if (entries.length === 0) break;
      for (const { offset, record: batch } of entries) {
        if (offset >= end) break;
        at = offset + 1;
        // Fences and a superseded incarnation's late log records apply nothing (shard-fence.ts).
        if (!fence.admit(batch)) continue;
        for (const record of batch.records) {
          const { input } = record;
          if (input.kind === "fence") continue;
          const step = s.apply(
            input.kind === "command"
              ? { kind: "command", index: index++, cmd: input.command }
              : peerInputOf(input, s.id),
          );
          s.links.drain(); // what it sent is in the record; nothing to transport here
          if (diverged === null && !sameEvents(step.events, record.events))
            diverged = { shard: s.id, offset };
        }
      }
    }
  }
  return { matching, risk, diverged, startedAt };
}

/** Whether every receiver applied only what its sender had sent, in these states. */
export function consistentCut(shards: readonly (MatchingShard | RiskShard)[]): boolean {
  const byId = new Map(shards.map((s) => [s.id, s]));
  for (const r of shards)
    for (const [from, seq] of r.links.received)
      if ((byId.get(from)?.links.sent.get(r.id) ?? 0) < seq) return false;
  return true;
}

export interface ShardAudit {
  totals: ClusterTotals;
  /** In-flight cash by user id, as it will change that user's cash when applied. */
  byUser: Map<string, number>;
  /** Fees of the FILLs in flight (charged at the user's risk shard when applied). */
  feesPaise: number;
}

/** SPEC §4 over the replayed shards (throws on a violation) and the in-flight cash per user. */
export function auditShards(r: ReplayedShards): ShardAudit {
  const shards = [...r.matching, ...r.risk];
  const inFlight = () => inFlightBetween(shards);
  const totals = auditCluster({ matching: r.matching, risk: r.risk, inFlight });
  const byUser = new Map<string, number>();
  let feesPaise = 0;
  for (const env of inFlight()) {
    if (env.msg.type === "FILL") feesPaise += env.msg.feePaise;
    // The user's cash when applied: the value moved, less the fee (the ledger holds both already).
    const paise = inFlightEffect(env) - (env.msg.type === "FILL" ? env.msg.feePaise : 0);
    if (paise === 0) continue;
    const rs = r.risk.find((s) => s.id === env.to);
    const user = (env.msg as { user?: number }).user;
    const id = rs !== undefined && user !== undefined ? rs.state.risk.ids[user] : undefined;
    if (id !== undefined) byUser.set(id, (byUser.get(id) ?? 0) + paise);
  }
  return { totals, byUser, feesPaise };
}

/** The replayed shards as reconcile's engine: cash from risk shards, holdings from matching shards. */
export function shardsSource(r: ReplayedShards, map: ShardMap): EngineSource {
  // ShardedEngine's reads across shards, over these shards (its own transport is not used).
  const c = new ShardedEngine(map, { record: false });
  for (const s of [...r.matching, ...r.risk]) c.replace(s);
  return {
    userIds: () => r.risk.flatMap((s) => s.state.risk.ids.slice()),
    account: (userId) => c.account(userId),
    positions: (userId) => c.positions(userId),
    markets: () =>
      r.matching.flatMap((m) => m.state.matching.markets.map((mk) => c.market(mk.id) as MarketView)),
    totals(): EngineTotals {
      const t: EngineTotals = {
        creditsPaise: 0,
        debitsPaise: 0,
        feesPaise: 0,
        escrowPaise: 0,
        availablePaise: 0,
        lockedPaise: 0,
      };
      for (const s of r.risk) {
        const risk = s.state.risk;
        t.creditsPaise += risk.credits;
        t.debitsPaise += risk.debits;
        t.feesPaise += risk.fees;
        for (let h = 0; h < risk.size; h++) {
          t.availablePaise += risk.available(h);
          t.lockedPaise += risk.locked(h);
        }
      }
      for (const m of r.matching) for (const mk of m.state.matching.markets) t.escrowPaise += mk.escrow;
      return t;
    },
  };
}
