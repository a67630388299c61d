/** Edges of the rules: improvement on the NO side, budgets with fees, void with open orders, id reuse. */
import { describe, expect, test } from "bun:test";
import { createDriver, type EngineFactory, ofType, types } from "./harness.ts";

function three(
  factory: EngineFactory,
  market: Parameters<ReturnType<typeof createDriver>["market"]>[1] = {},
) {
  const d = createDriver(factory);
  for (const u of ["alice", "bob", "carol"]) d.user(u);
  d.market("m1", market);
  return d;
}

export function edgeScenarios(name: string, factory: EngineFactory): void {
  describe(`${name}: edges`, () => {
    test("a NO taker keeps its price improvement, released in the same command", () => {
      const d = three(factory);
      d.limit("alice", "YES", "BUY", 400, 5);
      const r = d.limit("bob", "NO", "BUY", 700, 5);
      expect(r.events[0]).toMatchObject({ lockedPaise: 3500 });
      expect(ofType(r.events, "TRADE")[0]).toMatchObject({
        kind: "MINT",
        yesPricePaise: 400,
        takerPricePaise: 600,
      });
      expect(ofType(r.events, "BALANCE")[0]).toEqual(
        expect.objectContaining({ userId: "bob", availablePaise: 97_000, lockedPaise: 0 }),
      );
      expect(ofType(r.events, "ORDER_CLOSED").at(-1)).toMatchObject({
        orderId: r.order?.orderId,
        releasedPaise: 0,
      });
    });

    test("MARKET BUY budget counts the taker fee per share and stops when one more share does not fit", () => {
      const d = three(factory, { tickPaise: 10, takerFeeBps: 100 });
      d.limit("alice", "NO", "BUY", 450, 10);
      const fok = d.apply({
        type: "PLACE_ORDER",
        orderId: "f",
        userId: "bob",
        marketId: "m1",
        outcome: "YES",
        side: "BUY",
        orderType: "MARKET",
        qty: 5,
        tif: "FOK",
        maxCostPaise: 2000,
      });
      expect(fok.code).toBe("FOK_NOT_FILLABLE");
      const r = d.apply({
        type: "PLACE_ORDER",
        orderId: "t",
        userId: "bob",
        marketId: "m1",
        outcome: "YES",
        side: "BUY",
        orderType: "MARKET",
        qty: 10,
        maxCostPaise: 2000,
      });
      expect(ofType(r.events, "TRADE")[0]).toMatchObject({ qty: 3, takerFeePaise: 17 });
      expect(ofType(r.events, "ORDER_CLOSED").at(-1)).toMatchObject({
        status: "EXPIRED",
        releasedPaise: 333,
        cancelledQty: 7,
      });
      expect(d.engine.account("bob")).toEqual({ availablePaise: 100_000 - 1667, lockedPaise: 0 });
      expect(d.engine.totals().feesPaise).toBe(17);
    });

    test("void with open orders: cancels them, unlocks cash and shares, pays 500 a share", () => {
      const d = three(factory);
      d.limit("alice", "YES", "BUY", 600, 10);
      d.limit("bob", "NO", "BUY", 400, 10);
      d.limit("alice", "YES", "SELL", 700, 3);
      d.limit("bob", "NO", "BUY", 200, 2);
      const r = d.apply({ type: "RESOLVE_MARKET", marketId: "m1", outcome: "VOID" });
      expect(
        ofType(r.events, "ORDER_CLOSED").map((c) => [c.userId, c.releasedPaise, c.releasedShares]),
      ).toEqual([
        ["alice", 0, 3],
        ["bob", 400, 0],
      ]);
      expect(ofType(r.events, "PAYOUT").map((p) => p.amountPaise)).toEqual([5000, 5000]);
      expect(d.engine.account("alice")).toEqual({ availablePaise: 99_000, lockedPaise: 0 });
      expect(d.engine.account("bob")).toEqual({ availablePaise: 101_000, lockedPaise: 0 });
      expect(d.engine.book("m1")).toMatchObject({ yes: [], no: [] });
    });

    test("cancel-all closes in acceptance order, then one BALANCE and one POSITION", () => {
      const d = three(factory);
      d.limit("alice", "YES", "BUY", 300, 1);
      d.limit("bob", "YES", "BUY", 300, 1);
      d.limit("alice", "NO", "BUY", 300, 2);
      const r = d.apply({ type: "CANCEL_ALL", userId: "alice", marketId: "m1" });
      expect(types(r.events)).toEqual([
        "ORDER_CLOSED",
        "BOOK_DELTA",
        "ORDER_CLOSED",
        "BOOK_DELTA",
        "BALANCE",
        "POSITION",
      ]);
      expect(ofType(r.events, "ORDER_CLOSED").map((c) => c.orderId)).toEqual(["o1", "o3"]);
      expect(ofType(r.events, "BOOK_DELTA").map((b) => [b.side, b.yesPricePaise, b.qty])).toEqual([
        ["BID", 300, 1],
        ["ASK", 700, 0],
      ]);
    });

    test("cancel-all without a market: every market in ascending marketId, one BALANCE, a POSITION per market", () => {
      const d = three(factory);
      d.market("m0");
      d.market("m2");
      d.limit("alice", "YES", "BUY", 300, 1, { marketId: "m2" }); // o1
      d.limit("alice", "NO", "BUY", 400, 2); // o2, m1
      d.limit("bob", "YES", "BUY", 300, 1, { marketId: "m2" }); // o3, bob's
      d.limit("alice", "YES", "BUY", 200, 1, { marketId: "m2" }); // o4
      d.limit("alice", "YES", "BUY", 100, 1); // o5, m1
      const before = d.engine.account("alice") ?? { availablePaise: 0, lockedPaise: 0 };
      expect(before.lockedPaise).toBeGreaterThan(0);
      const r = d.apply({ type: "CANCEL_ALL", userId: "alice" });
      expect(r.code).toBe("OK");
      expect(types(r.events)).toEqual([
        ...["ORDER_CLOSED", "BOOK_DELTA", "ORDER_CLOSED", "BOOK_DELTA"], // m1
        ...["ORDER_CLOSED", "BOOK_DELTA", "ORDER_CLOSED", "BOOK_DELTA"], // m2
        "BALANCE",
        "POSITION",
        "POSITION",
      ]);
      expect(ofType(r.events, "ORDER_CLOSED").map((c) => [c.orderId, c.marketId])).toEqual([
        ["o2", "m1"],
        ["o5", "m1"],
        ["o1", "m2"],
        ["o4", "m2"],
      ]);
      expect(ofType(r.events, "POSITION").map((p) => p.marketId)).toEqual(["m1", "m2"]);
      const released = ofType(r.events, "ORDER_CLOSED").reduce((sum, c) => sum + c.releasedPaise, 0);
      expect(released).toBe(before.lockedPaise);
      expect(d.engine.account("alice")).toEqual({
        availablePaise: before.availablePaise + before.lockedPaise,
        lockedPaise: 0,
      });
      expect(d.engine.openOrders("alice")).toEqual([]);
      expect(d.engine.openOrders("bob").map((o) => o.orderId)).toEqual(["o3"]);
      // Nothing left: OK and no events; unknown user and a malformed market id as with a market.
      expect(d.apply({ type: "CANCEL_ALL", userId: "alice" })).toEqual({ code: "OK", events: [] });
      expect(d.apply({ type: "CANCEL_ALL", userId: "nobody" }).code).toBe("USER_NOT_FOUND");
      expect(d.apply({ type: "CANCEL_ALL", userId: "alice", marketId: "" }).code).toBe("INVALID_COMMAND");
      expect(d.apply({ type: "CANCEL_ALL", userId: "alice", marketId: "zz" }).code).toBe("MARKET_NOT_FOUND");
    });

    test("an order id reused after its order closed names the new order; the old clientOrderId still names the old", () => {
      const d = three(factory);
      const cmd = {
        type: "PLACE_ORDER",
        orderId: "x",
        userId: "bob",
        marketId: "m1",
        outcome: "YES",
        side: "BUY",
        orderType: "LIMIT",
        pricePaise: 300,
        qty: 1,
      } as const;
      d.apply({ ...cmd, clientOrderId: "k1" });
      d.apply({ type: "CANCEL_ORDER", userId: "bob", orderId: "x" });
      expect(d.apply({ ...cmd, qty: 2 }).code).toBe("OK");
      const repeat = d.apply({ ...cmd, clientOrderId: "k1" });
      expect(repeat).toMatchObject({
        code: "OK",
        duplicate: true,
        events: [],
        order: { qty: 1, status: "CANCELLED" },
      });
      expect(d.engine.order("x")).toMatchObject({ qty: 2, status: "OPEN" });
    });

    test("a spent MARKET budget still cancels own orders it meets, then stops at another user's order", () => {
      const d = three(factory);
      d.limit("alice", "NO", "BUY", 500, 1);
      d.limit("bob", "NO", "BUY", 450, 2);
      d.limit("carol", "NO", "BUY", 400, 1);
      const r = d.apply({
        type: "PLACE_ORDER",
        orderId: "t",
        userId: "bob",
        marketId: "m1",
        outcome: "YES",
        side: "BUY",
        orderType: "MARKET",
        qty: 10,
        maxCostPaise: 500,
      });
      expect(ofType(r.events, "ORDER_CLOSED").map((c) => [c.orderId, c.reason])).toEqual([
        ["o1", "FILLED"],
        ["o2", "SELF_TRADE"],
        ["t", "IOC"],
      ]);
      expect(d.engine.openOrders("carol")).toHaveLength(1);
    });

    test("ids named like Object.prototype members are ordinary ids", () => {
      const d = createDriver(factory);
      d.user("__proto__");
      d.user("constructor");
      const m = "toString";
      d.apply({ type: "CREATE_MARKET", marketId: m });
      const buy = {
        type: "PLACE_ORDER",
        marketId: m,
        orderType: "LIMIT",
        side: "BUY",
        pricePaise: 500,
      } as const;
      d.apply({
        ...buy,
        orderId: "hasOwnProperty",
        userId: "__proto__",
        clientOrderId: "__proto__",
        outcome: "YES",
        qty: 3,
      });
      const r = d.apply({
        ...buy,
        orderId: "valueOf",
        userId: "constructor",
        clientOrderId: "constructor",
        outcome: "NO",
        qty: 2,
      });
      expect(ofType(r.events, "TRADE")).toHaveLength(1);
      expect(
        d.apply({
          ...buy,
          orderId: "x",
          userId: "constructor",
          clientOrderId: "constructor",
          outcome: "NO",
          qty: 2,
        }).duplicate,
      ).toBe(true);
      const resolved = d.apply({ type: "RESOLVE_MARKET", marketId: m, outcome: "YES" });
      expect(ofType(resolved.events, "PAYOUT").map((p) => [p.userId, p.amountPaise])).toEqual([
        ["__proto__", 2000],
        ["constructor", 0],
      ]);
    });
  });
}
