import type { CloseReason, OrderView } from "../types.ts";
import {
  type Emitter,
  findMarket,
  mustUser,
  positionOf,
  type RefMarket,
  type RefOrder,
  type RefState,
} from "./state.ts";

export function viewOf(order: RefOrder): OrderView {
  return {
    orderId: order.orderId,
    userId: order.userId,
    marketId: order.marketId,
    clientOrderId: order.clientOrderId,
    outcome: order.outcome,
    side: order.side,
    orderType: order.orderType,
    tif: order.tif,
    expiresAt: order.expiresAt,
    stp: order.stp,
    postOnly: order.postOnly,
    pricePaise: order.pricePaise,
    qty: order.qty,
    filledQty: order.filledQty,
    remainingQty: order.remainingQty,
    filledValuePaise: order.filledValuePaise,
    feesPaise: order.feesPaise,
    status: order.status,
    rejectCode: null,
    acceptedSeq: order.acceptedSeq,
    ts: order.ts,
  };
}

export function mustMarket(state: RefState, marketId: string): RefMarket {
  const market = findMarket(state, marketId);
  if (!market) throw new Error(`reference engine: market ${marketId} vanished`);
  return market;
}

/** Total remaining quantity resting at one level of the unified book. */
export function levelQty(
  state: RefState,
  market: RefMarket,
  side: "BID" | "ASK",
  yesPricePaise: number,
): number {
  let total = 0;
  for (const index of market.resting) {
    const order = state.orders[index];
    if (order.bookSide === side && order.yesPricePaise === yesPricePaise) total += order.remainingQty;
  }
  return total;
}

export function emitBookDelta(
  state: RefState,
  out: Emitter,
  market: RefMarket,
  side: "BID" | "ASK",
  y: number,
): void {
  market.bookSeq += 1;
  out.emit({
    type: "BOOK_DELTA",
    marketId: market.marketId,
    bookSeq: market.bookSeq,
    side,
    yesPricePaise: y,
    qty: levelQty(state, market, side, y),
  });
}

/**
 * Closes an order: releases what it still locks, takes it out of the book, emits ORDER_CLOSED and,
 * if it was resting, BOOK_DELTA for its level. `remainingQty` becomes 0.
 */
export function closeOrder(
  state: RefState,
  out: Emitter,
  order: RefOrder,
  status: "FILLED" | "CANCELLED" | "EXPIRED",
  reason: CloseReason,
): void {
  const user = mustUser(state, order.userId);
  let releasedPaise = 0;
  let releasedShares = 0;
  if (order.side === "BUY") {
    releasedPaise = order.budgetLeftPaise ?? order.remainingQty * order.lockPerSharePaise;
    if (order.budgetLeftPaise !== null) order.budgetLeftPaise = 0;
    user.lockedPaise -= releasedPaise;
    user.availablePaise += releasedPaise;
  } else {
    releasedShares = order.remainingQty;
    const pos = positionOf(state, order.userId, order.marketId);
    if (order.outcome === "YES") pos.yesLockedQty -= releasedShares;
    else pos.noLockedQty -= releasedShares;
  }
  const cancelledQty = order.remainingQty;
  order.remainingQty = 0;
  order.status = status;
  const market = mustMarket(state, order.marketId);
  const wasResting = order.resting;
  if (wasResting) {
    order.resting = false;
    market.resting = market.resting.filter((index) => state.orders[index] !== order);
  }
  out.emit({
    type: "ORDER_CLOSED",
    orderId: order.orderId,
    userId: order.userId,
    marketId: order.marketId,
    status,
    reason,
    filledQty: order.filledQty,
    cancelledQty,
    releasedPaise,
    releasedShares,
  });
  if (wasResting) emitBookDelta(state, out, market, order.bookSide, order.yesPricePaise);
}

export function emitBalance(state: RefState, out: Emitter, userId: string): void {
  const user = mustUser(state, userId);
  out.emit({
    type: "BALANCE",
    userId,
    availablePaise: user.availablePaise,
    lockedPaise: user.lockedPaise,
  });
}

export function emitPosition(state: RefState, out: Emitter, userId: string, marketId: string): void {
  const pos = positionOf(state, userId, marketId);
  out.emit({
    type: "POSITION",
    userId,
    marketId,
    yesQty: pos.yesQty,
    noQty: pos.noQty,
    yesLockedQty: pos.yesLockedQty,
    noLockedQty: pos.noLockedQty,
    yesCostPaise: pos.yesCostPaise,
    noCostPaise: pos.noCostPaise,
  });
}

/** Open orders of one market, ascending acceptedSeq. */
export function restingOrders(state: RefState, market: RefMarket): RefOrder[] {
  return market.resting.map((index) => state.orders[index]);
}

/** A resting order that may no longer trade at `ts` (GTD whose expiresAt came). */
export function expiredAt(order: RefOrder, ts: number): boolean {
  return order.expiresAt !== null && order.expiresAt <= ts;
}
