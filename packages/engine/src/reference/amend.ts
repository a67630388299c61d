import type { AmendOrderCommand, OrderView, Result, ResultCode } from "../types.ts";
import { runMatch, sortedOpposite } from "./match.ts";
import { closeOrder, emitBalance, emitBookDelta, emitPosition, mustMarket, viewOf } from "./orders.ts";
import { createEmitter, findUser, fresh, mustUser, positionOf, type RefState } from "./state.ts";
import { feePerShare, isId, isOptionalId, isOptionalInt } from "./validate.ts";

/** AMEND_ORDER as SEMANTICS.md states it, written out plainly. */
export function amendOrder(state: RefState, cmd: AmendOrderCommand): Result {
  if (
    !isId(cmd.userId) ||
    !isId(cmd.orderId) ||
    !isOptionalId(cmd.clientAmendId) ||
    !isOptionalInt(cmd.pricePaise) ||
    !isOptionalInt(cmd.remainingQty) ||
    (cmd.pricePaise === undefined && cmd.remainingQty === undefined)
  ) {
    return { code: "INVALID_COMMAND", events: [] };
  }
  if (!findUser(state, cmd.userId)) return { code: "USER_NOT_FOUND", events: [] };
  const key = cmd.clientAmendId === undefined ? null : `${cmd.userId}\u0000${cmd.clientAmendId}`;
  if (key !== null) {
    const first = state.amendMemory.get(key);
    if (first !== undefined && fresh(state, first.at)) {
      const order = first.view === null ? undefined : { ...first.view };
      return { code: first.code, events: [], duplicate: true, order };
    }
  }
  const remember = (code: ResultCode, view: OrderView | null) => {
    if (key !== null) state.amendMemory.set(key, { code, view: view && { ...view }, at: state.clock });
  };
  const index = state.orderIndexById.get(cmd.orderId);
  const order = index === undefined ? undefined : state.orders[index];
  if (order?.status !== "OPEN" || order.userId !== cmd.userId) {
    remember("UNKNOWN_ORDER", null);
    return { code: "UNKNOWN_ORDER", events: [] };
  }
  const refuse = (code: ResultCode): Result => {
    const view = viewOf(order);
    remember(code, view);
    return { code, events: [], order: view };
  };
  if (order.expiresAt !== null && order.expiresAt <= cmd.ts) return refuse("INVALID_EXPIRY");
  const market = mustMarket(state, order.marketId);
  if (market.status !== "OPEN" || (market.closeAt !== null && cmd.ts >= market.closeAt))
    return refuse("MARKET_CLOSED");
  const price = cmd.pricePaise ?? order.pricePaise;
  const remaining = cmd.remainingQty ?? order.remainingQty;
  if (remaining < 1 || order.filledQty + remaining > market.maxOrderQty) return refuse("INVALID_QUANTITY");
  const tick = market.tickPaise;
  if (price < tick || price > 1000 - tick || price % tick !== 0) return refuse("INVALID_PRICE");
  const more = remaining - order.remainingQty;
  const pos = positionOf(state, order.userId, order.marketId);
  const yes = order.outcome === "YES";
  if (more > 0 && order.side === "SELL") {
    const free = yes ? pos.yesQty - pos.yesLockedQty : pos.noQty - pos.noLockedQty;
    if (free < more) return refuse("INSUFFICIENT_SHARES");
  }
  if (more > 0 && order.side === "BUY") {
    let openBuyQty = 0;
    for (const i of market.resting) {
      const o = state.orders[i];
      if (o.userId === order.userId && o.side === "BUY" && o.outcome === order.outcome)
        openBuyQty += o.remainingQty;
    }
    const held = yes ? pos.yesQty : pos.noQty;
    if (held + openBuyQty + more > market.positionLimit) return refuse("POSITION_LIMIT");
  }
  const keep = price === order.pricePaise && more <= 0;
  const yesPrice = yes ? price : 1000 - price;
  if (!keep && order.postOnly) {
    const probe = { ...order, pricePaise: price, yesPricePaise: yesPrice };
    if (sortedOpposite(state, market, probe).length > 0) return refuse("POST_ONLY_WOULD_TAKE");
  }
  const maxBps = Math.max(market.makerFeeBps, market.takerFeeBps);
  const lockPerShare = order.side === "BUY" ? price + feePerShare(price, maxBps) : 0;
  const lock = remaining * lockPerShare;
  const user = mustUser(state, order.userId);
  const extra = lock - order.remainingQty * order.lockPerSharePaise;
  if (user.availablePaise < extra) return refuse("INSUFFICIENT_FUNDS");

  // Apply: the lock moves by exactly `extra`, the shares locked by `more`.
  user.availablePaise -= extra;
  user.lockedPaise += extra;
  if (order.side === "SELL") {
    if (yes) pos.yesLockedQty += more;
    else pos.noLockedQty += more;
  }
  const out = createEmitter(state, cmd.ts);
  const amendedEvent = (priorityKept: boolean, prevPrice: number, prevRemaining: number) =>
    out.emit({
      type: "ORDER_AMENDED",
      orderId: order.orderId,
      userId: order.userId,
      marketId: order.marketId,
      clientAmendId: cmd.clientAmendId ?? null,
      pricePaise: order.pricePaise,
      qty: order.qty,
      remainingQty: order.remainingQty,
      filledQty: order.filledQty,
      prevPricePaise: prevPrice,
      prevRemainingQty: prevRemaining,
      lockedPaise: lock,
      lockedShares: order.side === "SELL" ? remaining : 0,
      priorityKept,
    });
  const prevPrice = order.pricePaise;
  const prevRemaining = order.remainingQty;
  const prevYesPrice = order.yesPricePaise;
  order.lockPerSharePaise = lockPerShare;
  order.remainingQty = remaining;
  order.qty = order.filledQty + remaining;
  if (keep) {
    amendedEvent(true, prevPrice, prevRemaining);
    emitBookDelta(state, out, market, order.bookSide, order.yesPricePaise);
    emitBalance(state, out, order.userId);
    emitPosition(state, out, order.userId, order.marketId);
    const view = viewOf(order);
    remember("OK", view);
    return { code: "OK", events: out.events, order: view };
  }
  // Priority lost: out of the book, re-accepted at this seq, matched as a taker, rested at the back.
  order.resting = false;
  market.resting = market.resting.filter((i) => i !== index);
  order.pricePaise = price;
  order.yesPricePaise = yesPrice;
  order.acceptedSeq = state.seq + 1;
  amendedEvent(false, prevPrice, prevRemaining);
  emitBookDelta(state, out, market, order.bookSide, prevYesPrice);
  const { participants, selfCross } = runMatch(
    state,
    out,
    market,
    order,
    sortedOpposite(state, market, order),
    cmd.ts,
  );
  if (order.remainingQty === 0) closeOrder(state, out, order, "FILLED", "FILLED");
  else if (selfCross) closeOrder(state, out, order, "CANCELLED", "SELF_TRADE");
  else {
    order.resting = true;
    market.resting.push(index as number);
    emitBookDelta(state, out, market, order.bookSide, order.yesPricePaise);
  }
  for (const userId of participants) emitBalance(state, out, userId);
  for (const userId of participants) emitPosition(state, out, userId, market.marketId);
  const view = viewOf(order);
  remember("OK", view);
  return { code: "OK", events: out.events, order: view };
}
