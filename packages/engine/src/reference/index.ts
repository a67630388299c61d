/**
 * The reference twin of the matching engine: plain arrays and loops, written to be obviously
 * right rather than fast. The differential tests hold the fast engine to it event for event.
 */
import { dedupeWindowOf, type EngineConfig } from "../dedupe.ts";
import type { Command, Engine, Result } from "../types.ts";
import { createUser, credit, debit } from "./accounts.ts";
import { amendOrder } from "./amend.ts";
import { cancelAll, cancelOrder } from "./cancel.ts";
import { expireOrders, nextExpiry } from "./expire.ts";
import { closeMarket, createMarket, resolveMarket } from "./markets.ts";
import { restingOrders, viewOf } from "./orders.ts";
import { placeOrder } from "./place-order.ts";
import { decodeState, encodeState } from "./snapshot.ts";
import { emptyState, findMarket, findUser, fresh, type RefState } from "./state.ts";
import { isInt } from "./validate.ts";
import { bookView, marketView, positionsView, totalsView } from "./views.ts";

function dispatch(state: RefState, cmd: Command): Result {
  if (typeof cmd !== "object" || cmd === null || !isInt(cmd.ts))
    return { code: "INVALID_COMMAND", events: [] };
  if (cmd.ts > state.clock) state.clock = cmd.ts;
  switch (cmd.type) {
    case "CREATE_USER":
      return createUser(state, cmd);
    case "CREDIT":
      return credit(state, cmd);
    case "DEBIT":
      return debit(state, cmd);
    case "CREATE_MARKET":
      return createMarket(state, cmd);
    case "PLACE_ORDER":
      return placeOrder(state, cmd);
    case "CANCEL_ORDER":
      return cancelOrder(state, cmd);
    case "CANCEL_ALL":
      return cancelAll(state, cmd);
    case "AMEND_ORDER":
      return amendOrder(state, cmd);
    case "EXPIRE_ORDERS":
      return expireOrders(state, cmd);
    case "CLOSE_MARKET":
      return closeMarket(state, cmd);
    case "RESOLVE_MARKET":
      return resolveMarket(state, cmd);
    default:
      return { code: "INVALID_COMMAND", events: [] };
  }
}

function wrap(state: RefState): Engine {
  return {
    apply: (cmd) => dispatch(state, cmd),
    get lastSeq() {
      return state.seq;
    },
    snapshot: () => encodeState(state),
    account(userId) {
      const user = findUser(state, userId);
      return user ? { availablePaise: user.availablePaise, lockedPaise: user.lockedPaise } : undefined;
    },
    positions: (userId) => positionsView(state, userId),
    order(orderId) {
      const index = state.orderIndexById.get(orderId);
      if (index === undefined || state.orders[index].status !== "OPEN") return undefined;
      return viewOf(state.orders[index]);
    },
    openOrders(userId, marketId) {
      const open = [];
      for (const market of state.markets) {
        if (marketId !== undefined && market.marketId !== marketId) continue;
        for (const o of restingOrders(state, market)) if (o.userId === userId) open.push(o);
      }
      return open.sort((a, b) => a.acceptedSeq - b.acceptedSeq).map(viewOf);
    },
    book(marketId, depth) {
      const market = findMarket(state, marketId);
      return market ? bookView(state, market, depth) : undefined;
    },
    market(marketId) {
      const market = findMarket(state, marketId);
      return market ? marketView(state, market) : undefined;
    },
    markets: () => state.markets.map((m) => marketView(state, m)),
    userIds: () => state.users.map((u) => u.userId),
    totals: () => totalsView(state),
    dedupeStats() {
      let clientOrderIds = 0;
      for (const m of state.clientMemory.values()) if (fresh(state, m.at)) clientOrderIds++;
      let clientAmendIds = 0;
      for (const m of state.amendMemory.values()) if (fresh(state, m.at)) clientAmendIds++;
      let refs = 0;
      for (const at of state.refs.values()) if (fresh(state, at)) refs++;
      return { clientOrderIds, clientAmendIds, refs, clock: state.clock };
    },
    nextExpiry: () => nextExpiry(state),
  };
}

export function createReferenceEngine(config?: EngineConfig): Engine {
  return wrap(emptyState(dedupeWindowOf(config)));
}

export function restoreReferenceEngine(bytes: Uint8Array, config?: EngineConfig): Engine {
  return wrap(decodeState(bytes, dedupeWindowOf(config)));
}
