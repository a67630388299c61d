import {
  type CloseMarketCommand,
  type CreateMarketCommand,
  DEFAULT_MAX_ORDER_QTY,
  DEFAULT_POSITION_LIMIT,
  DEFAULT_TICK_PAISE,
  MAX_FEE_BPS,
  PAYOUT_PAISE,
  type ResolveMarketCommand,
  type Result,
  VOID_PAYOUT_PAISE,
} from "../types.ts";
import { closeOrder, emitBalance, emitPosition, restingOrders } from "./orders.ts";
import { createEmitter, findMarket, memoryMarketId, mustUser, type RefState } from "./state.ts";
import { isId, isOneOf, isOptionalInt } from "./validate.ts";

export function createMarket(state: RefState, cmd: CreateMarketCommand): Result {
  const numbers = [
    cmd.tickPaise,
    cmd.maxOrderQty,
    cmd.positionLimit,
    cmd.makerFeeBps,
    cmd.takerFeeBps,
    cmd.closeAt,
  ];
  if (!isId(cmd.marketId) || !numbers.every(isOptionalInt)) return { code: "INVALID_COMMAND", events: [] };
  if (findMarket(state, cmd.marketId)) return { code: "MARKET_EXISTS", events: [] };
  const tickPaise = cmd.tickPaise ?? DEFAULT_TICK_PAISE;
  const maxOrderQty = cmd.maxOrderQty ?? DEFAULT_MAX_ORDER_QTY;
  const positionLimit = cmd.positionLimit ?? DEFAULT_POSITION_LIMIT;
  const makerFeeBps = cmd.makerFeeBps ?? 0;
  const takerFeeBps = cmd.takerFeeBps ?? 0;
  const valid =
    tickPaise >= 1 &&
    tickPaise <= 500 &&
    1000 % tickPaise === 0 &&
    maxOrderQty >= 1 &&
    positionLimit >= 1 &&
    makerFeeBps >= 0 &&
    makerFeeBps <= MAX_FEE_BPS &&
    takerFeeBps >= 0 &&
    takerFeeBps <= MAX_FEE_BPS;
  if (!valid) return { code: "INVALID_MARKET_PARAMS", events: [] };
  const closeAt = cmd.closeAt ?? null;
  state.markets.push({
    marketId: cmd.marketId,
    status: "OPEN",
    tickPaise,
    maxOrderQty,
    positionLimit,
    makerFeeBps,
    takerFeeBps,
    closeAt,
    resolution: null,
    pairs: 0,
    escrowPaise: 0,
    lastYesPricePaise: null,
    volumeQty: 0,
    bookSeq: 0,
    resting: [],
  });
  const out = createEmitter(state, cmd.ts);
  out.emit({
    type: "MARKET_CREATED",
    marketId: cmd.marketId,
    tickPaise,
    maxOrderQty,
    positionLimit,
    makerFeeBps,
    takerFeeBps,
    closeAt,
  });
  return { code: "OK", events: out.events };
}

export function closeMarket(state: RefState, cmd: CloseMarketCommand): Result {
  if (!isId(cmd.marketId)) return { code: "INVALID_COMMAND", events: [] };
  const market = findMarket(state, cmd.marketId);
  if (!market) return { code: "MARKET_NOT_FOUND", events: [] };
  if (market.status === "RESOLVED" || market.status === "VOIDED")
    return { code: "MARKET_ALREADY_RESOLVED", events: [] };
  if (market.status === "CLOSED") return { code: "MARKET_CLOSED", events: [] };
  market.status = "CLOSED";
  const out = createEmitter(state, cmd.ts);
  out.emit({ type: "MARKET_CLOSED", marketId: market.marketId });
  return { code: "OK", events: out.events };
}

export function resolveMarket(state: RefState, cmd: ResolveMarketCommand): Result {
  if (!isId(cmd.marketId) || !isOneOf(cmd.outcome, ["YES", "NO", "VOID"] as const)) {
    return { code: "INVALID_COMMAND", events: [] };
  }
  const market = findMarket(state, cmd.marketId);
  if (!market) return { code: "MARKET_NOT_FOUND", events: [] };
  if (market.status === "RESOLVED" || market.status === "VOIDED")
    return { code: "MARKET_ALREADY_RESOLVED", events: [] };
  const out = createEmitter(state, cmd.ts);
  const touched: string[] = [];
  for (const order of restingOrders(state, market)) {
    closeOrder(state, out, order, "CANCELLED", "MARKET_RESOLVED");
    if (!touched.includes(order.userId)) touched.push(order.userId);
  }
  const pairs = market.pairs;
  const escrowPaise = market.escrowPaise;
  market.status = cmd.outcome === "VOID" ? "VOIDED" : "RESOLVED";
  market.resolution = cmd.outcome;
  out.emit({ type: "MARKET_RESOLVED", marketId: market.marketId, outcome: cmd.outcome, pairs, escrowPaise });
  const holders = state.positions.filter(
    (p) => p.marketId === market.marketId && (p.yesQty > 0 || p.noQty > 0),
  );
  for (const pos of holders) if (!touched.includes(pos.userId)) touched.push(pos.userId);
  touched.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const userId of touched) {
    const pos = holders.find((p) => p.userId === userId);
    if (!pos) continue;
    let amountPaise = 0;
    if (cmd.outcome === "YES") amountPaise = pos.yesQty * PAYOUT_PAISE;
    else if (cmd.outcome === "NO") amountPaise = pos.noQty * PAYOUT_PAISE;
    else amountPaise = (pos.yesQty + pos.noQty) * VOID_PAYOUT_PAISE;
    out.emit({
      type: "PAYOUT",
      userId,
      marketId: market.marketId,
      outcome: cmd.outcome,
      yesQty: pos.yesQty,
      noQty: pos.noQty,
      amountPaise,
    });
    mustUser(state, userId).availablePaise += amountPaise;
    market.escrowPaise -= amountPaise;
    pos.yesQty = 0;
    pos.noQty = 0;
    pos.yesCostPaise = 0;
    pos.noCostPaise = 0;
  }
  if (market.escrowPaise !== 0)
    throw new Error(`reference engine: escrow ${market.escrowPaise} left after resolution`);
  market.pairs = 0;
  for (const userId of touched) emitBalance(state, out, userId);
  for (const userId of touched) emitPosition(state, out, userId, market.marketId);
  // Orders on a resolved market can never be placed again: its clientOrderIds are forgotten.
  for (const [key, memory] of state.clientMemory)
    if (memoryMarketId(state, memory) === market.marketId) state.clientMemory.delete(key);
  return { code: "OK", events: out.events };
}
