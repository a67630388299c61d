import {
  NO_BUY_OPEN,
  NO_LOCKED,
  NO_QTY,
  STRIDE,
  YES_BUY_OPEN,
  YES_LOCKED,
  YES_QTY,
} from "../matching/positions.ts";
import type { MatchingShard } from "./matching-shard.ts";
import type { RiskShard } from "./risk-shard.ts";
import { riskName } from "./shard-map.ts";
import type { Envelope } from "./wire.ts";

/**
 * SPEC §4 across every shard, counting what is in flight between them (README "Conservation across
 * shards"). Returns the totals; throws on the first violation (a bug, never a business outcome).
 *
 * - money: Σ risk (available + locked + fees) + Σ matching escrow + Σ in flight = credits − debits,
 *   where an envelope in flight counts what it will add to risk when applied: a buyer's FILL
 *   −value, a seller's FILL +value, a PAYOUT +paise; RESERVE, its answer and RELEASE move nothing
 *   between users and the rest of the system;
 * - locks: each user's locked cash at risk = what that user's open BUYs lock on every matching
 *   shard + grants in flight back to a parked order + FILL unlocks and RELEASEs in flight;
 * - no negative cash; per market escrow = 1000 × pairs = 1000 × Σ YES = 1000 × Σ NO; locked
 *   shares = open SELLs; the open-BUY count of the position limit = open BUYs' remaining.
 */
export interface ClusterTotals {
  creditsPaise: number;
  debitsPaise: number;
  feesPaise: number;
  availablePaise: number;
  lockedPaise: number;
  escrowPaise: number;
  inFlightPaise: number;
  inFlight: number;
}

export function inFlightEffect(env: Envelope): number {
  const m = env.msg;
  if (m.type === "FILL") return m.isBuy ? -m.valuePaise : m.valuePaise;
  if (m.type === "PAYOUT") return m.paise;
  return 0;
}

/** What the audit reads: every shard's state and the envelopes in flight (ShardedEngine is one). */
export interface AuditableCluster {
  readonly matching: readonly MatchingShard[];
  readonly risk: readonly RiskShard[];
  inFlight(): Envelope[];
}

/**
 * The envelopes in flight between shards known only by their states (separate processes): per
 * link, what the sender still holds unacknowledged beyond what the receiver has applied.
 */
export function inFlightBetween(shards: readonly (MatchingShard | RiskShard)[]): Envelope[] {
  const byId = new Map(shards.map((s) => [s.id, s]));
  const out: Envelope[] = [];
  for (const s of shards)
    for (const [to, q] of s.links.unacked) {
      const applied = byId.get(to)?.links.received.get(s.id) ?? 0;
      for (const e of q) if (e.seq > applied) out.push(e);
    }
  return out;
}

export function auditCluster(c: AuditableCluster): ClusterTotals {
  const t: ClusterTotals = {
    creditsPaise: 0,
    debitsPaise: 0,
    feesPaise: 0,
    availablePaise: 0,
    lockedPaise: 0,
    escrowPaise: 0,
    inFlightPaise: 0,
    inFlight: 0,
  };
  const fail = (why: string): never => {
    throw new Error(`cluster audit: ${why}`);
  };
  const expectLocked = new Map<string, number>();
  const addLock = (key: string, paise: number) => expectLocked.set(key, (expectLocked.get(key) ?? 0) + paise);
  for (const env of c.inFlight()) {
    t.inFlight++;
    t.inFlightPaise += inFlightEffect(env);
    const m = env.msg;
    if (m.type === "RESERVE_ANSWER" && m.ok) addLock(`${env.from}:${m.user}`, m.lockedPaise);
    else if (m.type === "FILL" && m.isBuy) addLock(`${env.to}:${m.user}`, m.unlockPaise);
    else if (m.type === "RELEASE") addLock(`${env.to}:${m.user}`, m.paise);
  }
  for (const ms of c.matching) {
    for (const [key, paise] of ms.openLocks()) {
      const [k, h] = key.split(":");
      addLock(`${riskName(Number(k))}:${h}`, paise);
    }
    const mc = ms.state.matching;
    const pos = mc.positions;
    const d = pos.data;
    const yes = new Map<number, number>();
    const no = new Map<number, number>();
    const sellYes = new Map<number, number>();
    const sellNo = new Map<number, number>();
    const buyYes = new Map<number, number>();
    const buyNo = new Map<number, number>();
    const inc = (m: Map<number, number>, k: number, v: number) => m.set(k, (m.get(k) ?? 0) + v);
    for (const o of mc.orders.values()) {
      if (o.isBuy) inc(o.isYes ? buyYes : buyNo, o.slot, o.remaining);
      else inc(o.isYes ? sellYes : sellNo, o.slot, o.remaining);
    }
    for (let slot = 0; slot < pos.count; slot++) {
      const b = slot * STRIDE;
      const mh = pos.marketOf[slot];
      for (const [v, what] of [
        [d[b + YES_QTY], "YES"],
        [d[b + NO_QTY], "NO"],
      ] as const)
        if (!Number.isSafeInteger(v) || v < 0) fail(`${ms.id} slot ${slot} ${what} ${v}`);
      inc(yes, mh, d[b + YES_QTY]);
      inc(no, mh, d[b + NO_QTY]);
      if (
        d[b + YES_LOCKED] !== (sellYes.get(slot) ?? 0) ||
        d[b + NO_LOCKED] !== (sellNo.get(slot) ?? 0) ||
        d[b + YES_BUY_OPEN] !== (buyYes.get(slot) ?? 0) ||
        d[b + NO_BUY_OPEN] !== (buyNo.get(slot) ?? 0)
      )
        fail(`${ms.id} slot ${slot}: locked shares or open BUYs disagree with the open orders`);
      if (d[b + YES_LOCKED] > d[b + YES_QTY] || d[b + NO_LOCKED] > d[b + NO_QTY])
        fail(`${ms.id} slot ${slot} locks more shares than held`);
    }
    for (const m of mc.markets) {
      if (m.escrow !== 1000 * m.pairs) fail(`${m.id}: escrow ${m.escrow} ≠ 1000 × ${m.pairs}`);
      if ((yes.get(m.handle) ?? 0) !== m.pairs || (no.get(m.handle) ?? 0) !== m.pairs)
        fail(`${m.id}: ${yes.get(m.handle)} YES / ${no.get(m.handle)} NO for ${m.pairs} pairs`);
      t.escrowPaise += m.escrow;
    }
  }
  for (const rs of c.risk) {
    const risk = rs.state.risk;
    t.creditsPaise += risk.credits;
    t.debitsPaise += risk.debits;
    t.feesPaise += risk.fees;
    for (let h = 0; h < risk.size; h++) {
      const a = risk.available(h);
      const l = risk.locked(h);
      if (!Number.isSafeInteger(a) || a < 0 || !Number.isSafeInteger(l) || l < 0)
        fail(`${rs.id} ${risk.ids[h]}: available ${a}, locked ${l}`);
      t.availablePaise += a;
      t.lockedPaise += l;
      const want = expectLocked.get(`${rs.id}:${h}`) ?? 0;
      if (l !== want)
        fail(`${rs.id} ${risk.ids[h]}: locked ${l}, open orders and in-flight account for ${want}`);
      expectLocked.delete(`${rs.id}:${h}`);
    }
  }
  for (const [key, paise] of expectLocked) if (paise !== 0) fail(`locks ${paise} for unknown user ${key}`);
  const lhs = t.availablePaise + t.lockedPaise + t.feesPaise + t.escrowPaise + t.inFlightPaise;
  if (lhs !== t.creditsPaise - t.debitsPaise)
    fail(`conservation: ${JSON.stringify(t)}: ${lhs} ≠ ${t.creditsPaise - t.debitsPaise}`);
  return t;
}
