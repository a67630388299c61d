import { type Market, Order, type Trader } from "./state.ts";
import type { OrderView } from "./types.ts";

/**
 * Bounded idempotency memory (SEMANTICS.md "Idempotency memory"). The engine remembers each
 * (userId, clientOrderId) and each CREDIT/DEBIT ref with the engine clock at the time, where the
 * clock is the highest command `ts` seen so far (command time, stamped at the edge; the engine never
 * reads a real clock). An entry is forgotten once `at + window <= clock`, and a market's
 * clientOrderIds are forgotten when it resolves or is voided. Entries sit in a FIFO whose stamps
 * never decrease, so expiry pops from the head; a popped entry only deletes the map entry it was
 * queued for (the stamps must match), so an entry forgotten early or re-remembered later is safe.
 */

export interface EngineConfig {
  /** How long (command time, ms) a clientOrderId or CREDIT/DEBIT ref is remembered. Default 24 h. */
  dedupeWindowMs?: number;
}

export const DEFAULT_DEDUPE_WINDOW_MS = 24 * 60 * 60 * 1000;

export function dedupeWindowOf(config: EngineConfig | undefined): number {
  const w = config?.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
  if (!Number.isSafeInteger(w) || w < 1)
    throw new Error(`engine: dedupeWindowMs must be a positive integer, got ${w}`);
  return w;
}

/**
 * One core's remembered keys in the order they were remembered, with the clock they age by. Risk
 * keeps its refs here (user null), matching its clientOrderIds; both see every command's ts.
 */
export class DedupeQueue {
  at: number[] = [];
  user: (Trader | null)[] = [];
  key: string[] = [];
  head = 0;
  /** Highest command ts seen: the clock of the idempotency window. */
  clock = 0;
  constructor(readonly windowMs: number = DEFAULT_DEDUPE_WINDOW_MS) {}

  push(at: number, user: Trader | null, key: string): void {
    this.at.push(at);
    this.user.push(user);
    this.key.push(key);
  }

  get size(): number {
    return this.at.length - this.head;
  }
}

/**
 * A command with this `ts` has arrived: move the clock forward and forget what fell out of the
 * window (refs from `refs`, clientOrderIds from their trader).
 */
export function advanceClock(q: DedupeQueue, ts: number, refs: Map<string, number> | null): void {
  if (ts <= q.clock) return;
  q.clock = ts;
  const limit = ts - q.windowMs;
  let h = q.head;
  const n = q.at.length;
  while (h < n && q.at[h] <= limit) {
    const at = q.at[h];
    const u = q.user[h];
    const key = q.key[h];
    if (u === null) {
      if (refs !== null && refs.get(key) === at) refs.delete(key);
    } else if (u.clientAt !== null && u.clientAt.get(key) === at) {
      u.clientAt.delete(key);
      (u.clientOrders as Map<string, Order | OrderView>).delete(key);
    }
    q.user[h] = null;
    h++;
  }
  q.head = h;
  if (h > 4096 && h * 2 > n) {
    q.at.splice(0, h);
    q.user.splice(0, h);
    q.key.splice(0, h);
    q.head = 0;
  }
}

export function rememberClientOrder(q: DedupeQueue, u: Trader, cid: string, record: Order | OrderView): void {
  if (u.clientOrders === null) u.clientOrders = new Map();
  if (u.clientAt === null) u.clientAt = new Map();
  u.clientOrders.set(cid, record);
  u.clientAt.set(cid, q.clock);
  q.push(q.clock, u, cid);
}

export function rememberRef(q: DedupeQueue, refs: Map<string, number>, ref: string): void {
  refs.set(ref, q.clock);
  q.push(q.clock, null, ref);
}

/** `ts` is too old to tell a repeat from a new ref: its first application may have been forgotten. */
export function refTooOld(q: DedupeQueue, ts: number): boolean {
  return ts <= q.clock - q.windowMs;
}

/** The market resolved or was voided: its clientOrderIds can never place again, so forget them. */
export function forgetMarket(traders: readonly Trader[], m: Market): void {
  for (const u of traders) {
    const map = u.clientOrders;
    if (map === null) continue;
    for (const [cid, r] of map) {
      const marketId = r instanceof Order ? r.market.id : r.marketId;
      if (marketId !== m.id) continue;
      map.delete(cid);
      (u.clientAt as Map<string, number>).delete(cid);
    }
  }
}
