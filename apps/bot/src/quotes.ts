/**
 * Pure quoting: where a market maker wants to stand given a fair YES price.
 * It quotes with cash only: a YES bid (BUY YES) and a YES ask expressed as a NO bid (BUY NO at
 * 1000 − ask), so it needs no inventory; when both fill, a pair is minted.
 */
export interface Quote {
  outcome: "YES" | "NO";
  side: "BUY";
  pricePaise: number;
  qty: number;
}

export interface QuoteParams {
  fairYesPaise: number;
  tickPaise: number;
  /** Half the spread, in ticks (≥ 1). */
  halfSpreadTicks: number;
  qty: number;
  /** Levels per side. */
  levels: number;
}

export function roundToTick(pricePaise: number, tickPaise: number): number {
  const ticks = Math.round(pricePaise / tickPaise);
  return Math.min(Math.max(ticks * tickPaise, tickPaise), 1000 - tickPaise);
}

export function desiredQuotes(p: QuoteParams): Quote[] {
  const fair = roundToTick(p.fairYesPaise, p.tickPaise);
  const quotes: Quote[] = [];
  for (let level = 0; level < p.levels; level++) {
    const offset = (p.halfSpreadTicks + level) * p.tickPaise;
    const bid = fair - offset;
    const ask = fair + offset;
    if (bid >= p.tickPaise) quotes.push({ outcome: "YES", side: "BUY", pricePaise: bid, qty: p.qty });
    if (ask <= 1000 - p.tickPaise)
      quotes.push({ outcome: "NO", side: "BUY", pricePaise: 1000 - ask, qty: p.qty });
  }
  return quotes;
}

/** A seeded PRNG: the bot's drift is reproducible for a given seed. */
export { createRandom } from "@ox/engine/random";

/** One step of a bounded random walk of the fair price, in whole ticks. */
export function driftFair(fairYesPaise: number, tickPaise: number, random: () => number): number {
  const r = random();
  const step = r < 0.3 ? -tickPaise : r > 0.7 ? tickPaise : 0;
  return Math.min(Math.max(fairYesPaise + step, 3 * tickPaise), 1000 - 3 * tickPaise);
}
