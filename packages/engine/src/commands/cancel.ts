import type { MatchingCore } from "../matching/core.ts";
import { cancelResting } from "../matching/match.ts";
import type { Order, Trader } from "../state.ts";
import type { CancelAllCommand, CancelOrderCommand, Result } from "../types.ts";
import { isId } from "../validate.ts";
import { viewOf } from "../views.ts";

/** CANCEL_ORDER and CANCEL_ALL in the matching core. Other users' orders look unknown. */

export function cancelOrder(s: MatchingCore, c: CancelOrderCommand): Result {
  if (!isId(c.userId) || !isId(c.orderId)) return { code: "INVALID_COMMAND", events: [] };
  const o = s.orders.get(c.orderId);
  let u: Trader;
  // Users are never removed, so an order owned by this id proves the user exists: skip that probe.
  if (o !== undefined && o.owner.id === c.userId) {
    u = o.owner;
  } else {
    const uh = s.users.get(c.userId);
    if (uh === undefined) return { code: "USER_NOT_FOUND", events: [] };
    u = s.traders[uh];
  }
  if (o === undefined || o.owner !== u || o.status !== "OPEN") return { code: "UNKNOWN_ORDER", events: [] };
  cancelResting(s, o, "USER");
  s.risk.reportBalance(u.handle);
  s.out.position(u, o.market, s.positions, o.slot);
  return { code: "OK", events: s.out.events, order: viewOf(o) };
}

export function cancelAll(s: MatchingCore, c: CancelAllCommand): Result {
  if (!isId(c.userId) || (c.marketId !== undefined && !isId(c.marketId)))
    return { code: "INVALID_COMMAND", events: [] };
  const uh = s.users.get(c.userId);
  if (uh === undefined) return { code: "USER_NOT_FOUND", events: [] };
  const u = s.traders[uh];
  let slots: number[];
  if (c.marketId !== undefined) {
    const mh = s.marketIndex.get(c.marketId);
    if (mh === undefined) return { code: "MARKET_NOT_FOUND", events: [] };
    slots = [s.positions.find(uh, mh)];
  } else {
    // Every market: those where the user rests an order, in ascending marketId (types.ts §4), so a
    // sharded engine's join of its shards' answers is this answer.
    const t = s.positions;
    slots = t.chain(u.firstSlot).filter((slot) => s.owners.head(slot) !== null);
    slots.sort((a, b) => {
      const x = s.markets[t.marketOf[a]].id;
      const y = s.markets[t.marketOf[b]].id;
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  let any = false;
  for (const slot of slots) {
    let o: Order | null = s.owners.head(slot);
    while (o !== null) {
      const next: Order | null = o.unext;
      cancelResting(s, o, "USER");
      any = true;
      o = next;
    }
  }
  if (!any) return { code: "OK", events: [] };
  s.risk.reportBalance(u.handle);
  for (const slot of slots) s.out.position(u, s.markets[s.positions.marketOf[slot]], s.positions, slot);
  return { code: "OK", events: s.out.events };
}
