import { forget } from "../order-index.ts";
import { affordableQty, fillFee } from "../risk/terms.ts";
import { BID, type Level, type Order, type Trader } from "../state.ts";
import { levelIndex, unrest } from "./book.ts";
import type { MatchingCore } from "./core.ts";
import { releaseRemainder, settleFill } from "./settle.ts";

/**
 * The match loop: walk the opposite side of the unified book, best level first, FIFO inside a
 * level, executing at the maker's price. Shares, pairs and escrow move here (they are the
 * market's); each party's cash leaves as a FILL message through matching/settle.ts. Fees and budget
 * sizes come from risk's schedule (risk/terms.ts) on the terms risk granted.
 */

/**
 * Note that `a` took part in the current command (first appearance order, MatchingCore.met).
 * `slot`: the user's position slot in the command's market (saves a table probe when reporting).
 */
export function meet(s: MatchingCore, a: Trader, slot: number): void {
  if (a.mark !== s.epoch) {
    a.mark = s.epoch;
    const met = s.met;
    met.slots[met.count] = slot;
    met.list[met.count++] = a;
  }
}

/** Own price of a fill at YES price `y` for `o`. */
function ownPrice(o: Order, y: number): number {
  return o.isYes ? y : 1000 - y;
}

/** Cancel a resting order (STP, user or resolution) and emit ORDER_CLOSED + BOOK_DELTA. */
export function cancelResting(
  s: MatchingCore,
  o: Order,
  reason: "USER" | "SELF_TRADE" | "MARKET_RESOLVED",
): void {
  closeResting(s, o, "CANCELLED", reason);
}

/** A resting GTD order's time came: ORDER_CLOSED{EXPIRED, GTD} + BOOK_DELTA, its lock released. */
export function expireResting(s: MatchingCore, o: Order): void {
  closeResting(s, o, "EXPIRED", "GTD");
}

function closeResting(
  s: MatchingCore,
  o: Order,
  status: "CANCELLED" | "EXPIRED",
  reason: "USER" | "SELF_TRADE" | "MARKET_RESOLVED" | "GTD",
): void {
  const qty = o.remaining;
  unrest(s, o);
  o.remaining = 0;
  o.status = status;
  forget(s, o);
  const cash = releaseRemainder(s, o, qty);
  s.out.orderClosed(o, status, reason, qty, cash, o.isBuy ? 0 : qty);
  s.out.bookDelta(o.market, o.bookSide, levelIndex(o));
}

/**
 * Match taker `t` against the book. Returns when filled, out of levels, or out of budget (false),
 * or at its first own resting order when its stp is CANCEL_TAKER (true: the caller cancels it).
 */
export function match(s: MatchingCore, t: Order): boolean {
  const m = t.market;
  const isBid = t.bookSide === BID;
  const limit = levelIndex(t);
  const tick = m.tick;
  const takerBps = m.takerBps;
  const makerBps = m.makerBps;
  const levels: Level[] = isBid ? m.asks : m.bids;
  const makerSide = isBid ? 1 : 0;
  // Walk levels by index rather than re-reading the best index: a budget-limited fill leaves a
  // partly filled maker behind and the walk must still move on past it (each order is met once).
  const now = s.out.ts; // the command's time (an amended order's own ts is older)
  const takerStops = t.stp === "CANCEL_TAKER";
  let i = isBid ? m.bestAsk : m.bestBid;
  while (t.remaining > 0 && (isBid ? i < m.size && i <= limit : i > 0 && i >= limit)) {
    const level = levels[i];
    const y = i * tick;
    const eTaker = ownPrice(t, y);
    let mk = level.head;
    while (mk !== null && t.remaining > 0) {
      const next: Order | null = mk.next;
      if (mk.expiresAt <= now) {
        meet(s, mk.owner, mk.slot);
        expireResting(s, mk);
        mk = next;
        continue;
      }
      if (mk.owner === t.owner) {
        if (takerStops) return true;
        cancelResting(s, mk, "SELF_TRADE");
        mk = next;
        continue;
      }
      let q = Math.min(t.remaining, mk.remaining);
      if (t.budget >= 0) {
        const k = affordableQty(t.budget, eTaker, takerBps);
        if (k === 0) return false;
        if (k < q) q = k;
      }
      const eMaker = ownPrice(mk, y);
      const takerFee = fillFee(eTaker, q, takerBps);
      const makerFee = fillFee(eMaker, q, makerBps);
      if (mk.isBuy === t.isBuy) {
        if (t.isBuy) {
          m.pairs += q;
          m.escrow += 1000 * q;
        } else {
          m.pairs -= q;
          m.escrow -= 1000 * q;
        }
      }
      settleFill(s, mk, eMaker, q, makerFee);
      settleFill(s, t, eTaker, q, takerFee);
      level.qty -= q;
      m.lastYesPrice = y;
      m.volume += q;
      meet(s, mk.owner, mk.slot);
      s.out.trade(mk, t, q, y, makerFee, takerFee);
      if (mk.remaining === 0) {
        unrest(s, mk);
        mk.status = "FILLED";
        forget(s, mk);
        s.out.orderClosed(mk, "FILLED", "FILLED", 0, 0, 0);
      }
      s.out.bookDelta(m, makerSide, i);
      mk = next;
    }
    if (isBid) {
      i++;
      while (i < m.size && levels[i].head === null) i++;
    } else {
      i--;
      while (i > 0 && levels[i].head === null) i--;
    }
  }
  return false;
}

/**
 * FOK pre-check: can `t` fill completely now against other users' orders that have not expired
 * (and within its budget, and before its first own order under CANCEL_TAKER, exactly as the loop
 * would)? Reads only.
 */
export function fillable(t: Order, now: number): boolean {
  const m = t.market;
  const isBid = t.bookSide === BID;
  const limit = levelIndex(t);
  const levels: Level[] = isBid ? m.asks : m.bids;
  const bps = m.takerBps;
  let need = t.remaining;
  let budget = t.budget;
  const takerStops = t.stp === "CANCEL_TAKER";
  let i = isBid ? m.bestAsk : m.bestBid;
  while (isBid ? i < m.size && i <= limit : i > 0 && i >= limit) {
    const e = ownPrice(t, i * m.tick);
    for (let o = levels[i].head; o !== null; o = o.next) {
      if (o.expiresAt <= now) continue;
      if (o.owner === t.owner) {
        if (takerStops) return false;
        continue;
      }
      let q = Math.min(need, o.remaining);
      if (budget >= 0) {
        const k = affordableQty(budget, e, bps);
        if (k === 0) return false;
        if (k < q) q = k;
        budget -= e * q + fillFee(e, q, bps);
      }
      need -= q;
      if (need === 0) return true;
    }
    i = isBid ? i + 1 : i - 1;
  }
  return false;
}
