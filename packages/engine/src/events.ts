import {
  NO_COST,
  NO_LOCKED,
  NO_QTY,
  type PositionTable,
  STRIDE,
  YES_COST,
  YES_LOCKED,
  YES_QTY,
} from "./matching/positions.ts";
import type { Market, Order, Trader } from "./state.ts";
import type { BookSide, CloseReason, EngineEvent, MarketStatus, ResultCode } from "./types.ts";

/**
 * Event construction in one place. Each event type is built by exactly one object literal so all
 * events of a type share a hidden class; `seq` comes from the state counter.
 */
export class Emitter {
  events: EngineEvent[] = [];
  ts = 0;
  constructor(public seq: number) {}

  reset(ts: number): EngineEvent[] {
    this.events = [];
    this.ts = ts;
    return this.events;
  }

  orderAccepted(o: Order, lockedPaise: number, lockedShares: number): void {
    this.events.push({
      seq: ++this.seq,
      ts: this.ts,
      type: "ORDER_ACCEPTED",
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
      maxCostPaise: o.maxCost,
      lockedPaise,
      lockedShares,
    });
  }

  orderRejected(
    orderId: string,
    userId: string,
    marketId: string,
    clientOrderId: string | null,
    code: ResultCode,
  ): void {
    this.events.push({
      seq: ++this.seq,
      ts: this.ts,
      type: "ORDER_REJECTED",
      orderId,
      userId,
      marketId,
      clientOrderId,
      code,
    });
  }

  trade(maker: Order, taker: Order, qty: number, yesPrice: number, makerFee: number, takerFee: number): void {
    const isMint = maker.isBuy && taker.isBuy;
    const isMerge = !maker.isBuy && !taker.isBuy;
    this.events.push({
      seq: ++this.seq,
      ts: this.ts,
      type: "TRADE",
      marketId: maker.market.id,
      kind: isMint ? "MINT" : isMerge ? "MERGE" : "TRANSFER",
      qty,
      yesPricePaise: yesPrice,
      makerOrderId: maker.id,
      makerUserId: maker.owner.id,
      makerOutcome: maker.outcome,
      makerSide: maker.side,
      makerPricePaise: maker.isYes ? yesPrice : 1000 - yesPrice,
      makerFeePaise: makerFee,
      takerOrderId: taker.id,
      takerUserId: taker.owner.id,
      takerOutcome: taker.outcome,
      takerSide: taker.side,
      takerPricePaise: taker.isYes ? yesPrice : 1000 - yesPrice,
      takerFeePaise: takerFee,
    });
  }

  orderClosed(
    o: Order,
    status: "FILLED" | "CANCELLED" | "EXPIRED",
    reason: CloseReason,
    cancelledQty: number,
    releasedPaise: number,
    releasedShares: number,
  ): void {
    this.events.push({
      seq: ++this.seq,
      ts: this.ts,
      type: "ORDER_CLOSED",
      orderId: o.id,
      userId: o.owner.id,
      marketId: o.market.id,
      status,
      reason,
      filledQty: o.filled,
      cancelledQty,
      releasedPaise,
      releasedShares,
    });
  }

  orderAmended(
    o: Order,
    clientAmendId: string | null,
    prevPrice: number,
    prevRemaining: number,
    lockedPaise: number,
    lockedShares: number,
    priorityKept: boolean,
  ): void {
    this.events.push({
      seq: ++this.seq,
      ts: this.ts,
      type: "ORDER_AMENDED",
      orderId: o.id,
      userId: o.owner.id,
      marketId: o.market.id,
      clientAmendId,
      pricePaise: o.price,
      qty: o.qty,
      remainingQty: o.remaining,
      filledQty: o.filled,
      prevPricePaise: prevPrice,
      prevRemainingQty: prevRemaining,
      lockedPaise,
      lockedShares,
      priorityKept,
    });
  }

  bookDelta(m: Market, side: number, levelIndex: number): void {
    const bookSide: BookSide = side === 0 ? "BID" : "ASK";
    this.events.push({
      seq: ++this.seq,
      ts: this.ts,
      type: "BOOK_DELTA",
      marketId: m.id,
      bookSeq: ++m.bookSeq,
      side: bookSide,
      yesPricePaise: levelIndex * m.tick,
      qty: (side === 0 ? m.bids : m.asks)[levelIndex].qty,
    });
  }

  balance(userId: string, availablePaise: number, lockedPaise: number): void {
    this.events.push({
      seq: ++this.seq,
      ts: this.ts,
      type: "BALANCE",
      userId,
      availablePaise,
      lockedPaise,
    });
  }

  /** POSITION of `a` in `m` from its slot (-1: never touched, all zero). */
  position(a: Trader, m: Market, t: PositionTable, slot: number): void {
    const d = t.data;
    const b = slot * STRIDE;
    const has = slot >= 0;
    this.events.push({
      seq: ++this.seq,
      ts: this.ts,
      type: "POSITION",
      userId: a.id,
      marketId: m.id,
      yesQty: has ? d[b + YES_QTY] : 0,
      noQty: has ? d[b + NO_QTY] : 0,
      yesLockedQty: has ? d[b + YES_LOCKED] : 0,
      noLockedQty: has ? d[b + NO_LOCKED] : 0,
      yesCostPaise: has ? d[b + YES_COST] : 0,
      noCostPaise: has ? d[b + NO_COST] : 0,
    });
  }

  marketStatus(m: Market, status: MarketStatus): void {
    if (status === "CLOSED") {
      this.events.push({ seq: ++this.seq, ts: this.ts, type: "MARKET_CLOSED", marketId: m.id });
    } else {
      this.events.push({
        seq: ++this.seq,
        ts: this.ts,
        type: "MARKET_RESOLVED",
        marketId: m.id,
        outcome: m.resolution ?? "VOID",
        pairs: m.pairs,
        escrowPaise: m.escrow,
      });
    }
  }

  push(e: EngineEvent): void {
    e.seq = ++this.seq;
    e.ts = this.ts;
    this.events.push(e);
  }
}
