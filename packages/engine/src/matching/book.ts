import { BID, type Market, type Order, type OwnerLists } from "../state.ts";
import type { MatchingCore } from "./core.ts";

/**
 * Matching: price levels are arrays indexed by yesPrice / tick, each a FIFO of orders linked
 * through `prev`/`next` so a cancel is O(1). Best-bid/best-ask indexes move only when a level
 * empties or a better one appears. A resting order is also linked (`uprev`/`unext`) into a list
 * per (user, market) kept in `MatchingCore.owners`, indexed by the owner's holding slot (the
 * matching core's one per-user-per-market handle), so CANCEL_ALL and openOrders need no map of
 * users per market.
 */

export function levelIndex(o: Order): number {
  return o.yesPrice / o.market.tick;
}

/** Append a resting order at the tail of its level and to its owner's list. */
export function rest(s: MatchingCore, o: Order): void {
  const m = o.market;
  const i = levelIndex(o);
  const level = o.bookSide === BID ? m.bids[i] : m.asks[i];
  o.prev = level.tail;
  o.next = null;
  if (level.tail === null) level.head = o;
  else level.tail.next = o;
  level.tail = o;
  level.qty += o.remaining;
  if (o.bookSide === BID) {
    if (i > m.bestBid) m.bestBid = i;
  } else if (i < m.bestAsk) {
    m.bestAsk = i;
  }
  const t = s.owners;
  while (t.heads.length <= o.slot) {
    t.heads.push(null);
    t.tails.push(null);
  }
  const tail = t.tails[o.slot];
  o.uprev = tail;
  o.unext = null;
  if (tail === null) t.heads[o.slot] = o;
  else tail.unext = o;
  t.tails[o.slot] = o;
}

/** Take a resting order out of its level (its `remaining` must still be counted in the level). */
export function unrest(s: MatchingCore, o: Order): void {
  const m = o.market;
  const i = levelIndex(o);
  const isBid = o.bookSide === BID;
  const level = isBid ? m.bids[i] : m.asks[i];
  if (o.prev === null) level.head = o.next;
  else o.prev.next = o.next;
  if (o.next === null) level.tail = o.prev;
  else o.next.prev = o.prev;
  o.prev = null;
  o.next = null;
  level.qty -= o.remaining;
  if (level.head === null) {
    if (isBid) {
      if (i === m.bestBid) {
        let b = i - 1;
        while (b > 0 && m.bids[b].head === null) b--;
        m.bestBid = b;
      }
    } else if (i === m.bestAsk) {
      let a = i + 1;
      while (a < m.size && m.asks[a].head === null) a++;
      m.bestAsk = a;
    }
  }
  const t = s.owners;
  if (o.uprev === null) t.heads[o.slot] = o.unext;
  else o.uprev.unext = o.unext;
  if (o.unext === null) t.tails[o.slot] = o.uprev;
  else o.unext.uprev = o.uprev;
  o.uprev = null;
  o.unext = null;
}

/** Every open order of the market in ascending acceptedSeq. */
export function openOrdersOf(m: Market): Order[] {
  const out: Order[] = [];
  for (let i = 1; i < m.size; i++) {
    for (let o = m.bids[i].head; o !== null; o = o.next) out.push(o);
    for (let o = m.asks[i].head; o !== null; o = o.next) out.push(o);
  }
  return out.sort((a, b) => a.acceptedSeq - b.acceptedSeq);
}

/** A user's open orders in one market (the list of their holding slot), appended to `out`. */
export function openOrdersIn(t: OwnerLists, slot: number, out: Order[]): void {
  for (let o = t.head(slot); o !== null; o = o.unext) out.push(o);
}
