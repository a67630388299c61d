import type { Account, EngineState, Market, Order } from "../state.ts";
import {
  NO_BUY_OPEN,
  NO_COST,
  NO_LOCKED,
  NO_QTY,
  STRIDE,
  YES_BUY_OPEN,
  YES_COST,
  YES_LOCKED,
  YES_QTY,
} from "./positions.ts";

/**
 * Risk: cash, locks, shares, fees and escrow. Matching never touches these fields directly; it
 * calls the functions here (the seam along which a risk shard by user and a matching shard by
 * market would be split, exchange-core style).
 */

export function feePerShare(pricePaise: number, bps: number): number {
  return Math.ceil((pricePaise * bps) / 10000);
}

export function fillFee(pricePaise: number, qty: number, bps: number): number {
  return Math.ceil((pricePaise * qty * bps) / 10000);
}

/** The slot of `a` in `m`, allocated on first use (and listed on the account). */
export function slotOf(s: EngineState, a: Account, m: Market): number {
  const t = s.positions;
  const before = t.count;
  const slot = t.slotOf(a.handle, m.handle);
  if (slot === before) {
    if (a.lastSlot < 0) a.firstSlot = slot;
    else t.nextOfUser[a.lastSlot] = slot;
    a.lastSlot = slot;
  }
  return slot;
}

/**
 * Reserve what a newly accepted order needs: cash for a BUY, shares for a SELL. `knownSlot` is the
 * owner's slot in the market if the caller already looked it up, else -1.
 */
export function reserve(s: EngineState, o: Order, lockedPaise: number, knownSlot: number): void {
  const a = o.user;
  const slot = knownSlot >= 0 ? knownSlot : slotOf(s, a, o.market);
  o.slot = slot;
  const d = s.positions.data;
  const b = slot * STRIDE;
  if (o.isBuy) {
    a.available -= lockedPaise;
    a.locked += lockedPaise;
    d[b + (o.isYes ? YES_BUY_OPEN : NO_BUY_OPEN)] += o.qty;
  } else {
    d[b + (o.isYes ? YES_LOCKED : NO_LOCKED)] += o.qty;
  }
}

/** Release what remains reserved for `qty` unfilled shares of `o` (or its unspent budget). */
export function releaseRemainder(s: EngineState, o: Order, qty: number): number {
  const a = o.user;
  const d = s.positions.data;
  const b = o.slot * STRIDE;
  if (o.isBuy) {
    let cash: number;
    if (o.budget >= 0) {
      cash = o.budget;
      o.budget = 0;
    } else {
      cash = qty * o.lockPerShare;
    }
    a.locked -= cash;
    a.available += cash;
    d[b + (o.isYes ? YES_BUY_OPEN : NO_BUY_OPEN)] -= qty;
    return cash;
  }
  d[b + (o.isYes ? YES_LOCKED : NO_LOCKED)] -= qty;
  return 0;
}

/** Settle one side of a fill of `qty` shares at own price `pricePaise` paying `fee`. */
export function settleFill(s: EngineState, o: Order, pricePaise: number, qty: number, fee: number): void {
  const a = o.user;
  const d = s.positions.data;
  const b = o.slot * STRIDE;
  const value = pricePaise * qty;
  s.fees += fee;
  if (o.isBuy) {
    if (o.budget >= 0) {
      o.budget -= value + fee;
      a.locked -= value + fee;
    } else {
      const rel = qty * o.lockPerShare;
      a.locked -= rel;
      a.available += rel - value - fee;
    }
    if (o.isYes) {
      d[b + YES_BUY_OPEN] -= qty;
      d[b + YES_QTY] += qty;
      d[b + YES_COST] += value;
    } else {
      d[b + NO_BUY_OPEN] -= qty;
      d[b + NO_QTY] += qty;
      d[b + NO_COST] += value;
    }
  } else {
    a.available += value - fee;
    const q = b + (o.isYes ? YES_QTY : NO_QTY);
    const c = b + (o.isYes ? YES_COST : NO_COST);
    d[c] -= Math.floor((d[c] * qty) / d[q]);
    d[q] -= qty;
    d[b + (o.isYes ? YES_LOCKED : NO_LOCKED)] -= qty;
  }
  o.filled += qty;
  o.remaining -= qty;
  o.filledValue += value;
  o.fees += fee;
}

/** Pay out a market at resolution: returns the amount credited to `a`. Zeroes the holding. */
export function payout(s: EngineState, a: Account, slot: number, yesPays: number, noPays: number): number {
  const d = s.positions.data;
  const b = slot * STRIDE;
  const amount = d[b + YES_QTY] * yesPays + d[b + NO_QTY] * noPays;
  a.available += amount;
  d[b + YES_QTY] = 0;
  d[b + NO_QTY] = 0;
  d[b + YES_COST] = 0;
  d[b + NO_COST] = 0;
  return amount;
}
