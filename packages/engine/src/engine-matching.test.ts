import { describe, expect, test } from "bun:test";
import { world } from "@ox/engine/testing";

describe("matching", () => {
  test("one taker sweeps two levels with a TRANSFER and a MINT, then rests", () => {
    const w = world(["a", "b", "c", "d"]);
    // a gets 3 YES shares by minting with d.
    w.order({ orderId: "a1", userId: "a", pricePaise: 400, qty: 3 });
    w.order({ orderId: "d1", userId: "d", outcome: "NO", pricePaise: 600, qty: 3 });
    w.order({ orderId: "a2", userId: "a", side: "SELL", pricePaise: 400, qty: 3 }); // ask 400
    w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 550, qty: 2 }); // ask 450
    const r = w.order({ orderId: "c1", userId: "c", pricePaise: 500, qty: 7 });
    expect(r.code).toBe("OK");
    expect(w.types(r)).toEqual([
      "ORDER_ACCEPTED",
      "TRADE",
      "ORDER_CLOSED",
      "BOOK_DELTA",
      "TRADE",
      "ORDER_CLOSED",
      "BOOK_DELTA",
      "BOOK_DELTA",
      "BALANCE",
      "BALANCE",
      "BALANCE",
      "POSITION",
      "POSITION",
      "POSITION",
    ]);
    const trades = w.of(r, "TRADE");
    expect(trades.map((t) => [t.kind, t.qty, t.yesPricePaise, t.makerPricePaise, t.takerPricePaise])).toEqual(
      [
        ["TRANSFER", 3, 400, 400, 400],
        ["MINT", 2, 450, 550, 450],
      ],
    );
    expect(w.of(r, "BALANCE").map((b) => b.userId)).toEqual(["c", "a", "b"]);
    // c locked 7×500, spent 3×400 + 2×450, keeps 2 resting at 500 (1000 locked).
    expect(w.e.account("c")).toEqual({ availablePaise: 1_000_000 - 2_100 - 1_000, lockedPaise: 1_000 });
    expect(w.e.account("a")).toEqual({ availablePaise: 1_000_000 - 1_200 + 1_200, lockedPaise: 0 });
    expect(w.e.positions("c")).toEqual([
      {
        marketId: "m",
        yesQty: 5,
        noQty: 0,
        yesLockedQty: 0,
        noLockedQty: 0,
        yesCostPaise: 2_100,
        noCostPaise: 0,
      },
    ]);
    expect(w.e.book("m")).toEqual({ marketId: "m", bookSeq: 7, yes: [{ pricePaise: 500, qty: 2 }], no: [] });
    expect(w.e.market("m")?.pairs).toBe(5);
    expect(w.e.market("m")?.escrowPaise).toBe(5_000);
  });

  test("price improvement is released at once and the maker's price is used", () => {
    const w = world(["a", "b"]);
    w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 700, qty: 10 }); // ask 300
    const r = w.order({ orderId: "a1", userId: "a", pricePaise: 600, qty: 10 });
    expect(w.of(r, "TRADE")[0]).toMatchObject({ kind: "MINT", yesPricePaise: 300, takerPricePaise: 300 });
    expect(w.of(r, "ORDER_CLOSED")[1]).toMatchObject({ orderId: "a1", status: "FILLED", releasedPaise: 0 });
    expect(w.e.account("a")).toEqual({ availablePaise: 1_000_000 - 3_000, lockedPaise: 0 });
    expect(r.order).toMatchObject({ filledQty: 10, filledValuePaise: 3_000, status: "FILLED" });
    expect(w.e.order("a1")).toBeUndefined();
  });

  test("price-time priority: earlier order at the same level fills first", () => {
    const w = world(["a", "b", "c"]);
    w.order({ orderId: "a1", userId: "a", outcome: "NO", pricePaise: 500, qty: 2 });
    w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 500, qty: 2 });
    const r = w.order({ orderId: "c1", userId: "c", pricePaise: 500, qty: 3 });
    expect(w.of(r, "TRADE").map((t) => [t.makerOrderId, t.qty])).toEqual([
      ["a1", 2],
      ["b1", 1],
    ]);
  });

  test("MERGE pays both sellers out of escrow", () => {
    const w = world(["a", "b"]);
    w.order({ orderId: "a1", userId: "a", pricePaise: 400, qty: 5 });
    w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 600, qty: 5 });
    w.order({ orderId: "a2", userId: "a", side: "SELL", pricePaise: 450, qty: 5 }); // ask 450
    const r = w.order({ orderId: "b2", userId: "b", outcome: "NO", side: "SELL", pricePaise: 500, qty: 5 }); // bid 500
    expect(w.of(r, "TRADE")[0]).toMatchObject({ kind: "MERGE", yesPricePaise: 450, takerPricePaise: 550 });
    expect(w.e.market("m")).toMatchObject({ pairs: 0, escrowPaise: 0 });
    expect(w.e.account("a")?.availablePaise).toBe(1_000_000 - 2_000 + 2_250);
    expect(w.e.account("b")?.availablePaise).toBe(1_000_000 - 3_000 + 2_750);
    expect(w.e.positions("a")).toEqual([]);
  });

  test("self-trade prevention cancels the resting order and matching carries on", () => {
    const w = world(["a", "b"]);
    w.order({ orderId: "a1", userId: "a", outcome: "NO", pricePaise: 600, qty: 2 }); // ask 400
    w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 600, qty: 2 }); // ask 400
    const r = w.order({ orderId: "a2", userId: "a", pricePaise: 400, qty: 2 });
    expect(w.types(r).slice(0, 6)).toEqual([
      "ORDER_ACCEPTED",
      "ORDER_CLOSED",
      "BOOK_DELTA",
      "TRADE",
      "ORDER_CLOSED",
      "BOOK_DELTA",
    ]);
    expect(w.of(r, "ORDER_CLOSED")[0]).toMatchObject({
      orderId: "a1",
      status: "CANCELLED",
      reason: "SELF_TRADE",
      cancelledQty: 2,
      releasedPaise: 1_200,
    });
    expect(w.of(r, "TRADE")[0]).toMatchObject({ makerOrderId: "b1", qty: 2 });
    expect(w.e.account("a")).toEqual({ availablePaise: 1_000_000 - 800, lockedPaise: 0 });
  });

  test("cancel after a partial fill releases exactly the remainder", () => {
    const w = world(["a", "b"], { takerFeeBps: 100 });
    w.order({ orderId: "a1", userId: "a", pricePaise: 450, qty: 10 }); // lockPerShare 450 + ceil(4.5) = 455
    w.order({ orderId: "b1", userId: "b", outcome: "NO", side: "BUY", pricePaise: 550, qty: 4 });
    const r = w.run({ type: "CANCEL_ORDER", userId: "a", orderId: "a1" });
    expect(w.types(r)).toEqual(["ORDER_CLOSED", "BOOK_DELTA", "BALANCE", "POSITION"]);
    expect(w.of(r, "ORDER_CLOSED")[0]).toMatchObject({
      filledQty: 4,
      cancelledQty: 6,
      releasedPaise: 6 * 455,
    });
    expect(w.of(r, "BOOK_DELTA")[0]).toMatchObject({ side: "BID", yesPricePaise: 450, qty: 0 });
    expect(w.e.account("a")).toEqual({ availablePaise: 1_000_000 - 4 * 450, lockedPaise: 0 });
    expect(w.run({ type: "CANCEL_ORDER", userId: "a", orderId: "a1" }).code).toBe("UNKNOWN_ORDER");
    expect(w.run({ type: "CANCEL_ORDER", userId: "b", orderId: "a1" }).code).toBe("UNKNOWN_ORDER");
  });

  test("CANCEL_ALL cancels in acceptance order, then one BALANCE and POSITION", () => {
    const w = world(["a"]);
    w.order({ orderId: "x", userId: "a", pricePaise: 300 });
    w.order({ orderId: "y", userId: "a", outcome: "NO", pricePaise: 300 });
    const r = w.run({ type: "CANCEL_ALL", userId: "a", marketId: "m" });
    expect(w.types(r)).toEqual([
      "ORDER_CLOSED",
      "BOOK_DELTA",
      "ORDER_CLOSED",
      "BOOK_DELTA",
      "BALANCE",
      "POSITION",
    ]);
    expect(w.of(r, "ORDER_CLOSED").map((c) => c.orderId)).toEqual(["x", "y"]);
    expect(w.run({ type: "CANCEL_ALL", userId: "a", marketId: "m" })).toEqual({ code: "OK", events: [] });
  });
});
