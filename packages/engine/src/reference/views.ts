import type { BookLevel, BookView, EngineTotals, MarketView, PositionView } from "../types.ts";
import { restingOrders } from "./orders.ts";
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

/** One side of the unified book as [yesPrice, total qty] levels, best first. */
function levels(state: RefState, market: RefMarket, side: "BID" | "ASK"): [number, number][] {
  const totals = new Map<number, number>();
  for (const o of restingOrders(state, market)) {
    if (o.bookSide === side) totals.set(o.yesPricePaise, (totals.get(o.yesPricePaise) ?? 0) + o.remainingQty);
  }
  return [...totals].sort((a, b) => (side === "BID" ? b[0] - a[0] : a[0] - b[0]));
}

export function bookView(state: RefState, market: RefMarket, depth?: number): BookView {
  const limit = depth ?? Number.POSITIVE_INFINITY;
  const yes: BookLevel[] = levels(state, market, "BID")
    .filter((_, i) => i < limit)
    .map(([y, qty]) => ({ pricePaise: y, qty }));
  const no: BookLevel[] = levels(state, market, "ASK")
    .filter((_, i) => i < limit)
    .map(([y, qty]) => ({ pricePaise: 1000 - y, qty }));
  return { marketId: market.marketId, bookSeq: market.bookSeq, yes, no };
}

export function marketView(state: RefState, m: RefMarket): MarketView {
  const bids = levels(state, m, "BID").map(([y]) => y);
  const asks = levels(state, m, "ASK").map(([y]) => y);
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
