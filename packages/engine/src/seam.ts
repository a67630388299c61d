/**
 * The seam between the two cores (README "Two cores"): plain typed messages, nothing else crosses.
 *
 * - Matching (matching/core.ts, by market) owns books, orders, shares, pairs and escrow.
 * - Risk (risk/core.ts, by user) owns cash: available, locked, fees, credits, debits and refs.
 *
 * Only cash crosses. Matching asks risk to reserve a BUY's cash (`ReserveRequest`), risk answers with
 * the terms it granted or a refusal (`ReserveAnswer`); then matching reports, per party of every
 * fill, what the fill moves in cash (`FillSettlement`), hands back what an order that closes had left
 * reserved (`Release`), and pays winning shares out of escrow at resolution (`Payout`). The amounts
 * are computed by the pure fee and lock schedule of risk/terms.ts on the terms risk granted, so a
 * matching shard can emit its TRADE and ORDER_CLOSED events without waiting for an answer; only a
 * reservation needs one.
 *
 * In one process the engine wires the cores directly: `RiskPort` is the risk core itself and every
 * message is a synchronous call. The sender owns one reusable object per message type (the hot path
 * stays allocation-free), so a receiver must copy what it keeps; a transport between shards would
 * serialise each message as it is sent. A user is the risk core's handle (matching keeps it per user).
 */

/** Matching → risk: reserve the cash a new BUY order needs (its fill budget), or an amend's extra cash. */
export interface ReserveRequest {
  readonly type: "RESERVE";
  /** User handle. */
  user: number;
  qty: number;
  /** The order's own worst price: its limit, or the MARKET default `1000 − tick`. */
  pricePaise: number;
  /**
   * A fixed amount to lock, or -1: a MARKET BUY's budget, or the extra cash an AMEND_ORDER needs
   * (new lock − current lock; matching then sets the order's lockPerShare from terms.ts itself).
   */
  maxCostPaise: number;
  /** The market's `max(makerFeeBps, takerFeeBps)`: the fee every share's lock must cover. */
  maxFeeBps: number;
}

/** Risk → matching: the terms granted (cash moved from available to locked), or a refusal. */
export interface ReserveAnswer {
  readonly type: "RESERVE_ANSWER";
  ok: boolean;
  /** The refusal's result code when `ok` is false. */
  code: "INSUFFICIENT_FUNDS";
  /** Cash locked for the order. */
  lockedPaise: number;
  /** Limit-style terms: cash locked per share (0 in budget mode). */
  lockPerShare: number;
  /** Budget terms: the budget locked (-1 when limit-style). */
  budgetPaise: number;
}

/** Matching → risk: one party's side of one fill. */
export interface FillSettlement {
  readonly type: "FILL";
  user: number;
  isBuy: boolean;
  /** own price × quantity */
  valuePaise: number;
  /** To the fee account. */
  feePaise: number;
  /** BUY only: cash this fill takes out of the order's lock (value + fee, or qty × lockPerShare). */
  unlockPaise: number;
}

/** Matching → risk: a BUY closed (filled, cancelled, expired, refused by a later check) with cash left locked. */
export interface Release {
  readonly type: "RELEASE";
  user: number;
  paise: number;
}

/** Matching → risk: resolution pays `paise` out of the market's escrow to the user. */
export interface Payout {
  readonly type: "PAYOUT";
  user: number;
  paise: number;
}

export type SeamMessage = ReserveRequest | ReserveAnswer | FillSettlement | Release | Payout;

/** What the matching core needs of risk. In one process: the risk core, called directly. */
export interface RiskPort {
  reserve(m: ReserveRequest): ReserveAnswer;
  settle(m: FillSettlement): void;
  release(m: Release): void;
  payout(m: Payout): void;
  /**
   * Emit the user's BALANCE event now. A risk shard emits it after applying a command's messages;
   * in one process matching asks at the point the event order of types.ts puts it.
   */
  reportBalance(user: number): void;
}

export function reserveRequest(): ReserveRequest {
  return { type: "RESERVE", user: -1, qty: 0, pricePaise: 0, maxCostPaise: -1, maxFeeBps: 0 };
}

export function reserveAnswer(): ReserveAnswer {
  return {
    type: "RESERVE_ANSWER",
    ok: false,
    code: "INSUFFICIENT_FUNDS",
    lockedPaise: 0,
    lockPerShare: 0,
    budgetPaise: -1,
  };
}

export function fillSettlement(): FillSettlement {
  return { type: "FILL", user: -1, isBuy: false, valuePaise: 0, feePaise: 0, unlockPaise: 0 };
}

export function release(): Release {
  return { type: "RELEASE", user: -1, paise: 0 };
}

export function payout(): Payout {
  return { type: "PAYOUT", user: -1, paise: 0 };
}
