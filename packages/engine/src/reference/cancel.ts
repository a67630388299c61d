import type { CancelAllCommand, CancelOrderCommand, Result } from "../types.ts";
import { closeOrder, emitBalance, emitPosition, restingOrders, viewOf } from "./orders.ts";
import {
  createEmitter,
  findMarket,
  findUser,
  type RefMarket,
  type RefOrder,
  type RefState,
} from "./state.ts";
import { isId } from "./validate.ts";

export function cancelOrder(state: RefState, cmd: CancelOrderCommand): Result {
  if (!isId(cmd.userId) || !isId(cmd.orderId)) return { code: "INVALID_COMMAND", events: [] };
  if (!findUser(state, cmd.userId)) return { code: "USER_NOT_FOUND", events: [] };
  const index = state.orderIndexById.get(cmd.orderId);
  const order = index === undefined ? undefined : state.orders[index];
  if (order?.status !== "OPEN" || order.userId !== cmd.userId) return { code: "UNKNOWN_ORDER", events: [] };
  const out = createEmitter(state, cmd.ts);
  closeOrder(state, out, order, "CANCELLED", "USER");
  emitBalance(state, out, order.userId);
  emitPosition(state, out, order.userId, order.marketId);
  return { code: "OK", events: out.events, order: viewOf(order) };
}

export function cancelAll(state: RefState, cmd: CancelAllCommand): Result {
  if (!isId(cmd.userId) || (cmd.marketId !== undefined && !isId(cmd.marketId)))
    return { code: "INVALID_COMMAND", events: [] };
  if (!findUser(state, cmd.userId)) return { code: "USER_NOT_FOUND", events: [] };
  let markets: RefMarket[];
  if (cmd.marketId !== undefined) {
    const market = findMarket(state, cmd.marketId);
    if (!market) return { code: "MARKET_NOT_FOUND", events: [] };
    markets = [market];
  } else {
    markets = [...state.markets].sort((a, b) =>
      a.marketId < b.marketId ? -1 : a.marketId > b.marketId ? 1 : 0,
    );
  }
  const touched: { market: RefMarket; mine: RefOrder[] }[] = [];
  for (const market of markets) {
    const mine = restingOrders(state, market)
      .filter((o) => o.userId === cmd.userId)
      .sort((a, b) => a.acceptedSeq - b.acceptedSeq);
    if (mine.length > 0) touched.push({ market, mine });
  }
  if (touched.length === 0) return { code: "OK", events: [] };
  const out = createEmitter(state, cmd.ts);
  for (const { mine } of touched)
    for (const order of mine) closeOrder(state, out, order, "CANCELLED", "USER");
  emitBalance(state, out, cmd.userId);
  for (const { market } of touched) emitPosition(state, out, cmd.userId, market.marketId);
  return { code: "OK", events: out.events };
}
