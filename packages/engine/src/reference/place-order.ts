import type { OrderView, PlaceOrderCommand, Result, ResultCode } from "../types.ts";
import { fillableQty, runMatch, sortedOpposite } from "./match.ts";
import { closeOrder, emitBalance, emitBookDelta, emitPosition, viewOf } from "./orders.ts";
import {
  createEmitter,
  findMarket,
  findUser,
  mustUser,
  positionOf,
  type RefOrder,
  type RefState,
  recallClient,
} from "./state.ts";
import {
  feePerShare,
  isId,
  isInt,
  isOneOf,
  isOptionalBool,
  isOptionalId,
  isOptionalInt,
  isOptionalOneOf,
} from "./validate.ts";

function wellTyped(cmd: PlaceOrderCommand): boolean {
  return (
    isId(cmd.orderId) &&
    isId(cmd.userId) &&
    isId(cmd.marketId) &&
    isOptionalId(cmd.clientOrderId) &&
    isOneOf(cmd.outcome, ["YES", "NO"] as const) &&
    isOneOf(cmd.side, ["BUY", "SELL"] as const) &&
    isOneOf(cmd.orderType, ["LIMIT", "MARKET"] as const) &&
    isOptionalInt(cmd.pricePaise) &&
    isInt(cmd.qty) &&
    isOptionalOneOf(cmd.tif, ["GTC", "GTD", "IOC", "FOK"] as const) &&
    isOptionalBool(cmd.postOnly) &&
    isOptionalInt(cmd.maxCostPaise) &&
    isOptionalInt(cmd.expiresAt) &&
    isOptionalOneOf(cmd.stp, ["CANCEL_RESTING", "CANCEL_TAKER"] as const)
  );
}

function rejectedView(cmd: PlaceOrderCommand, code: ResultCode): OrderView {
  return {
    orderId: cmd.orderId,
    userId: cmd.userId,
    marketId: cmd.marketId,
    clientOrderId: cmd.clientOrderId ?? null,
    outcome: cmd.outcome,
    side: cmd.side,
    orderType: cmd.orderType,
    tif: cmd.tif ?? (cmd.orderType === "MARKET" ? "IOC" : "GTC"),
    expiresAt: cmd.expiresAt ?? null,
    stp: cmd.stp ?? "CANCEL_RESTING",
    postOnly: cmd.postOnly ?? false,
    pricePaise: cmd.pricePaise ?? 0,
    qty: cmd.qty,
    filledQty: 0,
    remainingQty: 0,
    filledValuePaise: 0,
    feesPaise: 0,
    status: "REJECTED",
    rejectCode: code,
    acceptedSeq: 0,
    ts: cmd.ts,
  };
}

export function placeOrder(state: RefState, cmd: PlaceOrderCommand): Result {
  if (!wellTyped(cmd)) return { code: "INVALID_COMMAND", events: [] };
  if (!findUser(state, cmd.userId)) return { code: "USER_NOT_FOUND", events: [] };
  const memoryKey = cmd.clientOrderId === undefined ? null : `${cmd.userId}\u0000${cmd.clientOrderId}`;
  if (memoryKey !== null) {
    const first = recallClient(state, memoryKey);
    if (first) {
      const order = first.orderIndex === null ? first.rejectedView : viewOf(state.orders[first.orderIndex]);
      return { code: first.code, events: [], duplicate: true, order: order ?? undefined };
    }
  }
  const out = createEmitter(state, cmd.ts);
  const reject = (code: ResultCode): Result => {
    out.emit({
      type: "ORDER_REJECTED",
      orderId: cmd.orderId,
      userId: cmd.userId,
      marketId: cmd.marketId,
      clientOrderId: cmd.clientOrderId ?? null,
      code,
    });
    const view = rejectedView(cmd, code);
    if (memoryKey !== null)
      state.clientMemory.set(memoryKey, { code, orderIndex: null, rejectedView: view, at: state.clock });
    return { code, events: out.events, order: view };
  };

  const existing = state.orderIndexById.get(cmd.orderId);
  if (existing !== undefined && state.orders[existing].status === "OPEN") return reject("ORDER_ID_EXISTS");
  const market = findMarket(state, cmd.marketId);
  if (!market) return reject("MARKET_NOT_FOUND");
  if (market.status !== "OPEN" || (market.closeAt !== null && cmd.ts >= market.closeAt))
    return reject("MARKET_CLOSED");
  if (cmd.qty < 1 || cmd.qty > market.maxOrderQty) return reject("INVALID_QUANTITY");
  const tick = market.tickPaise;
  if (cmd.orderType === "LIMIT" && cmd.pricePaise === undefined) return reject("INVALID_PRICE");
  if (cmd.pricePaise !== undefined) {
    const p = cmd.pricePaise;
    if (p < tick || p > 1000 - tick || p % tick !== 0) return reject("INVALID_PRICE");
  }
  if (cmd.maxCostPaise !== undefined) {
    if (cmd.orderType !== "MARKET" || cmd.side !== "BUY" || cmd.maxCostPaise <= 0)
      return reject("INVALID_AMOUNT");
  }
  const isMarket = cmd.orderType === "MARKET";
  const tif = cmd.tif ?? (isMarket ? "IOC" : "GTC");
  const postOnly = cmd.postOnly ?? false;
  if (isMarket && (tif === "GTC" || tif === "GTD")) return reject("INVALID_COMMAND");
  if (postOnly && (isMarket || (tif !== "GTC" && tif !== "GTD"))) return reject("INVALID_COMMAND");
  const isGtd = tif === "GTD";
  if (isGtd !== (cmd.expiresAt !== undefined)) return reject("INVALID_COMMAND");
  if (cmd.expiresAt !== undefined && cmd.expiresAt <= cmd.ts) return reject("INVALID_EXPIRY");

  const pricePaise = cmd.pricePaise ?? (cmd.side === "BUY" ? 1000 - tick : tick);
  const pos = positionOf(state, cmd.userId, cmd.marketId);
  const held = cmd.outcome === "YES" ? pos.yesQty : pos.noQty;
  const heldLocked = cmd.outcome === "YES" ? pos.yesLockedQty : pos.noLockedQty;
  if (cmd.side === "SELL" && held - heldLocked < cmd.qty) return reject("INSUFFICIENT_SHARES");
  if (cmd.side === "BUY") {
    let openBuyQty = 0;
    for (const index of market.resting) {
      const o = state.orders[index];
      if (o.userId === cmd.userId && o.side === "BUY" && o.outcome === cmd.outcome)
        openBuyQty += o.remainingQty;
    }
    if (held + openBuyQty + cmd.qty > market.positionLimit) return reject("POSITION_LIMIT");
  }
  const maxBps = Math.max(market.makerFeeBps, market.takerFeeBps);
  const budget = cmd.maxCostPaise ?? null;
  const lockPerSharePaise =
    cmd.side === "BUY" && budget === null ? pricePaise + feePerShare(pricePaise, maxBps) : 0;
  const lockPaise = cmd.side === "SELL" ? 0 : (budget ?? cmd.qty * lockPerSharePaise);
  const user = mustUser(state, cmd.userId);
  if (cmd.side === "BUY" && user.availablePaise < lockPaise) return reject("INSUFFICIENT_FUNDS");

  const yesPricePaise = cmd.outcome === "YES" ? pricePaise : 1000 - pricePaise;
  const bookSide = (cmd.side === "BUY") === (cmd.outcome === "YES") ? "BID" : "ASK";
  const taker: RefOrder = {
    orderId: cmd.orderId,
    userId: cmd.userId,
    marketId: cmd.marketId,
    clientOrderId: cmd.clientOrderId ?? null,
    outcome: cmd.outcome,
    side: cmd.side,
    orderType: cmd.orderType,
    tif,
    expiresAt: cmd.expiresAt ?? null,
    stp: cmd.stp ?? "CANCEL_RESTING",
    postOnly,
    pricePaise,
    yesPricePaise,
    bookSide,
    qty: cmd.qty,
    filledQty: 0,
    remainingQty: cmd.qty,
    filledValuePaise: 0,
    feesPaise: 0,
    status: "OPEN",
    acceptedSeq: 0,
    ts: cmd.ts,
    lockPerSharePaise,
    budgetLeftPaise: budget,
    maxCostPaise: budget,
    resting: false,
  };
  const opposite = sortedOpposite(state, market, taker);
  if (postOnly && opposite.length > 0) return reject("POST_ONLY_WOULD_TAKE");
  if (tif === "FOK" && fillableQty(market, taker, opposite, cmd.ts) < cmd.qty)
    return reject("FOK_NOT_FILLABLE");

  user.availablePaise -= lockPaise;
  user.lockedPaise += lockPaise;
  if (cmd.side === "SELL") {
    if (cmd.outcome === "YES") pos.yesLockedQty += cmd.qty;
    else pos.noLockedQty += cmd.qty;
  }
  const orderIndex = state.orders.length;
  state.orders.push(taker);
  state.orderIndexById.set(taker.orderId, orderIndex);
  if (memoryKey !== null)
    state.clientMemory.set(memoryKey, { code: "OK", orderIndex, rejectedView: null, at: state.clock });
  out.emit({
    type: "ORDER_ACCEPTED",
    orderId: taker.orderId,
    userId: taker.userId,
    marketId: taker.marketId,
    clientOrderId: taker.clientOrderId,
    outcome: taker.outcome,
    side: taker.side,
    orderType: taker.orderType,
    tif,
    expiresAt: taker.expiresAt,
    stp: taker.stp,
    postOnly,
    pricePaise,
    qty: taker.qty,
    maxCostPaise: budget,
    lockedPaise: lockPaise,
    lockedShares: cmd.side === "SELL" ? cmd.qty : 0,
  });
  taker.acceptedSeq = state.seq;

  const { participants, selfCross } = runMatch(state, out, market, taker, opposite, cmd.ts);
  if (taker.remainingQty === 0) closeOrder(state, out, taker, "FILLED", "FILLED");
  else if (selfCross) closeOrder(state, out, taker, "CANCELLED", "SELF_TRADE");
  else if (tif === "GTC" || tif === "GTD") {
    taker.resting = true;
    market.resting.push(orderIndex);
    emitBookDelta(state, out, market, bookSide, yesPricePaise);
  } else if (tif === "FOK")
    throw new Error(`reference engine: FOK ${taker.orderId} passed its check but did not fill`);
  else closeOrder(state, out, taker, "EXPIRED", "IOC");
  for (const userId of participants) emitBalance(state, out, userId);
  for (const userId of participants) emitPosition(state, out, userId, market.marketId);
  return { code: "OK", events: out.events, order: viewOf(taker) };
}
