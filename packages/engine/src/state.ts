import type {
  OrderStatus,
  OrderType,
  OrderView,
  Outcome,
  Resolution,
  SelfTradePrevention,
  Side,
  TimeInForce,
} from "./types.ts";

/**
 * The matching core's state objects (matching/core.ts; risk's cash is a typed array in
 * risk/core.ts). Strings live only at the edge (the id maps); inside, users and markets are integer
 * handles into arrays and orders are objects linked into their price level and into their owner's
 * holding. Only open orders are kept: a closed order is dropped (its history is
 * the event log), except that an order with a clientOrderId leaves its final view behind for
 * idempotent repeats. Every class is constructed with all fields set so engines see one stable shape.
 */

export const BID = 0;
export const ASK = 1;

/**
 * Matching side: what the books know of one user (holdings, open orders, clientOrderIds). `handle`
 * is the user's handle at the risk core (the address in every message to risk).
 */
export class Trader {
  /** First and last holding slot, chained through PositionTable.nextOfUser in first-touch order. */
  firstSlot = -1;
  lastSlot = -1;
  /** clientOrderId → the first PLACE_ORDER carrying it: the live order while open, else its final view. */
  clientOrders: Map<string, Order | OrderView> | null = null;
  /** clientOrderId → engine clock when it was remembered (dedupe.ts); same keys as clientOrders. */
  clientAt: Map<string, number> | null = null;
  /** Scratch mark for "seen in this command" without allocating a set. */
  mark = 0;
  constructor(
    readonly id: string,
    readonly handle: number,
  ) {}
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
  /** This market's GTD orders by (expiresAt, acceptedSeq), closed ones dropped lazily (matching/expiry.ts). */
  readonly expiries = new ExpiryHeap();
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

/**
 * An open order. Closed orders go back to `EngineState.free` and are re-initialised for the next
 * accepted order, so resting orders stop being fresh garbage for the collector to copy and promote.
 * Nothing may keep a reference to an order past the command that closes it.
 */
export class Order {
  filled = 0;
  remaining = 0;
  filledValue = 0;
  fees = 0;
  status: OrderStatus = "OPEN";
  acceptedSeq = 0;
  /** Limit-style BUY: cash locked per remaining share (risk's granted terms); 0 otherwise. */
  lockPerShare = 0;
  /** MARKET BUY with maxCostPaise: unspent budget of the grant; -1 when not in budget mode. */
  budget = -1;
  /** Level queue links. */
  prev: Order | null = null;
  next: Order | null = null;
  /** Owner-list links (this user's open orders in this market). */
  uprev: Order | null = null;
  unext: Order | null = null;
  /** The owner's holding slot in this market (matching/positions.ts), set when accepted. */
  slot = -1;
  isBuy = false;
  isYes = false;
  /** BID or ASK in the unified book. */
  bookSide = BID;
  yesPrice = 0;
  id!: string;
  owner!: Trader;
  market!: Market;
  clientOrderId!: string | null;
  outcome!: Outcome;
  side!: Side;
  orderType!: OrderType;
  tif!: TimeInForce;
  postOnly = false;
  price = 0;
  qty = 0;
  maxCost!: number | null;
  ts = 0;
  /** GTD: epoch ms from which it never trades; Infinity for every other order. */
  expiresAt = Number.POSITIVE_INFINITY;
  stp: SelfTradePrevention = "CANCEL_RESTING";

  init(
    id: string,
    owner: Trader,
    market: Market,
    clientOrderId: string | null,
    outcome: Outcome,
    side: Side,
    orderType: OrderType,
    tif: TimeInForce,
    postOnly: boolean,
    price: number,
    qty: number,
    maxCost: number | null,
    ts: number,
  ): this {
    this.id = id;
    this.owner = owner;
    this.market = market;
    this.clientOrderId = clientOrderId;
    this.outcome = outcome;
    this.side = side;
    this.orderType = orderType;
    this.tif = tif;
    this.postOnly = postOnly;
    this.price = price;
    this.qty = qty;
    this.maxCost = maxCost;
    this.ts = ts;
    this.filled = 0;
    this.remaining = qty;
    this.filledValue = 0;
    this.fees = 0;
    this.status = "OPEN";
    this.acceptedSeq = 0;
    this.lockPerShare = 0;
    this.budget = -1;
    this.prev = null;
    this.next = null;
    this.uprev = null;
    this.unext = null;
    this.slot = -1;
    this.isBuy = side === "BUY";
    this.isYes = outcome === "YES";
    this.bookSide = this.isBuy === this.isYes ? BID : ASK;
    this.yesPrice = this.isYes ? price : 1000 - price;
    this.expiresAt = Number.POSITIVE_INFINITY;
    this.stp = "CANCEL_RESTING";
    return this;
  }
}

/** Heads and tails of the per-(user, market) open-order lists, indexed by the matching holding slot. */
export class OwnerLists {
  readonly heads: (Order | null)[] = [];
  readonly tails: (Order | null)[] = [];

  head(slot: number): Order | null {
    return slot >= 0 && slot < this.heads.length ? this.heads[slot] : null;
  }
}

/**
 * A binary min-heap of GTD orders keyed by (expiresAt, acceptedSeq). An entry keeps its own key and
 * the Order object; orders are recycled, so an entry is live only while the object is still OPEN
 * with the same acceptedSeq (matching/expiry.ts checks; stale entries are dropped when they surface).
 */
export class ExpiryHeap {
  at: number[] = [];
  seq: number[] = [];
  order: Order[] = [];

  get size(): number {
    return this.at.length;
  }

  push(o: Order): void {
    const at = this.at;
    const seq = this.seq;
    const ord = this.order;
    let i = at.length;
    at.push(o.expiresAt);
    seq.push(o.acceptedSeq);
    ord.push(o);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (at[p] < at[i] || (at[p] === at[i] && seq[p] < seq[i])) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** True when the top entry still names the open order it was pushed for. */
  topLive(): boolean {
    const o = this.order[0];
    return o.status === "OPEN" && o.acceptedSeq === this.seq[0];
  }

  pop(): void {
    const last = this.at.length - 1;
    this.swap(0, last);
    this.at.pop();
    this.seq.pop();
    this.order.pop();
    const at = this.at;
    const seq = this.seq;
    const n = at.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && (at[l] < at[m] || (at[l] === at[m] && seq[l] < seq[m]))) m = l;
      if (r < n && (at[r] < at[m] || (at[r] === at[m] && seq[r] < seq[m]))) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  /** Drop stale entries from the top; the top's expiresAt then, or Infinity when empty. */
  peek(): number {
    while (this.at.length > 0 && !this.topLive()) this.pop();
    return this.at.length > 0 ? this.at[0] : Number.POSITIVE_INFINITY;
  }

  private swap(i: number, j: number): void {
    const a = this.at[i];
    this.at[i] = this.at[j];
    this.at[j] = a;
    const b = this.seq[i];
    this.seq[i] = this.seq[j];
    this.seq[j] = b;
    const c = this.order[i];
    this.order[i] = this.order[j];
    this.order[j] = c;
  }
}
