import { Emitter } from "./events.ts";
import type { OrderStatus, OrderType, OrderView, Outcome, Resolution, Side, TimeInForce } from "./types.ts";

/**
 * The fast engine's mutable state. Strings live only at the edge (the id maps); inside, users and
 * markets are integer handles into arrays and orders are objects linked into their price level and
 * into their owner's position. Only open orders are kept: a closed order is dropped (its history is
 * the event log), except that an order with a clientOrderId leaves its final view behind for
 * idempotent repeats. Every class is constructed with all fields set so engines see one stable shape.
 */

export const BID = 0;
export const ASK = 1;

/** Risk side: one user's cash. */
export class Account {
  available = 0;
  locked = 0;
  /** Positions indexed by market handle (dense per user only where touched). */
  positions: (Position | undefined)[] = [];
  /** Positions in the order they were first touched, for read models and snapshots. */
  positionList: Position[] = [];
  /** clientOrderId → the first PLACE_ORDER carrying it: the live order while open, else its final view. */
  clientOrders: Map<string, Order | OrderView> | null = null;
  /** Scratch mark for "seen in this command" without allocating a set. */
  mark = 0;
  constructor(
    readonly id: string,
    readonly handle: number,
  ) {}
}

/** Risk side: one user's holding in one market. */
export class Position {
  yesQty = 0;
  noQty = 0;
  yesLocked = 0;
  noLocked = 0;
  yesCost = 0;
  noCost = 0;
  /** Remaining qty of the user's open BUY orders per outcome (position-limit check). */
  yesBuyOpen = 0;
  noBuyOpen = 0;
  /** Matching's list of this user's open orders here, in acceptance order (matching/book.ts only). */
  head: Order | null = null;
  tail: Order | null = null;
  constructor(readonly market: Market) {}
}

/** Matching side: a FIFO queue of orders at one YES price. */
export class Level {
  qty = 0;
  head: Order | null = null;
  tail: Order | null = null;
}

export class Market {
  status: "OPEN" | "CLOSED" | "RESOLVED" | "VOIDED" = "OPEN";
  resolution: Resolution | null = null;
  pairs = 0;
  escrow = 0;
  bookSeq = 0;
  lastYesPrice = -1;
  volume = 0;
  readonly maxBps: number;
  /** Levels indexed by yesPrice / tick; index 0 and `size` are never used. */
  readonly size: number;
  readonly bids: Level[] = [];
  readonly asks: Level[] = [];
  /** Best bid index (0 = none) and best ask index (size = none). */
  bestBid = 0;
  bestAsk: number;
  constructor(
    readonly id: string,
    readonly handle: number,
    readonly tick: number,
    readonly maxOrderQty: number,
    readonly positionLimit: number,
    readonly makerBps: number,
    readonly takerBps: number,
    readonly closeAt: number | null,
  ) {
    this.maxBps = Math.max(makerBps, takerBps);
    this.size = 1000 / tick;
    for (let i = 0; i <= this.size; i++) {
      this.bids.push(new Level());
      this.asks.push(new Level());
    }
    this.bestAsk = this.size;
  }
}

export class Order {
  filled = 0;
  remaining: number;
  filledValue = 0;
  fees = 0;
  status: OrderStatus = "OPEN";
  acceptedSeq = 0;
  /** Limit-style BUY: cash locked per remaining share; 0 otherwise. */
  lockPerShare = 0;
  /** MARKET BUY with maxCostPaise: unspent budget; -1 when not in budget mode. */
  budget = -1;
  /** Level queue links. */
  prev: Order | null = null;
  next: Order | null = null;
  /** Owner-list links (this user's open orders in this market). */
  uprev: Order | null = null;
  unext: Order | null = null;
  /** The owner's position in this market (set by risk/ledger.ts reserve). */
  pos: Position | null = null;
  readonly isBuy: boolean;
  readonly isYes: boolean;
  /** BID or ASK in the unified book. */
  readonly bookSide: number;
  readonly yesPrice: number;
  constructor(
    readonly id: string,
    readonly user: Account,
    readonly market: Market,
    readonly clientOrderId: string | null,
    readonly outcome: Outcome,
    readonly side: Side,
    readonly orderType: OrderType,
    readonly tif: TimeInForce,
    readonly postOnly: boolean,
    readonly price: number,
    readonly qty: number,
    readonly maxCost: number | null,
    readonly ts: number,
  ) {
    this.remaining = qty;
    this.isBuy = side === "BUY";
    this.isYes = outcome === "YES";
    this.bookSide = this.isBuy === this.isYes ? BID : ASK;
    this.yesPrice = this.isYes ? price : 1000 - price;
  }
}

/** The whole engine state; snapshot() writes exactly this. */
export class EngineState {
  /** Event emitter; owns the global `seq`. */
  readonly out = new Emitter(0);
  readonly users: Account[] = [];
  readonly userIndex = new Map<string, number>();
  readonly markets: Market[] = [];
  readonly marketIndex = new Map<string, number>();
  /** Resting orders by orderId (an order that never rests is never entered). */
  readonly orders = new Map<string, Order>();
  /** CREDIT/DEBIT refs already applied. */
  readonly refs = new Set<string>();
  credits = 0;
  debits = 0;
  fees = 0;
  /** Bumped per command; compared with Account.mark. */
  epoch = 0;
}
