import { AmendMemory } from "../amend-memory.ts";
import { advanceClock, DedupeQueue } from "../dedupe.ts";
import type { Emitter } from "../events.ts";
import { fillSettlement, payout, type RiskPort, release, reserveRequest } from "../seam.ts";
import { type Market, type Order, OwnerLists, Trader } from "../state.ts";
import { StringIndex } from "../string-index.ts";
import type { OrderView, TimeInForce } from "../types.ts";
import { PositionTable } from "./positions.ts";

/**
 * The matching core: markets and their books, open orders, every holding of shares (with cost
 * basis and the open-BUY count of the position limit), pairs and escrow. Cash is risk's: matching
 * reaches it only through `risk`, a RiskPort, with the messages of seam.ts. A matching shard by
 * market is this class over its own input with a port that sends instead of calls.
 */
export class MatchingCore {
  /** User id → handle (matching's own directory) and what the books know of each user by handle. */
  readonly users = new StringIndex<number>();
  readonly traders: Trader[] = [];
  readonly positions = new PositionTable();
  /** Each user's open orders in one market, listed per holding slot (matching/book.ts). */
  readonly owners = new OwnerLists();
  readonly markets: Market[] = [];
  readonly marketIndex = new StringIndex<number>();
  /** Resting orders by orderId (an order that never rests is never entered). */
  readonly orders = new StringIndex<Order>();
  /** Closed Order objects waiting to be re-initialised (not state: never snapshotted). */
  readonly free: Order[] = [];
  /** Remembered clientOrderIds in the order they were remembered, and the clock (dedupe.ts). */
  readonly dedupe: DedupeQueue;
  /** Remembered (user, clientAmendId) pairs of AMEND_ORDER (amend-memory.ts). */
  readonly amends: AmendMemory;
  /** AMEND_ORDER's checked fields on their way to being applied (commands/amend.ts). */
  readonly amendDraft = new AmendDraft();
  /** Bumped per command; compared with Trader.mark. */
  epoch = 0;
  /**
   * Users met in the current command, in order of first appearance: list[0 .. count) with their
   * holding slot in the command's market (reused buffers; per core, never shared between engines).
   */
  readonly met = { list: [] as Trader[], slots: [] as number[], count: 0 };
  /** The outgoing messages, one reusable object each (seam.ts: the receiver copies what it keeps). */
  readonly reserveMsg = reserveRequest();
  readonly fillMsg = fillSettlement();
  readonly releaseMsg = release();
  readonly payoutMsg = payout();
  /** PLACE_ORDER's checked fields on their way to admission (commands/place-order.ts). */
  readonly draft = new OrderDraft();
  /** A matching shard's BUYs awaiting their reservation (null in one process: the answer is at once). */
  parked: ParkedOrders | null = null;

  constructor(
    readonly out: Emitter,
    /** Risk, as matching reaches it: the risk core itself in one process, a sender in a shard. */
    public risk: RiskPort,
    dedupeWindowMs: number,
  ) {
    this.dedupe = new DedupeQueue(dedupeWindowMs);
    this.amends = new AmendMemory(dedupeWindowMs);
  }

  advanceClock(ts: number): void {
    advanceClock(this.dedupe, ts, null);
    this.amends.advance(ts);
  }

  /**
   * A user the books may see, under `handle`: the user's address at risk (the risk core's handle,
   * which every message to risk carries). Handles are dense, in the order users are added.
   */
  addTrader(id: string, handle: number): Trader {
    if (handle !== this.traders.length) throw new Error(`matching: handle ${handle} out of order`);
    const t = new Trader(id, handle);
    this.traders.push(t);
    this.users.set(id, handle);
    return t;
  }
}

/**
 * What PLACE_ORDER's checks established, kept between the checks and the admission (one reusable
 * object per core: a matching shard keeps a parked BUY's command, not its draft, and checks again).
 */
export class OrderDraft {
  u!: Trader;
  m!: Market;
  cid: string | null = null;
  price = 0;
  tif: TimeInForce = "GTC";
  maxCost: number | null = null;
  postOnly = false;
  /** The owner's holding slot in the market as found by the checks (-1: none yet). */
  slot = -1;
}

/** What AMEND_ORDER's checks established (one reusable object per core, like OrderDraft). */
export class AmendDraft {
  u!: Trader;
  o!: Order;
  cid: string | null = null;
  /** The new limit price and remaining quantity. */
  price = 0;
  remaining = 0;
  /** Same price and remaining not raised: the order keeps its place in the queue. */
  keep = false;
  /** BUY: the new lock per share and the cash the order locks after the amend (0 for a SELL). */
  lockPerShare = 0;
  lock = 0;
  /** BUY: new lock − the lock it holds now (> 0: reserve that much more; < 0: release it). */
  extra = 0;
}

/** Parked BUYs of a matching shard (orders awaiting their reservation), as the checks see them. */
export interface ParkedOrders {
  has(orderId: string): boolean;
  /** The parked order carrying this (user, clientOrderId), as a view, or undefined. */
  byClientOrderId(user: number, cid: string): OrderView | undefined;
  /** An amend carrying this (user, clientAmendId) is parked, waiting for its extra cash. */
  hasAmend(user: number, cid: string): boolean;
}
