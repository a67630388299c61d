import type { BookLevel, BookView, EngineTotals, MarketView, PositionView } from "../types.ts";
import { levelQty, restingOrders } from "./orders.ts";
import type { RefMarket, RefState } from "./state.ts";

export function positionsView(state: RefState, userId: string): PositionView[] {
  const rows: PositionView[] = [];
  for (const p of state.positions) {
    if (p.userId !== userId) continue;
    const { yesQty, noQty, yesLockedQty, noLockedQty, yesCostPaise, noCostPaise } = p;
    if (
      yesQty === 0 &&
      noQty === 0 &&
      yesLockedQty === 0 &&
      noLockedQty === 0 &&
      yesCostPaise === 0 &&
      noCostPaise === 0
    ) {
      continue;
    }
    rows.push({ marketId: p.marketId, yesQty, noQty, yesLockedQty, noLockedQty, yesCostPaise, noCostPaise });
  }
  return rows.sort((a, b) => (a.marketId < b.marketId ? -1 : a.marketId > b.marketId ? 1 : 0));
}

/** Distinct prices on one side of the unified book, best first. */
function prices(state: RefState, market: RefMarket, side: "BID" | "ASK"): number[] {
  const seen: number[] = [];
  for (const o of restingOrders(state, market)) {
    if (o.bookSide === side && !seen.includes(o.yesPricePaise)) seen.push(o.yesPricePaise);
  }
  return seen.sort((a, b) => (side === "BID" ? b - a : a - b));
}

export function bookView(state: RefState, market: RefMarket, depth?: number): BookView {
  const limit = depth ?? Number.POSITIVE_INFINITY;
  const yes: BookLevel[] = prices(state, market, "BID")
    .slice(0, limit)
    .map((y) => ({ pricePaise: y, qty: levelQty(state, market, "BID", y) }));
  const no: BookLevel[] = prices(state, market, "ASK")
    .slice(0, limit)
    .map((y) => ({ pricePaise: 1000 - y, qty: levelQty(state, market, "ASK", y) }));
  return { marketId: market.marketId, bookSeq: market.bookSeq, yes, no };
}

export function marketView(state: RefState, m: RefMarket): MarketView {
  const bids = prices(state, m, "BID");
  const asks = prices(state, m, "ASK");
  return {
    marketId: m.marketId,
    status: m.status,
    tickPaise: m.tickPaise,
    maxOrderQty: m.maxOrderQty,
    positionLimit: m.positionLimit,
    makerFeeBps: m.makerFeeBps,
    takerFeeBps: m.takerFeeBps,
    closeAt: m.closeAt,
    resolution: m.resolution,
    pairs: m.pairs,
    escrowPaise: m.escrowPaise,
    bestYesBidPaise: bids.length > 0 ? bids[0] : null,
    bestYesAskPaise: asks.length > 0 ? asks[0] : null,
    lastYesPricePaise: m.lastYesPricePaise,
    volumeQty: m.volumeQty,
    bookSeq: m.bookSeq,
  };
}

export function totalsView(state: RefState): EngineTotals {
  let availablePaise = 0;
  let lockedPaise = 0;
  for (const u of state.users) {
    availablePaise += u.availablePaise;
    lockedPaise += u.lockedPaise;
  }
  let escrowPaise = 0;
  for (const m of state.markets) escrowPaise += m.escrowPaise;
  return {
    creditsPaise: state.creditsPaise,
    debitsPaise: state.debitsPaise,
    feesPaise: state.feesPaise,
    escrowPaise,
    availablePaise,
    lockedPaise,
  };
}
