/** Marking a position to the live book, in integer paise. */
import { type BookState, liquidity, type Outcome } from "./book";

export interface MarkInputs {
  book?: BookState;
  /** REST/ticker buy prices of each outcome, used when there is no book. */
  yesPrice?: number | null;
  noPrice?: number | null;
  lastPrice?: number | null;
}

/** What one share of `outcome` is worth now: the best bid (what you could sell for), else the last trade. */
export function markPrice(outcome: Outcome, m: MarkInputs): number | null {
  if (m.book) {
    const bid = liquidity(m.book, outcome, "SELL")[0]?.price;
    if (bid !== undefined) return bid;
  }
  if (m.lastPrice !== null && m.lastPrice !== undefined)
    return outcome === "YES" ? m.lastPrice : 1000 - m.lastPrice;
  const own = outcome === "YES" ? m.yesPrice : m.noPrice;
  return own ?? null;
}

export interface PositionValue {
  qty: number;
  costPaise: number | null;
  valuePaise: number | null;
  pnlPaise: number | null;
}

export function valuePosition(
  qty: number,
  avgPrice: number | null | undefined,
  mark: number | null,
): PositionValue {
  const costPaise = avgPrice !== null && avgPrice !== undefined ? Math.round(avgPrice * qty) : null;
  const valuePaise = mark !== null ? mark * qty : null;
  const pnlPaise = costPaise !== null && valuePaise !== null ? valuePaise - costPaise : null;
  return { qty, costPaise, valuePaise, pnlPaise };
}
