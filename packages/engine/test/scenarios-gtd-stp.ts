/** GTD expiry (EXPIRE_ORDERS and a taker meeting an expired order) and the two STP modes, against any engine. */
import { describe, expect, test } from "bun:test";
import { createDriver, type EngineFactory, ofType, types } from "./harness.ts";

function world(factory: EngineFactory) {
  const d = createDriver(factory);
  for (const u of ["alice", "bob"]) d.user(u);
  d.market("m1");
  return d;
}

export function gtdStpScenarios(name: string, factory: EngineFactory): void {
  describe(`${name}: GTD expiry`, () => {
    test("rests until EXPIRE_ORDERS at or after expiresAt closes it EXPIRED/GTD and frees the lock", () => {
      const d = world(factory);
      const r = d.limit("alice", "YES", "BUY", 400, 5, { tif: "GTD", expiresAt: d.now + 100 });
      expect(r.code).toBe("OK");
      expect(r.order).toMatchObject({ status: "OPEN", tif: "GTD", expiresAt: d.now + 99 });
      const at = d.now + 99;
      expect(d.engine.nextExpiry()).toBe(at);
      expect(d.engine.account("alice")).toEqual({ availablePaise: 98_000, lockedPaise: 2_000 });
      const early = d.apply({ type: "EXPIRE_ORDERS", ts: at - 1 });
      expect(early).toEqual({ code: "OK", events: [] });
      expect(d.engine.order(r.order?.orderId as string)?.status).toBe("OPEN");
      const due = d.apply({ type: "EXPIRE_ORDERS", ts: at });
      expect(types(due.events)).toEqual(["ORDER_CLOSED", "BOOK_DELTA", "BALANCE", "POSITION"]);
      expect(ofType(due.events, "ORDER_CLOSED")[0]).toMatchObject({
        status: "EXPIRED",
        reason: "GTD",
        cancelledQty: 5,
        releasedPaise: 2_000,
      });
      expect(ofType(due.events, "BOOK_DELTA")[0]).toMatchObject({ side: "BID", yesPricePaise: 400, qty: 0 });
      expect(d.engine.account("alice")).toEqual({ availablePaise: 100_000, lockedPaise: 0 });
      expect(d.engine.order(r.order?.orderId as string)).toBeUndefined();
      expect(d.engine.nextExpiry()).toBeNull();
      expect(d.apply({ type: "EXPIRE_ORDERS", ts: at + 50 }).events).toEqual([]);
    });

    test("a SELL's shares come back; two markets expire in creation order, each with its own BALANCE/POSITION", () => {
      const d = world(factory);
      d.market("m2");
      d.limit("alice", "YES", "BUY", 500, 3);
      d.limit("bob", "NO", "BUY", 500, 3); // MINT: alice 3 YES
      const sell = d.limit("alice", "YES", "SELL", 700, 3, { tif: "GTD", expiresAt: d.now + 10 });
      const m2 = d.apply({
        type: "PLACE_ORDER",
        orderId: "x2",
        userId: "bob",
        marketId: "m2",
        outcome: "NO",
        side: "BUY",
        orderType: "LIMIT",
        pricePaise: 300,
        qty: 2,
        tif: "GTD",
        expiresAt: d.now + 5,
      });
      expect([sell.code, m2.code]).toEqual(["OK", "OK"]);
      expect(d.engine.positions("alice")[0]).toMatchObject({ yesQty: 3, yesLockedQty: 3 });
      const r = d.apply({ type: "EXPIRE_ORDERS", ts: d.now + 100 });
      expect(types(r.events)).toEqual([
        "ORDER_CLOSED",
        "BOOK_DELTA",
        "BALANCE",
        "POSITION",
        "ORDER_CLOSED",
        "BOOK_DELTA",
        "BALANCE",
        "POSITION",
      ]);
      expect(ofType(r.events, "ORDER_CLOSED").map((e) => [e.marketId, e.releasedShares])).toEqual([
        ["m1", 3],
        ["m2", 0],
      ]);
      expect(d.engine.positions("alice")[0]).toMatchObject({ yesQty: 3, yesLockedQty: 0 });
    });

    test("a taker at or after expiresAt never trades with it: the expired order closes in the walk", () => {
      const d = world(factory);
      d.limit("alice", "NO", "BUY", 450, 4, { tif: "GTD", expiresAt: d.now + 3 }); // ask YES 550 × 4
      d.limit("alice", "NO", "BUY", 400, 2); // ask YES 600 × 2
      d.now += 10;
      const r = d.limit("bob", "YES", "BUY", 600, 5);
      expect(types(r.events)).toEqual([
        "ORDER_ACCEPTED",
        "ORDER_CLOSED",
        "BOOK_DELTA",
        "TRADE",
        "ORDER_CLOSED",
        "BOOK_DELTA",
        "BOOK_DELTA",
        "BALANCE",
        "BALANCE",
        "POSITION",
        "POSITION",
      ]);
      expect(ofType(r.events, "ORDER_CLOSED")[0]).toMatchObject({ status: "EXPIRED", reason: "GTD" });
      expect(ofType(r.events, "TRADE").map((t) => [t.yesPricePaise, t.qty])).toEqual([[600, 2]]);
      expect(d.engine.account("alice")).toEqual({ availablePaise: 99_200, lockedPaise: 0 });
      // FOK counts no expired order either.
      const e = createDriver(factory);
      for (const u of ["alice", "bob"]) e.user(u);
      e.market("m1");
      e.limit("alice", "NO", "BUY", 450, 4, { tif: "GTD", expiresAt: e.now + 3 });
      e.now += 10;
      expect(e.limit("bob", "YES", "BUY", 550, 1, { tif: "FOK" }).code).toBe("FOK_NOT_FILLABLE");
    });

    test("refusals: expiresAt not after ts, GTD without expiresAt, expiresAt without GTD, GTD MARKET", () => {
      const d = world(factory);
      expect(d.limit("alice", "YES", "BUY", 400, 1, { tif: "GTD", expiresAt: d.now + 1 }).code).toBe(
        "INVALID_EXPIRY",
      );
      expect(d.limit("alice", "YES", "BUY", 400, 1, { tif: "GTD", expiresAt: d.now - 50 }).code).toBe(
        "INVALID_EXPIRY",
      );
      expect(d.limit("alice", "YES", "BUY", 400, 1, { tif: "GTD" }).code).toBe("INVALID_COMMAND");
      expect(d.limit("alice", "YES", "BUY", 400, 1, { expiresAt: d.now + 100 }).code).toBe("INVALID_COMMAND");
      expect(
        d.limit("alice", "YES", "BUY", 400, 1, { orderType: "MARKET", tif: "GTD", expiresAt: d.now + 100 })
          .code,
      ).toBe("INVALID_COMMAND");
      expect(d.limit("alice", "YES", "BUY", 400, 1, { tif: "GTD", expiresAt: "later" }).code).toBe(
        "INVALID_COMMAND",
      );
      expect(d.engine.account("alice")).toEqual({ availablePaise: 100_000, lockedPaise: 0 });
      // post-only is allowed on GTD
      expect(
        d.limit("alice", "YES", "BUY", 400, 1, { tif: "GTD", expiresAt: d.now + 100, postOnly: true }).code,
      ).toBe("OK");
    });
  });

  describe(`${name}: GTD and STP with AMEND_ORDER`, () => {
    test("an amend that moves a GTD order keeps its expiry; one at or after expiresAt is refused", () => {
      const d = world(factory);
      const r = d.limit("alice", "YES", "BUY", 400, 5, { tif: "GTD", expiresAt: d.now + 20 });
      const id = r.order?.orderId as string;
      const moved = d.apply({ type: "AMEND_ORDER", userId: "alice", orderId: id, pricePaise: 350 });
      expect(moved.code).toBe("OK");
      expect(d.engine.order(id)).toMatchObject({
        pricePaise: 350,
        tif: "GTD",
        expiresAt: r.order?.expiresAt,
      });
      d.now += 30;
      const late = d.apply({ type: "AMEND_ORDER", userId: "alice", orderId: id, remainingQty: 2 });
      expect(late.code).toBe("INVALID_EXPIRY");
      expect(late.events).toEqual([]);
      const due = d.apply({ type: "EXPIRE_ORDERS", ts: d.now + 1 });
      expect(ofType(due.events, "ORDER_CLOSED").map((e) => [e.orderId, e.reason])).toEqual([[id, "GTD"]]);
      expect(d.engine.account("alice")).toEqual({ availablePaise: 100_000, lockedPaise: 0 });
      expect(d.engine.nextExpiry()).toBeNull();
    });

    test("an amended CANCEL_TAKER order that crosses its owner's order is cancelled, the other stays", () => {
      const d = world(factory);
      d.limit("alice", "NO", "BUY", 450, 2); // alice asks YES 550
      const bid = d.limit("alice", "YES", "BUY", 500, 3, { stp: "CANCEL_TAKER" });
      const id = bid.order?.orderId as string;
      const r = d.apply({ type: "AMEND_ORDER", userId: "alice", orderId: id, pricePaise: 550 });
      expect(r.code).toBe("OK");
      expect(ofType(r.events, "ORDER_CLOSED")).toEqual([
        expect.objectContaining({ orderId: id, status: "CANCELLED", reason: "SELF_TRADE", cancelledQty: 3 }),
      ]);
      expect(d.engine.openOrders("alice").map((o) => o.orderId)).toEqual(["o1"]);
      expect(d.engine.account("alice")).toEqual({ availablePaise: 99_100, lockedPaise: 900 });
    });
  });

  describe(`${name}: self-trade prevention modes`, () => {
    test("CANCEL_RESTING (default): own resting orders met are cancelled and the taker carries on", () => {
      const d = world(factory);
      d.limit("alice", "NO", "BUY", 450, 2); // alice asks YES 550 × 2
      d.limit("bob", "NO", "BUY", 400, 3); // bob asks YES 600 × 3
      const r = d.limit("alice", "YES", "BUY", 600, 3);
      const closed = ofType(r.events, "ORDER_CLOSED");
      expect(closed[0]).toMatchObject({ orderId: "o1", status: "CANCELLED", reason: "SELF_TRADE" });
      expect(ofType(r.events, "TRADE").map((t) => t.qty)).toEqual([3]);
      expect(r.order?.status).toBe("FILLED");
      expect(r.order?.stp).toBe("CANCEL_RESTING");
    });

    test("CANCEL_TAKER: fills before its own order stand, the remainder is cancelled, the resting order stays", () => {
      const d = world(factory);
      d.limit("bob", "NO", "BUY", 500, 1); // bob asks YES 500 × 1
      d.limit("alice", "NO", "BUY", 450, 2); // alice asks YES 550 × 2
      d.limit("bob", "NO", "BUY", 400, 3); // bob asks YES 600 × 3
      const r = d.limit("alice", "YES", "BUY", 600, 4, { stp: "CANCEL_TAKER" });
      expect(types(r.events)).toEqual([
        "ORDER_ACCEPTED",
        "TRADE",
        "ORDER_CLOSED",
        "BOOK_DELTA",
        "ORDER_CLOSED",
        "BALANCE",
        "BALANCE",
        "POSITION",
        "POSITION",
      ]);
      const closed = ofType(r.events, "ORDER_CLOSED");
      expect(closed[1]).toMatchObject({
        orderId: r.order?.orderId,
        status: "CANCELLED",
        reason: "SELF_TRADE",
        filledQty: 1,
        cancelledQty: 3,
        releasedPaise: 1_800,
      });
      expect(r.order).toMatchObject({ status: "CANCELLED", stp: "CANCEL_TAKER", filledQty: 1 });
      expect(d.engine.openOrders("alice").map((o) => o.orderId)).toEqual(["o2"]);
      expect(d.engine.book("m1")?.no).toEqual([
        { pricePaise: 450, qty: 2 },
        { pricePaise: 400, qty: 3 },
      ]);
      // alice paid 500 for one share; her resting NO BUY keeps its 900 locked.
      expect(d.engine.account("alice")).toEqual({ availablePaise: 100_000 - 500 - 900, lockedPaise: 900 });
    });

    test("CANCEL_TAKER FOK: refused when its own order comes before the fill completes", () => {
      const d = world(factory);
      d.limit("alice", "NO", "BUY", 450, 2); // alice asks YES 550
      d.limit("bob", "NO", "BUY", 400, 3); // bob asks YES 600
      expect(d.limit("alice", "YES", "BUY", 600, 3, { tif: "FOK", stp: "CANCEL_TAKER" }).code).toBe(
        "FOK_NOT_FILLABLE",
      );
      expect(d.limit("alice", "YES", "BUY", 600, 3, { tif: "FOK" }).code).toBe("OK");
    });

    test("an unknown stp is INVALID_COMMAND", () => {
      const d = world(factory);
      expect(d.limit("alice", "YES", "BUY", 400, 1, { stp: "BOTH" }).code).toBe("INVALID_COMMAND");
    });
  });
}
