import type { MatchingCore } from "./matching/core.ts";
import { Order } from "./state.ts";
import type { OrderView } from "./types.ts";
import { viewOf } from "./views.ts";

/**
 * The two indexes over orders: `MatchingCore.orders` (orderId → resting order) and each trader's
 * `clientOrders` (idempotency). Only open orders are kept; when one closes it is dropped, and if it
 * carried a clientOrderId its final view replaces it in `clientOrders`. Closed Order objects are
 * recycled through `MatchingCore.free`.
 */

/** An Order object to initialise: a recycled one when there is one. */
export function freshOrder(s: MatchingCore): Order {
  const o = s.free.pop();
  return o === undefined ? new Order() : o;
}

/** Hand a closed order's object back for reuse (after its last read in this command). */
export function recycle(s: MatchingCore, o: Order): void {
  s.free.push(o);
}

export function rememberResting(s: MatchingCore, o: Order): void {
  s.orders.set(o.id, o);
}

/**
 * A resting order has closed (status and quantities final): drop it from the indexes and recycle
 * it. Its fields stay readable until the next order is initialised (a later command).
 */
export function forget(s: MatchingCore, o: Order): void {
  s.orders.delete(o.id);
  if (o.clientOrderId !== null) keepFinal(o, viewOf(o));
  s.free.push(o);
}

/** Keep the final view of a closed order with a clientOrderId (a private copy of `view`). */
export function keepFinal(o: Order, view: OrderView): void {
  const map = o.owner.clientOrders;
  // Unless the entry was forgotten (window, dedupe.ts) or now belongs to a newer order.
  if (map !== null && map.get(o.clientOrderId as string) === o)
    map.set(o.clientOrderId as string, { ...view });
}
