import { describe, expect, test } from "bun:test";
import { stateText, world } from "@ox/engine/testing";

describe("order kinds", () => {
  test("IOC fills what it can and expires the rest", () => {
    const w = world(["a", "b"]);
    w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 500, qty: 2 });
    const r = w.order({ orderId: "a1", userId: "a", pricePaise: 500, qty: 5, tif: "IOC" });
    expect(w.of(r, "ORDER_CLOSED")[1]).toMatchObject({
      orderId: "a1",
      status: "EXPIRED",
      reason: "IOC",
      filledQty: 2,
      cancelledQty: 3,
      releasedPaise: 1_500,
    });
    expect(w.e.account("a")).toEqual({ availablePaise: 1_000_000 - 1_000, lockedPaise: 0 });
    expect(w.e.book("m")?.no).toEqual([]);
  });

  test("FOK that cannot fill is rejected and changes nothing, own orders included", () => {
    const w = world(["a", "b"]);
    w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 500, qty: 2 });
    w.order({ orderId: "a0", userId: "a", outcome: "NO", pricePaise: 500, qty: 5 });
    const before = stateText(w.e);
    const r = w.order({ orderId: "a1", userId: "a", pricePaise: 500, qty: 3, tif: "FOK" });
    expect(r.code).toBe("FOK_NOT_FILLABLE");
    expect(w.types(r)).toEqual(["ORDER_REJECTED"]);
    expect(w.e.order("a0")?.status).toBe("OPEN");
    expect(stateText(w.e)).toBe(before);
    const ok = w.order({ orderId: "a2", userId: "a", pricePaise: 500, qty: 2, tif: "FOK" });
    expect(ok.order?.status).toBe("FILLED");
  });

  test("MARKET BUY with maxCost stops when the budget cannot buy one more share", () => {
    const w = world(["a", "b"], { takerFeeBps: 100 });
    w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 600, qty: 3 }); // ask 400
    w.order({ orderId: "b2", userId: "b", outcome: "NO", pricePaise: 500, qty: 3 }); // ask 500
    const r = w.order({ orderId: "a1", userId: "a", orderType: "MARKET", qty: 10, maxCostPaise: 2_200 });
    // 3 × 400 + ceil(12) = 1212; then floor(988 / 505) = 1 share at 500 + 5 fee = 505; 483 left.
    expect(w.of(r, "TRADE").map((t) => [t.qty, t.takerFeePaise])).toEqual([
      [3, 12],
      [1, 5],
    ]);
    expect(w.of(r, "ORDER_CLOSED").at(-1)).toMatchObject({
      status: "EXPIRED",
      cancelledQty: 6,
      releasedPaise: 483,
    });
    expect(w.e.account("a")).toEqual({ availablePaise: 1_000_000 - 1_717, lockedPaise: 0 });
  });

  test("MARKET SELL takes the best bids down to its worst price", () => {
    const w = world(["a", "b", "c"]);
    w.order({ orderId: "a1", userId: "a", pricePaise: 500, qty: 4 });
    w.order({ orderId: "c1", userId: "c", outcome: "NO", pricePaise: 500, qty: 4 });
    w.order({ orderId: "b1", userId: "b", pricePaise: 300, qty: 2 });
    const r = w.order({
      orderId: "a2",
      userId: "a",
      side: "SELL",
      orderType: "MARKET",
      qty: 4,
      pricePaise: 250,
    });
    expect(r.events[0]).toMatchObject({
      type: "ORDER_ACCEPTED",
      tif: "IOC",
      pricePaise: 250,
      lockedShares: 4,
    });
    expect(w.of(r, "TRADE").map((t) => [t.kind, t.qty, t.yesPricePaise])).toEqual([["TRANSFER", 2, 300]]);
    expect(r.order).toMatchObject({ status: "EXPIRED", filledQty: 2 });
    expect(w.e.positions("a")[0]).toMatchObject({ yesQty: 2, yesLockedQty: 0, yesCostPaise: 1_000 });
  });

  test("post-only rests when it does not cross and is rejected when it would take", () => {
    const w = world(["a", "b"]);
    expect(w.order({ orderId: "a1", userId: "a", pricePaise: 400, postOnly: true }).order?.status).toBe(
      "OPEN",
    );
    const r = w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 600, postOnly: true });
    expect(r.code).toBe("POST_ONLY_WOULD_TAKE");
    expect(w.e.account("b")).toEqual({ availablePaise: 1_000_000, lockedPaise: 0 });
    expect(w.order({ orderId: "b2", userId: "b", postOnly: true, tif: "IOC", pricePaise: 100 }).code).toBe(
      "INVALID_COMMAND",
    );
  });

  test("fees: per-fill ceiling into the fee account, lock uses the larger rate", () => {
    const w = world(["a", "b"], { makerFeeBps: 10, takerFeeBps: 35 });
    const maker = w.order({ orderId: "a1", userId: "a", pricePaise: 450, qty: 1 });
    expect(maker.events[0]).toMatchObject({ lockedPaise: 452 }); // 450 + ceil(1.575)
    const r = w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 550, qty: 1 });
    expect(w.of(r, "TRADE")[0]).toMatchObject({ makerFeePaise: 1, takerFeePaise: 2 }); // ceil(.45), ceil(1.925)
    expect(w.e.totals().feesPaise).toBe(3);
    expect(w.e.account("a")).toEqual({ availablePaise: 1_000_000 - 451, lockedPaise: 0 });
    expect(w.e.account("b")).toEqual({ availablePaise: 1_000_000 - 552, lockedPaise: 0 });
    const t = w.e.totals();
    expect(t.availablePaise + t.lockedPaise + t.escrowPaise + t.feesPaise).toBe(
      t.creditsPaise - t.debitsPaise,
    );
  });

  test("position limit counts held shares and open buys", () => {
    const w = world(["a"], { positionLimit: 10 });
    w.order({ orderId: "a1", userId: "a", pricePaise: 100, qty: 6 });
    expect(w.order({ orderId: "a2", userId: "a", pricePaise: 100, qty: 5 }).code).toBe("POSITION_LIMIT");
    expect(w.order({ orderId: "a3", userId: "a", pricePaise: 100, qty: 4 }).code).toBe("OK");
    expect(w.order({ orderId: "a4", userId: "a", outcome: "NO", pricePaise: 100, qty: 10 }).code).toBe("OK");
  });

  test("checks run in the documented order", () => {
    const w = world(["a"], { closeAt: 5_000 }, 1_000);
    expect(w.order({ orderId: "x", userId: "zz" }).code).toBe("USER_NOT_FOUND");
    expect(w.order({ orderId: "x", userId: "a", marketId: "nope" }).code).toBe("MARKET_NOT_FOUND");
    expect(w.order({ orderId: "x", userId: "a", qty: 10_001 }).code).toBe("INVALID_QUANTITY");
    expect(w.order({ orderId: "x", userId: "a", pricePaise: 425 }).code).toBe("INVALID_PRICE");
    expect(w.order({ orderId: "x", userId: "a" }).code).toBe("INVALID_PRICE");
    expect(w.order({ orderId: "x", userId: "a", pricePaise: 500, maxCostPaise: 10 }).code).toBe(
      "INVALID_AMOUNT",
    );
    expect(w.order({ orderId: "x", userId: "a", side: "SELL", pricePaise: 500 }).code).toBe(
      "INSUFFICIENT_SHARES",
    );
    expect(w.order({ orderId: "x", userId: "a", pricePaise: 500, qty: 3 }).code).toBe("INSUFFICIENT_FUNDS");
    expect(w.order({ orderId: "x", userId: "a", pricePaise: 500, ts: 5_000 }).code).toBe("MARKET_CLOSED");
    expect(w.order({ orderId: "x", userId: "a", pricePaise: 500 }).code).toBe("OK");
    expect(w.order({ orderId: "x", userId: "a", pricePaise: 500 }).code).toBe("ORDER_ID_EXISTS");
  });
});
