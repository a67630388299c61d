import { advanceClock, DedupeQueue } from "../dedupe.ts";
import type { Emitter } from "../events.ts";
import { fillSettlement, payout, type RiskPort, release, reserveRequest } from "../seam.ts";
import { type Market, type Order, OwnerLists, Trader } from "../state.ts";
import { StringIndex } from "../string-index.ts";
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

  constructor(
    readonly out: Emitter,
    readonly risk: RiskPort,
    dedupeWindowMs: number,
  ) {
    this.dedupe = new DedupeQueue(dedupeWindowMs);
  }

  advanceClock(ts: number): void {
    advanceClock(this.dedupe, ts, null);
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
