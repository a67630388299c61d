import { closeOrder, emitBookDelta, expiredAt } from "./orders.ts";
import { type Emitter, mustUser, positionOf, type RefMarket, type RefOrder, type RefState } from "./state.ts";
import { ceilBps } from "./validate.ts";

/** Resting orders the taker's limit crosses, in priority order: best price first, then acceptedSeq. */
export function sortedOpposite(state: RefState, market: RefMarket, taker: RefOrder): RefOrder[] {
  const opposite: RefOrder[] = [];
  for (const index of market.resting) {
    const o = state.orders[index];
    if (o.bookSide === taker.bookSide) continue;
    const crosses =
      taker.bookSide === "BID"
        ? o.yesPricePaise <= taker.yesPricePaise
        : o.yesPricePaise >= taker.yesPricePaise;
    if (crosses) opposite.push(o);
  }
  const better = taker.bookSide === "BID" ? 1 : -1;
  opposite.sort((a, b) => better * (a.yesPricePaise - b.yesPricePaise) || a.acceptedSeq - b.acceptedSeq);
  return opposite;
}

function ownPrice(order: RefOrder, yesPricePaise: number): number {
  return order.outcome === "YES" ? yesPricePaise : 1000 - yesPricePaise;
}

/** Shares the taker may take from one resting order, or 0 to stop (budget exhausted). */
function takeQty(
  market: RefMarket,
  taker: RefOrder,
  remaining: number,
  budget: number | null,
  maker: RefOrder,
): number {
  let q = Math.min(remaining, maker.remainingQty);
  if (budget !== null) {
    const e = ownPrice(taker, maker.yesPricePaise);
    q = Math.min(q, Math.floor(budget / (e + ceilBps(e * market.takerFeeBps))));
  }
  return q;
}

/** What a FOK taker could fill now from other users' orders (a dry run of `runMatch`). */
export function fillableQty(market: RefMarket, taker: RefOrder, opposite: RefOrder[], now: number): number {
  let remaining = taker.remainingQty;
  let budget = taker.budgetLeftPaise;
  for (const maker of opposite) {
    if (remaining === 0) break;
    if (expiredAt(maker, now)) continue;
    if (maker.userId === taker.userId) {
      if (taker.stp === "CANCEL_TAKER") break;
      continue;
    }
    const q = takeQty(market, taker, remaining, budget, maker);
    if (q === 0) break;
    remaining -= q;
    if (budget !== null) {
      const e = ownPrice(taker, maker.yesPricePaise);
      budget -= e * q + ceilBps(e * q * market.takerFeeBps);
    }
  }
  return taker.qty - remaining;
}

/** Moves cash, shares and cost basis for one side of a fill. */
function settle(state: RefState, order: RefOrder, e: number, q: number, fee: number): void {
  const user = mustUser(state, order.userId);
  const pos = positionOf(state, order.userId, order.marketId);
  const yes = order.outcome === "YES";
  if (order.side === "BUY") {
    const cost = e * q + fee;
    if (order.budgetLeftPaise !== null) {
      order.budgetLeftPaise -= cost;
      user.lockedPaise -= cost;
    } else {
      user.lockedPaise -= q * order.lockPerSharePaise;
      user.availablePaise += q * order.lockPerSharePaise - cost;
    }
    if (yes) {
      pos.yesQty += q;
      pos.yesCostPaise += e * q;
    } else {
      pos.noQty += q;
      pos.noCostPaise += e * q;
    }
  } else {
    user.availablePaise += e * q - fee;
    if (yes) {
      pos.yesCostPaise -= Math.floor((pos.yesCostPaise * q) / pos.yesQty);
      pos.yesQty -= q;
      pos.yesLockedQty -= q;
    } else {
      pos.noCostPaise -= Math.floor((pos.noCostPaise * q) / pos.noQty);
      pos.noQty -= q;
      pos.noLockedQty -= q;
    }
  }
  order.filledQty += q;
  order.remainingQty -= q;
  order.filledValuePaise += e * q;
  order.feesPaise += fee;
  state.feesPaise += fee;
}

function fill(
  state: RefState,
  out: Emitter,
  market: RefMarket,
  taker: RefOrder,
  maker: RefOrder,
  q: number,
): void {
  const y = maker.yesPricePaise;
  const takerPrice = ownPrice(taker, y);
  const makerPrice = ownPrice(maker, y);
  const takerFee = ceilBps(takerPrice * q * market.takerFeeBps);
  const makerFee = ceilBps(makerPrice * q * market.makerFeeBps);
  const kind = taker.side !== maker.side ? "TRANSFER" : taker.side === "BUY" ? "MINT" : "MERGE";
  out.emit({
    type: "TRADE",
    marketId: market.marketId,
    kind,
    qty: q,
    yesPricePaise: y,
    makerOrderId: maker.orderId,
    makerUserId: maker.userId,
    makerOutcome: maker.outcome,
    makerSide: maker.side,
    makerPricePaise: makerPrice,
    makerFeePaise: makerFee,
    takerOrderId: taker.orderId,
    takerUserId: taker.userId,
    takerOutcome: taker.outcome,
    takerSide: taker.side,
    takerPricePaise: takerPrice,
    takerFeePaise: takerFee,
  });
  settle(state, taker, takerPrice, q, takerFee);
  settle(state, maker, makerPrice, q, makerFee);
  if (kind === "MINT") {
    market.pairs += q;
    market.escrowPaise += 1000 * q;
  } else if (kind === "MERGE") {
    market.pairs -= q;
    market.escrowPaise -= 1000 * q;
  }
  market.volumeQty += q;
  market.lastYesPricePaise = y;
}

/**
 * The match loop (types.ts header, item 2) at command time `now`. Returns the participants, taker
 * first, and whether it stopped at the taker's own order (stp CANCEL_TAKER).
 */
export function runMatch(
  state: RefState,
  out: Emitter,
  market: RefMarket,
  taker: RefOrder,
  opposite: RefOrder[],
  now: number,
): { participants: string[]; selfCross: boolean } {
  const participants = [taker.userId];
  for (const maker of opposite) {
    if (taker.remainingQty === 0) break;
    if (expiredAt(maker, now)) {
      if (!participants.includes(maker.userId)) participants.push(maker.userId);
      closeOrder(state, out, maker, "EXPIRED", "GTD");
      continue;
    }
    if (maker.userId === taker.userId) {
      if (taker.stp === "CANCEL_TAKER") return { participants, selfCross: true };
      closeOrder(state, out, maker, "CANCELLED", "SELF_TRADE");
      continue;
    }
    const q = takeQty(market, taker, taker.remainingQty, taker.budgetLeftPaise, maker);
    if (q === 0) break;
    if (!participants.includes(maker.userId)) participants.push(maker.userId);
    fill(state, out, market, taker, maker, q);
    if (maker.remainingQty === 0) closeOrder(state, out, maker, "FILLED", "FILLED");
    else emitBookDelta(state, out, market, maker.bookSide, maker.yesPricePaise);
  }
  return { participants, selfCross: false };
}
