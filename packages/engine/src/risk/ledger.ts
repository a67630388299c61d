import type { Account, EngineState, Market, Order, Position } from "../state.ts";
import { Position as PositionClass } from "../state.ts";

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

export function positionOf(a: Account, m: Market): Position {
  let p = a.positions[m.handle];
  if (p === undefined) {
    while (a.positions.length < m.handle) a.positions.push(undefined);
    p = new PositionClass(m);
    a.positions[m.handle] = p;
    a.positionList.push(p);
  }
  return p;
}

/** Reserve what a newly accepted order needs: cash for a BUY, shares for a SELL. */
export function reserve(o: Order, lockedPaise: number): void {
  const a = o.user;
  const p = positionOf(a, o.market);
  o.pos = p;
  if (o.isBuy) {
    a.available -= lockedPaise;
    a.locked += lockedPaise;
    if (o.isYes) p.yesBuyOpen += o.qty;
    else p.noBuyOpen += o.qty;
  } else if (o.isYes) {
    p.yesLocked += o.qty;
  } else {
    p.noLocked += o.qty;
  }
}

/** Release what remains reserved for `qty` unfilled shares of `o` (or its unspent budget). */
export function releaseRemainder(o: Order, qty: number): number {
  const a = o.user;
  const p = o.pos as Position;
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
    if (o.isYes) p.yesBuyOpen -= qty;
    else p.noBuyOpen -= qty;
    return cash;
  }
  if (o.isYes) p.yesLocked -= qty;
  else p.noLocked -= qty;
  return 0;
}

/** Settle one side of a fill of `qty` shares at own price `pricePaise` paying `fee`. */
export function settleFill(s: EngineState, o: Order, pricePaise: number, qty: number, fee: number): void {
  const a = o.user;
  const p = o.pos as Position;
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
      p.yesBuyOpen -= qty;
      p.yesQty += qty;
      p.yesCost += value;
    } else {
      p.noBuyOpen -= qty;
      p.noQty += qty;
      p.noCost += value;
    }
  } else {
    a.available += value - fee;
    if (o.isYes) {
      p.yesCost -= Math.floor((p.yesCost * qty) / p.yesQty);
      p.yesQty -= qty;
      p.yesLocked -= qty;
    } else {
      p.noCost -= Math.floor((p.noCost * qty) / p.noQty);
      p.noQty -= qty;
      p.noLocked -= qty;
    }
  }
  o.filled += qty;
  o.remaining -= qty;
  o.filledValue += value;
  o.fees += fee;
}

/** Pay out a market at resolution: returns the amount credited to `a`. Zeroes the position. */
export function payout(a: Account, p: Position, yesPays: number, noPays: number): number {
  const amount = p.yesQty * yesPays + p.noQty * noPays;
  a.available += amount;
  p.yesQty = 0;
  p.noQty = 0;
  p.yesCost = 0;
  p.noCost = 0;
  return amount;
}
