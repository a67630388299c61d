import type { MatchingCore } from "./matching/core.ts";
import { NO_COST, NO_LOCKED, NO_QTY, STRIDE, YES_COST, YES_LOCKED, YES_QTY } from "./matching/positions.ts";
import { type Market, Order, type Trader } from "./state.ts";
import type {
  BookLevel,
  BookView,
  MarketView,
  OrderView,
  PlaceOrderCommand,
  PositionView,
  ResultCode,
} from "./types.ts";

/** Read models: fresh plain objects, never references into live state. */

/** A copy of a kept view (idempotent repeats hand out copies, never the record itself). */
export function copyView(v: OrderView): OrderView {
  return { ...v };
}

/** The current view of an idempotency record: live while the order is open. */
export function recordView(r: Order | OrderView): OrderView {
  return r instanceof Order ? viewOf(r) : copyView(r);
}

export function viewOf(o: Order): OrderView {
  return {
    orderId: o.id,
    userId: o.owner.id,
    marketId: o.market.id,
    clientOrderId: o.clientOrderId,
    outcome: o.outcome,
    side: o.side,
    orderType: o.orderType,
    tif: o.tif,
    expiresAt: o.expiresAt === Number.POSITIVE_INFINITY ? null : o.expiresAt,
    stp: o.stp,
    postOnly: o.postOnly,
    pricePaise: o.price,
    qty: o.qty,
    filledQty: o.filled,
    remainingQty: o.remaining,
    filledValuePaise: o.filledValue,
    feesPaise: o.fees,
    status: o.status,
    rejectCode: null,
    acceptedSeq: o.acceptedSeq,
    ts: o.ts,
  };
}

/** The view of a rejected PLACE_ORDER (SEMANTICS.md): what was sent, nothing filled. */
export function rejectedView(
  c: PlaceOrderCommand,
  userId: string,
  cid: string | null,
  code: ResultCode,
): OrderView {
  return {
    orderId: c.orderId,
    userId,
    marketId: c.marketId,
    clientOrderId: cid,
    outcome: c.outcome,
    side: c.side,
    orderType: c.orderType,
    tif: c.tif ?? (c.orderType === "MARKET" ? "IOC" : "GTC"),
    expiresAt: c.expiresAt ?? null,
    stp: c.stp ?? "CANCEL_RESTING",
    postOnly: c.postOnly === true,
    pricePaise: c.pricePaise ?? 0,
    qty: c.qty,
    filledQty: 0,
    remainingQty: 0,
    filledValuePaise: 0,
    feesPaise: 0,
    status: "REJECTED",
    rejectCode: code,
    acceptedSeq: 0,
    ts: c.ts,
  };
}

export function positionView(s: MatchingCore, slot: number): PositionView {
  const d = s.positions.data;
  const b = slot * STRIDE;
  return {
    marketId: s.markets[s.positions.marketOf[slot]].id,
    yesQty: d[b + YES_QTY],
    noQty: d[b + NO_QTY],
    yesLockedQty: d[b + YES_LOCKED],
    noLockedQty: d[b + NO_LOCKED],
    yesCostPaise: d[b + YES_COST],
    noCostPaise: d[b + NO_COST],
  };
}

/** Positions where any shown field is non-zero, ascending marketId. */
export function positionsOf(s: MatchingCore, a: Trader): PositionView[] {
  const out: PositionView[] = [];
  const d = s.positions.data;
  for (const slot of s.positions.chain(a.firstSlot)) {
    const b = slot * STRIDE;
    let any = false;
    for (let f = YES_QTY; f <= NO_COST; f++) any ||= d[b + f] !== 0;
    if (any) out.push(positionView(s, slot));
  }
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
