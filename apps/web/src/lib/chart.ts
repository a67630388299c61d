/**
 * Pure chart math: which candles a time range shows, the YES chance in % that the chart draws, and
 * where the user's own fills sit on it. Prices are paise out of ₹10 (1000), so paise / 10 is %.
 */
import type { Candle, CandleInterval, Fill } from "@ox/client";

export const CHART_RANGES = ["1D", "1W", "1M", "ALL"] as const;
export type ChartRange = (typeof CHART_RANGES)[number];

const DAY = 86_400_000;
export const RANGE_MS: Record<ChartRange, number> = {
  "1D": DAY,
  "1W": 7 * DAY,
  "1M": 30 * DAY,
  ALL: Number.POSITIVE_INFINITY,
};

export const INTERVAL_MS: Record<CandleInterval, number> = {
  "1m": 60_000,
  "5m": 300_000,
  "1h": 3_600_000,
  "1d": DAY,
};

/** The YES chance in % for a YES price in paise (₹6.50 → 65 %). */
export const pctOfPaise = (yesPaise: number) => yesPaise / 10;

/** The axis and crosshair label: whole percent, or one decimal for half-tick prices. */
export const formatPct = (pct: number) => `${Number.isInteger(pct) ? pct : pct.toFixed(1)}%`;

/** Candles inside the range that ends now, by bucket start, oldest first, one per bucket. */
export function candlesInRange(candles: Candle[], range: ChartRange, now: number): Candle[] {
  const from = now - RANGE_MS[range];
  const seen = new Set<number>();
  return [...candles]
    .filter((c) => c.t >= from)
    .sort((a, b) => a.t - b.t)
    .filter((c) => {
      if (seen.has(c.t)) return false;
      seen.add(c.t);
      return true;
    });
}

export interface FillMark {
  /** The candle bucket start (epoch ms) the fill falls in. */
  t: number;
  /** The YES chance in % the fill traded at (a NO fill at p is YES at 1000 − p). */
  pct: number;
  side: "BUY" | "SELL";
  outcome: "YES" | "NO";
  qty: number;
}

/**
 * The user's fills in this market placed on the chart's buckets; only those whose bucket the chart
 * draws (a fill the persister has not turned into a candle yet waits for the next read).
 */
export function fillMarks(fills: Fill[], marketId: string, candles: Candle[], interval: CandleInterval) {
  const step = INTERVAL_MS[interval];
  const buckets = new Set(candles.map((c) => c.t));
  return fills
    .filter((f) => f.marketId === marketId)
    .map(
      (f): FillMark => ({
        t: Math.floor(f.ts / step) * step,
        pct: pctOfPaise(f.outcome === "YES" ? f.pricePaise : 1000 - f.pricePaise),
        side: f.side,
        outcome: f.outcome,
        qty: f.qty,
      }),
    )
    .filter((m) => buckets.has(m.t))
    .sort((a, b) => a.t - b.t);
}
