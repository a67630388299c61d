import { describe, expect, test } from "bun:test";
import { createRandom, desiredQuotes, driftFair, roundToTick } from "./quotes.ts";

describe("desiredQuotes", () => {
  test("quotes a YES bid and a NO bid mirroring the YES ask, per level", () => {
    const q = desiredQuotes({ fairYesPaise: 500, tickPaise: 50, halfSpreadTicks: 1, qty: 10, levels: 2 });
    expect(q).toEqual([
      { outcome: "YES", side: "BUY", pricePaise: 450, qty: 10 },
      { outcome: "NO", side: "BUY", pricePaise: 450, qty: 10 },
      { outcome: "YES", side: "BUY", pricePaise: 400, qty: 10 },
      { outcome: "NO", side: "BUY", pricePaise: 400, qty: 10 },
    ]);
  });

  test("never quotes outside [tick, 1000 - tick] and the two sides never cross", () => {
    for (let fair = 0; fair <= 1000; fair += 25) {
      const q = desiredQuotes({ fairYesPaise: fair, tickPaise: 50, halfSpreadTicks: 1, qty: 1, levels: 3 });
      for (const x of q) {
        expect(x.pricePaise).toBeGreaterThanOrEqual(50);
        expect(x.pricePaise).toBeLessThanOrEqual(950);
        expect(x.pricePaise % 50).toBe(0);
      }
      const bestBid = Math.max(...q.filter((x) => x.outcome === "YES").map((x) => x.pricePaise), 0);
      const bestAsk = Math.min(...q.filter((x) => x.outcome === "NO").map((x) => 1000 - x.pricePaise), 1000);
      expect(bestBid).toBeLessThan(bestAsk);
    }
  });
});

test("roundToTick clamps and rounds", () => {
  expect(roundToTick(0, 50)).toBe(50);
  expect(roundToTick(1000, 50)).toBe(950);
  expect(roundToTick(524, 50)).toBe(500);
  expect(roundToTick(526, 50)).toBe(550);
});

test("driftFair is a bounded, reproducible walk", () => {
  const a = createRandom(7);
  const b = createRandom(7);
  let x = 500;
  let y = 500;
  for (let i = 0; i < 10_000; i++) {
    x = driftFair(x, 50, a);
    y = driftFair(y, 50, b);
    expect(x).toBe(y);
    expect(x).toBeGreaterThanOrEqual(150);
    expect(x).toBeLessThanOrEqual(850);
  }
});
