import { describe, expect, test } from "bun:test";
import { bookFromSnapshot } from "./book";
import { chancePct, defaultAmount, exitEstimate, fitQty, sharesForAmount, sweepBudget } from "./sizing";

const book = (yes: [number, number][], no: [number, number][]) =>
  bookFromSnapshot({
    seq: 1,
    yes: yes.map(([price, qty]) => ({ price, qty })),
    no: no.map(([price, qty]) => ({ price, qty })),
  });

describe("sizing", () => {
  test("the default amount fits the ₹15 bonus, and an empty wallet still starts at ₹10", () => {
    expect(defaultAmount(1500)).toBe(1000);
    expect(defaultAmount(750)).toBe(700);
    expect(defaultAmount(0)).toBe(1000);
    expect(defaultAmount(undefined)).toBe(1000);
  });
  test("an amount buys whole shares, never more than it pays for", () => {
    expect(sharesForAmount(1500, 600)).toBe(2);
    expect(sharesForAmount(1200, 600)).toBe(2);
    expect(sharesForAmount(500, 600)).toBe(0);
    expect(fitQty(10, 650, 1500)).toBe(2);
    expect(fitQty(10, 650, 100)).toBe(1);
    expect(fitQty(10, 650, null)).toBe(10);
  });
  test("a budget sweep stops at the share it cannot afford", () => {
    // Buying YES takes NO bids: NO ₹4 ×2 is YES ₹6, NO ₹3 ×5 is YES ₹7.
    const levels = [
      { price: 600, qty: 2 },
      { price: 700, qty: 5 },
    ];
    expect(sweepBudget(levels, 2000)).toEqual({ filledQty: 3, amountPaise: 1900, worstPrice: 700 });
    expect(sweepBudget(levels, 500)).toEqual({ filledQty: 0, amountPaise: 0, worstPrice: null });
  });
  test("an exit sells into the bids of its own outcome", () => {
    const b = book(
      [
        [550, 1],
        [500, 4],
      ],
      [],
    );
    expect(exitEstimate(b, "YES", 3)).toEqual({ filledQty: 3, amountPaise: 1550, worstPrice: 500 });
    expect(exitEstimate(b, "NO", 3).filledQty).toBe(0);
  });
  test("chance is the mid, or the last trade when the spread is wide — never the ask", () => {
    // YES bid ₹2 (a YES bid), YES ask ₹9 (a NO bid at ₹1): the "Yes ₹9 / No ₹2 shows 90 %".
    const wide = book([[200, 1]], [[100, 1]]);
    expect(chancePct(wide, null)).toBe(55);
    expect(chancePct(wide, 400)).toBe(40);
    const tight = book([[600, 1]], [[350, 1]]);
    expect(chancePct(tight, 100)).toBe(63); // mid of ₹6 and ₹6.5
    expect(chancePct(book([], []), null)).toBeNull();
    expect(chancePct(book([], [[400, 2]]), null)).toBeNull(); // an ask alone says nothing
    expect(chancePct(null, null, { yes: 650, no: 400 })).toBe(63);
  });
});
