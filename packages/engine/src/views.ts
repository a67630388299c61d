import type { Account, Market, Order, Position } from "./state.ts";
import type { BookLevel, BookView, MarketView, OrderView, PositionView } from "./types.ts";

/** Read models: fresh plain objects, never references into live state. */

export function viewOf(o: Order): OrderView {
  return {
    orderId: o.id,
    userId: o.user.id,
    marketId: o.marketId,
    clientOrderId: o.clientOrderId,
    outcome: o.outcome,
    side: o.side,
    orderType: o.orderType,
    tif: o.tif,
    postOnly: o.postOnly,
    pricePaise: o.price,
    qty: o.qty,
    filledQty: o.filled,
    remainingQty: o.remaining,
    filledValuePaise: o.filledValue,
    feesPaise: o.fees,
    status: o.status,
    rejectCode: o.rejectCode,
    acceptedSeq: o.acceptedSeq,
    ts: o.ts,
  };
}

export function positionView(p: Position): PositionView {
  return {
    marketId: p.market.id,
    yesQty: p.yesQty,
    noQty: p.noQty,
    yesLockedQty: p.yesLocked,
    noLockedQty: p.noLocked,
    yesCostPaise: p.yesCost,
    noCostPaise: p.noCost,
  };
}

export function isEmptyPosition(p: Position): boolean {
  return (
    p.yesQty === 0 &&
    p.noQty === 0 &&
    p.yesLocked === 0 &&
    p.noLocked === 0 &&
    p.yesCost === 0 &&
    p.noCost === 0
  );
}

export function positionsOf(a: Account): PositionView[] {
  const out: PositionView[] = [];
  for (const p of a.positionList) if (!isEmptyPosition(p)) out.push(positionView(p));
  return out.sort((x, y) => (x.marketId < y.marketId ? -1 : x.marketId > y.marketId ? 1 : 0));
}

export function bookView(m: Market, depth: number): BookView {
  const yes: BookLevel[] = [];
  const no: BookLevel[] = [];
  for (let i = m.bestBid; i > 0 && yes.length < depth; i--) {
    const q = m.bids[i].qty;
    if (q > 0) yes.push({ pricePaise: i * m.tick, qty: q });
  }
  for (let i = m.bestAsk; i < m.size && no.length < depth; i++) {
    const q = m.asks[i].qty;
    if (q > 0) no.push({ pricePaise: 1000 - i * m.tick, qty: q });
  }
  return { marketId: m.id, bookSeq: m.bookSeq, yes, no };
}

export function marketView(m: Market): MarketView {
  return {
    marketId: m.id,
    status: m.status,
    tickPaise: m.tick,
    maxOrderQty: m.maxOrderQty,
    positionLimit: m.positionLimit,
    makerFeeBps: m.makerBps,
    takerFeeBps: m.takerBps,
    closeAt: m.closeAt,
    resolution: m.resolution,
    pairs: m.pairs,
    escrowPaise: m.escrow,
    bestYesBidPaise: m.bestBid > 0 ? m.bestBid * m.tick : null,
    bestYesAskPaise: m.bestAsk < m.size ? m.bestAsk * m.tick : null,
    lastYesPricePaise: m.lastYesPrice < 0 ? null : m.lastYesPrice,
    volumeQty: m.volume,
    bookSeq: m.bookSeq,
  };
}
