import { describe, expect, test } from "bun:test";
import { applyDelta, bestBuyPrice, bookFromSnapshot, ladder, liquidity, sweep } from "./book";

const snap = {
  seq: 10,
  yes: [
    { price: 600, qty: 5 },
    { price: 550, qty: 10 },
  ],
  no: [
    { price: 350, qty: 7 },
    { price: 300, qty: 20 },
  ],
};

describe("applyDelta", () => {
  test("applies the next seq (stream shape: one level, absolute qty)", () => {
    const r = applyDelta(bookFromSnapshot(snap), { seq: 11, outcome: "YES", price: 600, qty: 8 });
    expect(r.status).toBe("applied");
    if (r.status !== "applied") return;
    expect(r.book.seq).toBe(11);
    expect(ladder(r.book, "YES")[0]).toEqual({ price: 600, qty: 8 });
  });
  test("qty 0 removes the level; batches apply in order", () => {
    const r = applyDelta(bookFromSnapshot(snap), {
      seq: 11,
      changes: [
        { outcome: "NO", price: 350, qty: 0 },
        { outcome: "NO", price: 400, qty: 3 },
      ],
    });
    if (r.status !== "applied") throw new Error(r.status);
    expect(ladder(r.book, "NO")).toEqual([
      { price: 400, qty: 3 },
      { price: 300, qty: 20 },
    ]);
  });
  test("an old or repeated seq is stale and changes nothing", () => {
    const b = bookFromSnapshot(snap);
    expect(applyDelta(b, { seq: 10, outcome: "YES", price: 600, qty: 1 }).status).toBe("stale");
    expect(applyDelta(b, { seq: 3, outcome: "YES", price: 600, qty: 1 }).status).toBe("stale");
    expect(ladder(b, "YES")[0].qty).toBe(5);
  });
  test("a skipped seq is a gap", () => {
    expect(applyDelta(bookFromSnapshot(snap), { seq: 12, outcome: "YES", price: 600, qty: 1 }).status).toBe(
      "gap",
    );
  });
  test("does not mutate the input book", () => {
    const b = bookFromSnapshot(snap);
    applyDelta(b, { seq: 11, outcome: "YES", price: 650, qty: 2 });
    expect(b.yes.has(650)).toBe(false);
    expect(b.seq).toBe(10);
  });
});

describe("prices from bids", () => {
  const b = bookFromSnapshot(snap);
  test("buying YES meets NO bids at 1000 − p, cheapest first", () => {
    expect(bestBuyPrice(b, "YES")).toBe(650);
    expect(bestBuyPrice(b, "NO")).toBe(400);
    expect(liquidity(b, "YES", "BUY")).toEqual([
      { price: 650, qty: 7 },
      { price: 700, qty: 20 },
    ]);
  });
  test("selling YES hits YES bids, best first", () => {
    expect(liquidity(b, "YES", "SELL")[0]).toEqual({ price: 600, qty: 5 });
  });
  test("empty side has no price", () => {
    expect(bestBuyPrice(bookFromSnapshot({ seq: 0, yes: [], no: [] }), "YES")).toBeNull();
  });
  test("sweep walks levels and stops at qty", () => {
    expect(sweep(liquidity(b, "YES", "BUY"), 10)).toEqual({
      filledQty: 10,
      amountPaise: 7 * 650 + 3 * 700,
      worstPrice: 700,
    });
    expect(sweep(liquidity(b, "YES", "BUY"), 100).filledQty).toBe(27);
  });
});
