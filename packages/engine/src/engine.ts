import { createUser, credit, debit } from "./commands/accounts.ts";
import { cancelAll, cancelOrder } from "./commands/cancel.ts";
import { closeMarket, createMarket, resolveMarket } from "./commands/markets.ts";
import { placeOrder } from "./commands/place-order.ts";
import { advanceClock, dedupeWindowOf, type EngineConfig } from "./dedupe.ts";
import { openOrdersIn } from "./matching/book.ts";
import { decodeState, encodeState } from "./snapshot.ts";
import { EngineState, type Order } from "./state.ts";
import type { Command, Engine, EngineTotals, OrderView, Result } from "./types.ts";
import { isInt } from "./validate.ts";
import { bookView, marketView, positionsOf, viewOf } from "./views.ts";

/** The fast engine: one mutable EngineState behind the Engine interface of types.ts. */

function apply(s: EngineState, cmd: Command): Result {
  if (typeof cmd !== "object" || cmd === null || !isInt(cmd.ts))
    return { code: "INVALID_COMMAND", events: [] };
  advanceClock(s, cmd.ts);
  s.out.reset(cmd.ts);
  switch (cmd.type) {
    case "PLACE_ORDER":
      return placeOrder(s, cmd);
    case "CANCEL_ORDER":
      return cancelOrder(s, cmd);
    case "CANCEL_ALL":
      return cancelAll(s, cmd);
    case "CREATE_USER":
      return createUser(s, cmd);
    case "CREDIT":
      return credit(s, cmd);
    case "DEBIT":
      return debit(s, cmd);
    case "CREATE_MARKET":
      return createMarket(s, cmd);
    case "CLOSE_MARKET":
      return closeMarket(s, cmd);
    case "RESOLVE_MARKET":
      return resolveMarket(s, cmd);
    default:
      return { code: "INVALID_COMMAND", events: [] };
  }
}

function wrap(s: EngineState): Engine {
  return {
    apply: (cmd) => apply(s, cmd),
    get lastSeq() {
      return s.out.seq;
    },
    snapshot: () => encodeState(s),
    account(userId) {
      const h = s.userIndex.get(userId);
      if (h === undefined) return undefined;
      const a = s.users[h];
      return { availablePaise: a.available, lockedPaise: a.locked };
    },
    positions(userId) {
      const h = s.userIndex.get(userId);
      return h === undefined ? [] : positionsOf(s, s.users[h]);
    },
    order(orderId) {
      const o = s.orders.get(orderId);
      return o === undefined ? undefined : viewOf(o);
    },
    openOrders(userId, marketId) {
      const h = s.userIndex.get(userId);
      if (h === undefined) return [];
      const found: Order[] = [];
      const t = s.positions;
      for (const slot of t.chain(s.users[h].firstSlot)) {
        if (marketId === undefined || s.markets[t.marketOf[slot]].id === marketId)
          openOrdersIn(s.owners, slot, found);
      }
      found.sort((a, b) => a.acceptedSeq - b.acceptedSeq);
      return found.map((o): OrderView => viewOf(o));
    },
    book(marketId, depth) {
      const h = s.marketIndex.get(marketId);
      if (h === undefined) return undefined;
      return bookView(s.markets[h], depth === undefined ? Number.POSITIVE_INFINITY : depth);
    },
    market(marketId) {
      const h = s.marketIndex.get(marketId);
      return h === undefined ? undefined : marketView(s.markets[h]);
    },
    markets: () => s.markets.map(marketView),
    userIds: () => s.users.map((a) => a.id),
    dedupeStats() {
      let clientOrderIds = 0;
      for (const a of s.users) if (a.clientOrders !== null) clientOrderIds += a.clientOrders.size;
      return { clientOrderIds, refs: s.refs.size, clock: s.clock };
    },
    totals(): EngineTotals {
      let available = 0;
      let locked = 0;
      let escrow = 0;
      for (const a of s.users) {
        available += a.available;
        locked += a.locked;
      }
      for (const m of s.markets) escrow += m.escrow;
      return {
        creditsPaise: s.credits,
        debitsPaise: s.debits,
        feesPaise: s.fees,
        escrowPaise: escrow,
        availablePaise: available,
        lockedPaise: locked,
      };
    },
  };
}

export function createEngine(config?: EngineConfig): Engine {
  return wrap(new EngineState(dedupeWindowOf(config)));
}

/** Rebuild an engine from snapshot() bytes. Throws on bytes that are not a snapshot. */
export function restoreEngine(bytes: Uint8Array, config?: EngineConfig): Engine {
  return wrap(decodeState(bytes, dedupeWindowOf(config)));
}
