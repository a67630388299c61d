import { fillUnlock, remainderOf } from "../risk/terms.ts";
import type { Market, Order, Trader } from "../state.ts";
import type { MatchingCore } from "./core.ts";
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
 * Matching's side of every movement: shares, cost basis and the open-BUY count change here; the
 * cash side of the same movement leaves as a seam message to risk (seam.ts) with amounts from the
 * schedule in risk/terms.ts on the terms risk granted at reservation.
 */

/** The holding slot of `t` in `m`, allocated on first use (and chained on the trader). */
export function slotOf(s: MatchingCore, t: Trader, m: Market): number {
  const table = s.positions;
  const before = table.count;
  const slot = table.slotOf(t.handle, m.handle);
  if (slot === before) {
    if (t.lastSlot < 0) t.firstSlot = slot;
    else table.nextOfUser[t.lastSlot] = slot;
    t.lastSlot = slot;
  }
  return slot;
}

/**
 * A new order was accepted (a BUY's cash already reserved by risk): count a BUY's quantity against
 * the position limit, lock a SELL's shares. `knownSlot`: the owner's slot if the checks found one.
 */
export function holdOpen(s: MatchingCore, o: Order, knownSlot: number): void {
  const slot = knownSlot >= 0 ? knownSlot : slotOf(s, o.owner, o.market);
  o.slot = slot;
  const b = slot * STRIDE;
  if (o.isBuy) s.positions.data[b + (o.isYes ? YES_BUY_OPEN : NO_BUY_OPEN)] += o.qty;
  else s.positions.data[b + (o.isYes ? YES_LOCKED : NO_LOCKED)] += o.qty;
}

/** Hand back cash risk reserved that no order will use (RELEASE). */
export function releaseCash(s: MatchingCore, user: number, paise: number): void {
  if (paise === 0) return;
  const m = s.releaseMsg;
  m.user = user;
  m.paise = paise;
  s.risk.release(m);
}

/** Release what remains reserved for `qty` unfilled shares of `o` (or its unspent budget). */
export function releaseRemainder(s: MatchingCore, o: Order, qty: number): number {
  const b = o.slot * STRIDE;
  if (o.isBuy) {
    const cash = remainderOf(o.budget, o.lockPerShare, qty);
    if (o.budget >= 0) o.budget = 0;
    s.positions.data[b + (o.isYes ? YES_BUY_OPEN : NO_BUY_OPEN)] -= qty;
    releaseCash(s, o.owner.handle, cash);
    return cash;
  }
  s.positions.data[b + (o.isYes ? YES_LOCKED : NO_LOCKED)] -= qty;
  return 0;
}

/** Settle one side of a fill of `qty` shares at own price `pricePaise` paying `fee` (FILL). */
export function settleFill(s: MatchingCore, o: Order, pricePaise: number, qty: number, fee: number): void {
  const d = s.positions.data;
  const b = o.slot * STRIDE;
  const value = pricePaise * qty;
  const f = s.fillMsg;
  f.user = o.owner.handle;
  f.isBuy = o.isBuy;
  f.valuePaise = value;
  f.feePaise = fee;
  if (o.isBuy) {
    const budgetMode = o.budget >= 0;
    const unlock = fillUnlock(budgetMode, o.lockPerShare, qty, value, fee);
    if (budgetMode) o.budget -= unlock;
    f.unlockPaise = unlock;
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
    f.unlockPaise = 0;
    const q = b + (o.isYes ? YES_QTY : NO_QTY);
    const c = b + (o.isYes ? YES_COST : NO_COST);
    d[c] -= Math.floor((d[c] * qty) / d[q]);
    d[q] -= qty;
    d[b + (o.isYes ? YES_LOCKED : NO_LOCKED)] -= qty;
  }
  s.risk.settle(f);
  o.filled += qty;
  o.remaining -= qty;
  o.filledValue += value;
  o.fees += fee;
}

/**
 * Pay out a holding at resolution (PAYOUT): returns the amount, which leaves the market's escrow
 * (the caller's) for the user's available cash. Zeroes the holding.
 */
export function payoutHolding(
  s: MatchingCore,
  t: Trader,
  slot: number,
  yesPays: number,
  noPays: number,
): number {
  const d = s.positions.data;
  const b = slot * STRIDE;
  const amount = d[b + YES_QTY] * yesPays + d[b + NO_QTY] * noPays;
  d[b + YES_QTY] = 0;
  d[b + NO_QTY] = 0;
  d[b + YES_COST] = 0;
  d[b + NO_COST] = 0;
  if (amount !== 0) {
    const m = s.payoutMsg;
    m.user = t.handle;
    m.paise = amount;
    s.risk.payout(m);
  }
  return amount;
}
