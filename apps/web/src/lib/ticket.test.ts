import { describe, expect, test } from "bun:test";
import { bookFromSnapshot } from "./book";
import { clampPrice, orderBody, quoteTicket, stepPrice } from "./ticket";

const base = {
  outcome: "YES" as const,
  side: "BUY" as const,
  kind: "LIMIT" as const,
  pricePaise: 650,
  qty: 10,
  tickPaise: 50,
};

describe("quoteTicket", () => {
  test("limit buy: cost, ₹10 payout per share, profit if right", () => {
    const q = quoteTicket(base, null);
    expect(q.amountPaise).toBe(6500);
    expect(q.payoutPaise).toBe(10000);
    expect(q.profitPaise).toBe(3500);
    expect(q.probabilityPct).toBe(65);
  });
  test("sell: proceeds, no payout", () => {
    const q = quoteTicket({ ...base, side: "SELL", pricePaise: 700, qty: 3 }, null);
    expect(q.amountPaise).toBe(2100);
    expect(q.payoutPaise).toBe(0);
  });
  test("market buy sweeps the book", () => {
    const book = bookFromSnapshot({
      seq: 1,
      yes: [],
      no: [
        { price: 400, qty: 4 },
        { price: 350, qty: 100 },
      ],
    });
    const q = quoteTicket({ ...base, kind: "MARKET", qty: 6 }, book);
    expect(q.amountPaise).toBe(4 * 600 + 2 * 650);
    expect(q.payoutPaise).toBe(6000);
    expect(q.estimate).toEqual({ filledQty: 6, worstPrice: 650 });
  });
  test("market buy on a thin book pays out only what fills", () => {
    const book = bookFromSnapshot({ seq: 1, yes: [], no: [{ price: 400, qty: 2 }] });
    const q = quoteTicket({ ...base, kind: "MARKET", qty: 5 }, book);
    expect(q.estimate?.filledQty).toBe(2);
    expect(q.payoutPaise).toBe(2000);
  });
});

describe("price stepper", () => {
  test("steps by tick and stays inside (tick, 1000 − tick)", () => {
    expect(stepPrice(500, 1, 50)).toBe(550);
    expect(stepPrice(50, -1, 50)).toBe(50);
    expect(stepPrice(950, 1, 50)).toBe(950);
    expect(clampPrice(512, 50)).toBe(500);
    expect(clampPrice(0, 50)).toBe(50);
  });
});

describe("orderBody", () => {
  test("kinds map to type and timeInForce (docs/order-path.md)", () => {
    expect(orderBody("m1", base, "c1")).toMatchObject({
      type: "LIMIT",
      timeInForce: "GTC",
      pricePaise: 650,
      quantity: 10,
      clientOrderId: "c1",
    });
    expect(orderBody("m1", { ...base, kind: "IOC" }, "c")).toMatchObject({
      type: "LIMIT",
      timeInForce: "IOC",
    });
    expect(orderBody("m1", { ...base, kind: "FOK" }, "c")).toMatchObject({
      type: "LIMIT",
      timeInForce: "FOK",
    });
    expect(orderBody("m1", { ...base, kind: "MARKET" }, "c")).toMatchObject({
      type: "MARKET",
      timeInForce: "IOC",
      pricePaise: 650,
    });
  });
  test("post-only only on a limit GTC order", () => {
    expect(orderBody("m1", base, "c", true)).toMatchObject({ postOnly: true });
    expect(orderBody("m1", { ...base, kind: "IOC" }, "c", true)).not.toHaveProperty("postOnly");
  });
});
