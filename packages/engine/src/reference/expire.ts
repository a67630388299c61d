import type { ExpireOrdersCommand, Result } from "../types.ts";
import { closeOrder, emitBalance, emitPosition, expiredAt, restingOrders } from "./orders.ts";
import { createEmitter, type RefState } from "./state.ts";

/** EXPIRE_ORDERS (types.ts header, item 4): market by market, due GTD orders by (expiresAt, acceptedSeq). */
export function expireOrders(state: RefState, cmd: ExpireOrdersCommand): Result {
  const out = createEmitter(state, cmd.ts);
  for (const market of state.markets) {
    const due = restingOrders(state, market)
      .filter((o) => expiredAt(o, cmd.ts))
      .sort((a, b) => (a.expiresAt as number) - (b.expiresAt as number) || a.acceptedSeq - b.acceptedSeq);
    const owners: string[] = [];
    for (const order of due) {
      if (!owners.includes(order.userId)) owners.push(order.userId);
      closeOrder(state, out, order, "EXPIRED", "GTD");
    }
    for (const userId of owners) emitBalance(state, out, userId);
    for (const userId of owners) emitPosition(state, out, userId, market.marketId);
  }
  return { code: "OK", events: out.events };
}

/** The earliest expiresAt among open orders, or null. */
export function nextExpiry(state: RefState): number | null {
  let next: number | null = null;
  for (const market of state.markets)
    for (const o of restingOrders(state, market))
      if (o.expiresAt !== null && (next === null || o.expiresAt < next)) next = o.expiresAt;
  return next;
}
