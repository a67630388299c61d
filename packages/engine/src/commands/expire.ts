import type { MatchingCore } from "../matching/core.ts";
import { expireResting, meet } from "../matching/match.ts";
import type { ExpireOrdersCommand, Result } from "../types.ts";

/**
 * EXPIRE_ORDERS in the matching core: per market in creation order, every open GTD order with
 * `expiresAt <= ts` in ascending (expiresAt, acceptedSeq) closes EXPIRED/GTD (lock released,
 * BOOK_DELTA); then BALANCE and POSITION of the owners met in that market. A matching shard runs it
 * over its own markets (the shell sends it to every shard). The shell stamps `ts` from its clock;
 * the engine only compares it.
 */
export function expireOrders(s: MatchingCore, c: ExpireOrdersCommand): Result {
  const now = c.ts;
  for (const m of s.markets) {
    const heap = m.expiries;
    if (heap.size === 0 || heap.peek() > now) continue;
    s.epoch++;
    s.met.count = 0;
    while (heap.peek() <= now) {
      const o = heap.order[0];
      heap.pop();
      meet(s, o.owner, o.slot);
      expireResting(s, o);
    }
    const met = s.met.list;
    const slots = s.met.slots;
    const n = s.met.count;
    for (let i = 0; i < n; i++) s.risk.reportBalance(met[i].handle);
    for (let i = 0; i < n; i++) s.out.position(met[i], m, s.positions, slots[i]);
  }
  return { code: "OK", events: s.out.events };
}

/** The earliest expiresAt of an open GTD order in any market, or null. */
export function nextExpiry(s: MatchingCore): number | null {
  let next = Number.POSITIVE_INFINITY;
  for (const m of s.markets) {
    const at = m.expiries.peek();
    if (at < next) next = at;
  }
  return next === Number.POSITIVE_INFINITY ? null : next;
}
