/**
 * Risk's fee and lock schedule (SEMANTICS.md "Locks and fees") as pure integer functions: the one
 * place the formulas live. Risk applies them when it grants a reservation; matching runs the same
 * functions on the granted terms (lockPerShare or a budget) to size budget fills and to say what a
 * fill or a close moves, so a matching shard never waits on risk after the reservation.
 */

export function feePerShare(pricePaise: number, bps: number): number {
  return Math.ceil((pricePaise * bps) / 10000);
}

export function fillFee(pricePaise: number, qty: number, bps: number): number {
  return Math.ceil((pricePaise * qty * bps) / 10000);
}

/** Limit-style cash locked per share at worst price `pricePaise` under fee rate `maxBps`. */
export function lockPerShareOf(pricePaise: number, maxBps: number): number {
  return pricePaise + feePerShare(pricePaise, maxBps);
}

/** How many shares a budget of `budgetPaise` pays at own price `pricePaise` and taker fee `bps`. */
export function affordableQty(budgetPaise: number, pricePaise: number, bps: number): number {
  return Math.floor(budgetPaise / (pricePaise + feePerShare(pricePaise, bps)));
}

/** What a BUY fill of `qty` takes out of its lock: value + fee from a budget, else qty × lockPerShare. */
export function fillUnlock(
  budgetMode: boolean,
  lockPerShare: number,
  qty: number,
  valuePaise: number,
  feePaise: number,
): number {
  return budgetMode ? valuePaise + feePaise : qty * lockPerShare;
}

/** What closing a BUY with `qty` unfilled returns: the budget left, else qty × lockPerShare. */
export function remainderOf(budgetPaise: number, lockPerShare: number, qty: number): number {
  return budgetPaise >= 0 ? budgetPaise : qty * lockPerShare;
}
