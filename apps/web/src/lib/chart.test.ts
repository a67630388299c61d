import { expect, test } from "bun:test";
import type { Candle, Fill } from "@ox/client";
import { candlesInRange, fillMarks, formatPct, pctOfPaise } from "./chart";

const HOUR = 3_600_000;
const candle = (t: number, closePaise: number): Candle => ({
  t,
  openPaise: closePaise,
  highPaise: closePaise,
  lowPaise: closePaise,
  closePaise,
  volume: 1,
  trades: 1,
});
const fill = (over: Partial<Fill>): Fill => ({
  tradeSeq: 1,
  marketId: "m1",
  orderId: "o1",
  kind: "MINT",
  role: "TAKER",
  outcome: "YES",
  side: "BUY",
  pricePaise: 650,
  qty: 2,
  feePaise: 0,
  ts: 0,
  ...over,
});

test("the axis is the YES chance in %", () => {
  expect(pctOfPaise(650)).toBe(65);
  expect(formatPct(65)).toBe("65%");
  expect(formatPct(pctOfPaise(655))).toBe("65.5%");
});

test("a range keeps the candles that start inside it, oldest first, one per bucket", () => {
  const now = 40 * 24 * HOUR;
  const all = [candle(now - HOUR, 600), candle(now - 3 * 24 * HOUR, 500), candle(now - 35 * 24 * HOUR, 400)];
  expect(candlesInRange(all, "1D", now).map((c) => c.closePaise)).toEqual([600]);
  expect(candlesInRange(all, "1W", now).map((c) => c.closePaise)).toEqual([500, 600]);
  expect(candlesInRange(all, "1M", now).map((c) => c.closePaise)).toEqual([500, 600]);
  expect(candlesInRange([...all, all[0] as Candle], "ALL", now).map((c) => c.closePaise)).toEqual([
    400, 500, 600,
  ]);
});

test("own fills sit on their candle's bucket at the YES chance; other markets and undrawn buckets are left out", () => {
  const candles = [candle(0, 600), candle(300_000, 700)];
  const marks = fillMarks(
    [
      fill({ ts: 310_000, outcome: "NO", side: "BUY", pricePaise: 300 }),
      fill({ ts: 10_000, pricePaise: 600, side: "SELL" }),
      fill({ ts: 10_000, marketId: "m2" }),
      fill({ ts: 900_000 }),
    ],
    "m1",
    candles,
    "5m",
  );
  expect(marks).toEqual([
    { t: 0, pct: 60, side: "SELL", outcome: "YES", qty: 2 },
    { t: 300_000, pct: 70, side: "BUY", outcome: "NO", qty: 2 },
  ]);
});
