/**
 * Ticket sizing in integer paise: an amount in rupees becomes whole shares, a default that fits the
 * balance, what an exit would fetch from the live book, and the "chance" a market shows.
 */
import { type BookState, type Level, liquidity, type Outcome, sweep } from "./book";
import { PAYOUT_PAISE, probabilityPct } from "./money";

/** The amount a new ticket starts at: ₹10, or the whole balance in rupees when that is less. */
export const DEFAULT_AMOUNT_PAISE = 1000;

export function defaultAmount(availablePaise: number | null | undefined): number {
  if (availablePaise === null || availablePaise === undefined) return DEFAULT_AMOUNT_PAISE;
  const wholeRupees = Math.floor(Math.max(0, availablePaise) / 100) * 100;
  return wholeRupees > 0 ? Math.min(DEFAULT_AMOUNT_PAISE, wholeRupees) : DEFAULT_AMOUNT_PAISE;
}

/** Whole shares `amountPaise` buys at `pricePaise` each (never more than the amount). */
export function sharesForAmount(amountPaise: number, pricePaise: number): number {
  if (pricePaise <= 0 || amountPaise <= 0) return 0;
  return Math.floor(amountPaise / pricePaise);
}

/** A share count for a new ticket: `wanted`, or fewer so price × qty fits the balance (at least 1). */
export function fitQty(
  wanted: number,
  pricePaise: number,
  availablePaise: number | null | undefined,
): number {
  if (availablePaise === null || availablePaise === undefined) return wanted;
  return Math.max(1, Math.min(wanted, sharesForAmount(availablePaise, pricePaise)));
}

/** Walk the levels spending at most `budgetPaise`: shares bought, paise spent, worst price touched. */
export function sweepBudget(levels: Level[], budgetPaise: number) {
  let left = budgetPaise;
  let filledQty = 0;
  let worstPrice: number | null = null;
  for (const l of levels) {
    const take = Math.min(l.qty, Math.floor(left / l.price));
    if (take <= 0) break;
    filledQty += take;
    left -= take * l.price;
    worstPrice = l.price;
    if (take < l.qty) break;
  }
  return { filledQty, amountPaise: budgetPaise - left, worstPrice };
}

/** Shares of one outcome a user can sell now: held minus those already offered in open SELL orders. */
export function sellableQty(held: number, lockedQty: number): number {
  return Math.max(0, held - lockedQty);
}

/** What selling `qty` at market would fetch from the live book now. */
export function exitEstimate(book: BookState | null | undefined, outcome: Outcome, qty: number) {
  if (!book) return { filledQty: 0, amountPaise: 0, worstPrice: null };
  return sweep(liquidity(book, outcome, "SELL"), qty);
}

/** A spread wider than this (₹3) says little; the last trade is then the better guess. */
export const WIDE_SPREAD_PAISE = 300;

/**
 * The YES chance in whole percent: the mid of the best YES bid and ask, or the last trade when the
 * spread is wide or one side is empty; none when there is neither. Never the ask alone.
 */
export function chancePct(
  book: BookState | null | undefined,
  lastYesPricePaise: number | null | undefined,
  /** Without a live book: the REST/ticker prices to buy each outcome (YES ask, NO ask = 1000 − YES bid). */
  asks?: { yes: number | null | undefined; no: number | null | undefined },
): number | null {
  const last = lastYesPricePaise ?? null;
  let bid: number | null;
  let ask: number | null;
  if (book) {
    bid = liquidity(book, "YES", "SELL")[0]?.price ?? null;
    ask = liquidity(book, "YES", "BUY")[0]?.price ?? null;
  } else {
    bid = asks?.no != null ? PAYOUT_PAISE - asks.no : null;
    ask = asks?.yes ?? null;
  }
  if (bid !== null && ask !== null && (ask - bid <= WIDE_SPREAD_PAISE || last === null))
    return Math.round(((bid + ask) * 100) / (2 * PAYOUT_PAISE));
  if (last !== null) return probabilityPct(last);
  return null;
}
