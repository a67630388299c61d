import { createUser } from "./commands/accounts.ts";
import { amendOrder } from "./commands/amend.ts";
import { cancelAll, cancelOrder } from "./commands/cancel.ts";
import { expireOrders, nextExpiry } from "./commands/expire.ts";
import { closeMarket, createMarket, resolveMarket } from "./commands/markets.ts";
import { placeOrder } from "./commands/place-order.ts";
import { dedupeWindowOf, type EngineConfig } from "./dedupe.ts";
import { EngineState } from "./engine-state.ts";
import { openOrdersIn } from "./matching/book.ts";
import { decodeState, encodeState } from "./snapshot.ts";
import type { Order } from "./state.ts";
import type { Command, Engine, EngineTotals, OrderView, Result } from "./types.ts";
import { isInt } from "./validate.ts";
import { bookView, marketView, positionsOf, viewOf } from "./views.ts";

/**
 * The fast engine: the matching core and the risk core of one EngineState, wired directly, behind
 * the Engine interface of types.ts. Commands go to the core that owns them; PLACE_ORDER, cancels and
 * resolution reach risk only through the seam messages (seam.ts).
 */

function apply(s: EngineState, cmd: Command): Result {
  if (typeof cmd !== "object" || cmd === null || !isInt(cmd.ts))
    return { code: "INVALID_COMMAND", events: [] };
  const mc = s.matching;
  mc.advanceClock(cmd.ts);
  s.risk.advanceClock(cmd.ts);
  s.out.reset(cmd.ts);
  switch (cmd.type) {
    case "PLACE_ORDER":
      return placeOrder(mc, cmd);
    case "CANCEL_ORDER":
      return cancelOrder(mc, cmd);
    case "CANCEL_ALL":
      return cancelAll(mc, cmd);
    case "AMEND_ORDER":
      return amendOrder(mc, cmd);
    case "EXPIRE_ORDERS":
      return expireOrders(mc, cmd);
    case "CREATE_USER":
      return createUser(s, cmd);
    case "CREDIT":
      return s.risk.credit(cmd);
    case "DEBIT":
      return s.risk.debit(cmd);
    case "CREATE_MARKET":
      return createMarket(mc, cmd);
    case "CLOSE_MARKET":
      return closeMarket(mc, cmd);
    case "RESOLVE_MARKET":
      return resolveMarket(mc, cmd);
    default:
      return { code: "INVALID_COMMAND", events: [] };
  }
}

function wrap(s: EngineState): Engine {
  const risk = s.risk;
  const mc = s.matching;
  return {
    apply: (cmd) => apply(s, cmd),
    get lastSeq() {
      return s.out.seq;
    },
    snapshot: () => encodeState(s),
    account(userId) {
      const h = risk.users.get(userId);
      if (h === undefined) return undefined;
      return { availablePaise: risk.available(h), lockedPaise: risk.locked(h) };
    },
    positions(userId) {
      const h = mc.users.get(userId);
      return h === undefined ? [] : positionsOf(mc, mc.traders[h]);
    },
    order(orderId) {
      const o = mc.orders.get(orderId);
      return o === undefined ? undefined : viewOf(o);
    },
    openOrders(userId, marketId) {
      const h = mc.users.get(userId);
      if (h === undefined) return [];
      const found: Order[] = [];
      const t = mc.positions;
      for (const slot of t.chain(mc.traders[h].firstSlot)) {
        if (marketId === undefined || mc.markets[t.marketOf[slot]].id === marketId)
          openOrdersIn(mc.owners, slot, found);
      }
      found.sort((a, b) => a.acceptedSeq - b.acceptedSeq);
      return found.map((o): OrderView => viewOf(o));
    },
    book(marketId, depth) {
      const h = mc.marketIndex.get(marketId);
      if (h === undefined) return undefined;
      return bookView(mc.markets[h], depth === undefined ? Number.POSITIVE_INFINITY : depth);
    },
    market(marketId) {
      const h = mc.marketIndex.get(marketId);
      return h === undefined ? undefined : marketView(mc.markets[h]);
    },
    markets: () => mc.markets.map(marketView),
    userIds: () => risk.ids.slice(),
    dedupeStats() {
      let clientOrderIds = 0;
      for (const t of mc.traders) if (t.clientOrders !== null) clientOrderIds += t.clientOrders.size;
      return { clientOrderIds, clientAmendIds: mc.amends.size, refs: risk.refs.size, clock: mc.dedupe.clock };
    },
    nextExpiry: () => nextExpiry(mc),
    totals(): EngineTotals {
      let available = 0;
      let locked = 0;
      let escrow = 0;
      for (let h = 0; h < risk.size; h++) {
        available += risk.available(h);
        locked += risk.locked(h);
      }
      for (const m of mc.markets) escrow += m.escrow;
      return {
        creditsPaise: risk.credits,
        debitsPaise: risk.debits,
        feesPaise: risk.fees,
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

/** The Engine reads (and apply) over an existing state: a shard's live views (engine-service). */
export function engineOver(state: EngineState): Engine {
  return wrap(state);
}
