/** AMEND_ORDER (SEMANTICS.md "AMEND_ORDER"): priority, exact locks, refusals, idempotency, snapshots. */
import { describe, expect, test } from "bun:test";
import type { AmendOrderCommand, Engine } from "../src/types.ts";
import { createDriver, type EngineFactory, ofType, types } from "./harness.ts";

type Restore = (bytes: Uint8Array) => Engine;

function world(factory: EngineFactory, market = {}) {
  const d = createDriver(factory);
  for (const u of ["alice", "bob", "carol"]) d.user(u);
  d.market("m1", market);
  const amend = (userId: string, orderId: string, change: Partial<AmendOrderCommand>) =>
    d.apply({ type: "AMEND_ORDER", userId, orderId, ...change });
  /** Everything an amend could move (the snapshot also holds the clock, which every command moves). */
  const state = () =>
    JSON.stringify(
      d.engine.userIds().map((u) => [d.engine.account(u), d.engine.positions(u), d.engine.openOrders(u)]),
    ) + JSON.stringify([d.engine.book("m1"), d.engine.market("m1")]);
  return { d, amend, state };
}

export function amendScenarios(name: string, factory: EngineFactory, restore: Restore): void {
  describe(`${name}: AMEND_ORDER`, () => {
    test("a decrease at the same price keeps time priority and releases exactly its share of the lock", () => {
      const { d, amend } = world(factory, { makerFeeBps: 100, takerFeeBps: 200 });
      const first = d.limit("alice", "YES", "BUY", 500, 10); // lock per share 500 + 10
      d.limit("bob", "YES", "BUY", 500, 5);
      expect(d.engine.account("alice")).toEqual({ availablePaise: 94_900, lockedPaise: 5_100 });
      const r = amend("alice", first.order?.orderId as string, { remainingQty: 4 });
      expect(r.code).toBe("OK");
      expect(types(r.events)).toEqual(["ORDER_AMENDED", "BOOK_DELTA", "BALANCE", "POSITION"]);
      expect(r.events[0]).toMatchObject({
        pricePaise: 500,
        qty: 4,
        remainingQty: 4,
        prevRemainingQty: 10,
        lockedPaise: 4 * 510,
        priorityKept: true,
      });
      expect(r.events[1]).toMatchObject({ side: "BID", yesPricePaise: 500, qty: 9 });
      expect(d.engine.account("alice")).toEqual({ availablePaise: 100_000 - 2_040, lockedPaise: 2_040 });
      expect(r.order?.acceptedSeq).toBe(first.order?.acceptedSeq as number);
      // A seller now meets alice first: she kept her place ahead of bob.
      const hit = d.limit("carol", "NO", "BUY", 500, 4);
      expect(ofType(hit.events, "TRADE").map((t) => t.makerUserId)).toEqual(["alice"]);
    });

    test("an increase at the same price loses priority: re-queued behind the orders already there", () => {
      const { d, amend } = world(factory);
      const first = d.limit("alice", "YES", "BUY", 500, 2);
      d.limit("bob", "YES", "BUY", 500, 2);
      const r = amend("alice", first.order?.orderId as string, { remainingQty: 3 });
      expect(types(r.events)).toEqual(["ORDER_AMENDED", "BOOK_DELTA", "BOOK_DELTA", "BALANCE", "POSITION"]);
      expect(r.events[0]).toMatchObject({ priorityKept: false, remainingQty: 3, lockedPaise: 1_500 });
      expect(r.events.slice(1, 3).map((e) => (e as { qty: number }).qty)).toEqual([2, 5]);
      expect(r.order?.acceptedSeq).toBe(r.events[0].seq);
      expect(d.engine.account("alice")).toEqual({ availablePaise: 98_500, lockedPaise: 1_500 });
      const hit = d.limit("carol", "NO", "BUY", 500, 2);
      expect(ofType(hit.events, "TRADE").map((t) => t.makerUserId)).toEqual(["bob"]);
      // Open orders (and CANCEL_ALL) follow the new place in the queue.
      expect(d.engine.openOrders("alice").map((o) => o.remainingQty)).toEqual([3]);
    });

    test("a price change loses priority and, when it now crosses, trades as a taker before it rests", () => {
      const { d, amend } = world(factory, { tickPaise: 10, makerFeeBps: 0, takerFeeBps: 100 });
      d.limit("bob", "NO", "BUY", 450, 3); // an ask at YES 550
      const mine = d.limit("alice", "YES", "BUY", 500, 5); // lock per share 505
      expect(d.engine.account("alice")).toEqual({ availablePaise: 97_475, lockedPaise: 2_525 });
      const r = amend("alice", mine.order?.orderId as string, { pricePaise: 560 }); // lock per share 566
      expect(types(r.events)).toEqual([
        "ORDER_AMENDED",
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
      const trade = ofType(r.events, "TRADE")[0];
      expect(trade).toMatchObject({
        kind: "MINT",
        qty: 3,
        yesPricePaise: 550,
        takerOrderId: mine.order?.orderId,
        takerFeePaise: Math.ceil((550 * 3 * 100) / 10_000),
      });
      expect(r.order).toMatchObject({ pricePaise: 560, filledQty: 3, remainingQty: 2, status: "OPEN" });
      // 3 filled at 550 + fee 17; 2 rest locked at 566.
      expect(d.engine.account("alice")).toEqual({
        availablePaise: 100_000 - 3 * 550 - 17 - 2 * 566,
        lockedPaise: 2 * 566,
      });
    });

    test("an amend that fills the whole order closes it FILLED", () => {
      const { d, amend } = world(factory);
      d.limit("bob", "NO", "BUY", 400, 5); // ask at YES 600
      const mine = d.limit("alice", "YES", "BUY", 500, 2);
      const r = amend("alice", mine.order?.orderId as string, { pricePaise: 650 });
      expect(ofType(r.events, "ORDER_CLOSED")).toEqual([
        expect.objectContaining({ orderId: mine.order?.orderId, status: "FILLED", filledQty: 2 }),
      ]);
      expect(r.order).toMatchObject({ status: "FILLED", remainingQty: 0 });
      expect(d.engine.order(mine.order?.orderId as string)).toBeUndefined();
      expect(d.engine.account("alice")).toEqual({ availablePaise: 100_000 - 1_200, lockedPaise: 0 });
    });

    test("a SELL amend moves locked shares; more than the free shares is INSUFFICIENT_SHARES", () => {
      const { d, amend, state } = world(factory);
      d.limit("alice", "YES", "BUY", 500, 6);
      d.limit("bob", "NO", "BUY", 500, 6); // alice holds 6 YES
      const ask = d.limit("alice", "YES", "SELL", 700, 2);
      const id = ask.order?.orderId as string;
      const more = amend("alice", id, { remainingQty: 5 });
      expect(more.events[0]).toMatchObject({ lockedShares: 5, lockedPaise: 0, priorityKept: false });
      expect(d.engine.positions("alice")[0]).toMatchObject({ yesQty: 6, yesLockedQty: 5 });
      const before = state();
      const tooMany = amend("alice", id, { remainingQty: 7 });
      expect(tooMany).toMatchObject({ code: "INSUFFICIENT_SHARES", events: [] });
      expect(state()).toBe(before);
      amend("alice", id, { remainingQty: 1 });
      expect(d.engine.positions("alice")[0]).toMatchObject({ yesQty: 6, yesLockedQty: 1 });
    });

    test("refusals change nothing: funds, price, quantity, post-only, closed market, unknown or other's order", () => {
      const { d, amend, state } = world(factory, { maxOrderQty: 20, positionLimit: 30 });
      d.apply({ type: "CREATE_USER", userId: "poor" });
      d.apply({ type: "CREDIT", userId: "poor", amountPaise: 3_000, ref: "p", kind: "DEPOSIT" });
      const poor = d.limit("poor", "YES", "BUY", 500, 5).order?.orderId as string;
      const post = d.limit("alice", "YES", "BUY", 300, 2, { postOnly: true }).order?.orderId as string;
      d.limit("bob", "NO", "BUY", 400, 1); // ask at YES 600
      const before = state();
      const same = () => expect(state()).toBe(before);
      expect(amend("poor", poor, { pricePaise: 700 })).toMatchObject({
        code: "INSUFFICIENT_FUNDS",
        events: [],
      });
      same();
      expect(amend("poor", poor, { pricePaise: 525 }).code).toBe("INVALID_PRICE");
      expect(amend("poor", poor, { pricePaise: 1000 }).code).toBe("INVALID_PRICE");
      expect(amend("poor", poor, { remainingQty: 0 }).code).toBe("INVALID_QUANTITY");
      expect(amend("poor", poor, { remainingQty: 21 }).code).toBe("INVALID_QUANTITY");
      expect(amend("alice", post, { pricePaise: 600 }).code).toBe("POST_ONLY_WOULD_TAKE");
      expect(amend("alice", post, { remainingQty: 31 }).code).toBe("INVALID_QUANTITY");
      expect(amend("bob", poor, { remainingQty: 1 })).toEqual({ code: "UNKNOWN_ORDER", events: [] });
      expect(amend("alice", "nope", { remainingQty: 1 }).code).toBe("UNKNOWN_ORDER");
      expect(amend("ghost", poor, { remainingQty: 1 }).code).toBe("USER_NOT_FOUND");
      expect(amend("poor", poor, {}).code).toBe("INVALID_COMMAND");
      expect(amend("poor", poor, { remainingQty: 1.5 }).code).toBe("INVALID_COMMAND");
      same();
      d.apply({ type: "CLOSE_MARKET", marketId: "m1" });
      expect(amend("poor", poor, { remainingQty: 1 }).code).toBe("MARKET_CLOSED");
    });

    test("the position limit counts a BUY's increase", () => {
      const { d, amend } = world(factory, { positionLimit: 10 });
      const a = d.limit("alice", "YES", "BUY", 500, 6).order?.orderId as string;
      d.limit("alice", "YES", "BUY", 400, 3);
      expect(amend("alice", a, { remainingQty: 8 }).code).toBe("POSITION_LIMIT");
      expect(amend("alice", a, { remainingQty: 7 }).code).toBe("OK");
    });

    test("idempotent by clientAmendId: a repeat returns the first result and the view it left", () => {
      const { d, amend } = world(factory);
      const id = d.limit("alice", "YES", "BUY", 500, 5).order?.orderId as string;
      const first = amend("alice", id, { remainingQty: 3, clientAmendId: "k1" });
      const again = amend("alice", id, { remainingQty: 3, clientAmendId: "k1" });
      expect(again).toEqual({ code: "OK", events: [], duplicate: true, order: first.order });
      expect(d.engine.account("alice")?.lockedPaise).toBe(1_500);
      // Its own namespace: the same string as a clientOrderId is unrelated.
      expect(d.limit("alice", "YES", "BUY", 450, 1, { clientOrderId: "k1" }).duplicate).toBeUndefined();
      const refused = amend("alice", id, { pricePaise: 5, clientAmendId: "k2" });
      expect(amend("alice", id, { pricePaise: 600, clientAmendId: "k2" })).toMatchObject({
        code: refused.code,
        duplicate: true,
        events: [],
      });
      expect(d.engine.dedupeStats().clientAmendIds).toBe(2);
    });

    test("snapshot and restore keep an amended queue, its locks and the remembered clientAmendIds", () => {
      const { d, amend } = world(factory);
      const a = d.limit("alice", "YES", "BUY", 500, 2).order?.orderId as string;
      d.limit("bob", "YES", "BUY", 500, 2);
      amend("alice", a, { remainingQty: 4, clientAmendId: "z" }); // alice now behind bob
      const e = restore(d.engine.snapshot());
      expect(e.openOrders("alice")).toEqual(d.engine.openOrders("alice"));
      expect(e.account("alice")).toEqual(d.engine.account("alice"));
      expect(
        e.apply({
          type: "AMEND_ORDER",
          ts: d.now + 1,
          userId: "alice",
          orderId: a,
          remainingQty: 4,
          clientAmendId: "z",
        }).duplicate,
      ).toBe(true);
      const hit = e.apply({
        type: "PLACE_ORDER",
        ts: d.now + 2,
        orderId: "hit",
        userId: "carol",
        marketId: "m1",
        outcome: "NO",
        side: "BUY",
        orderType: "LIMIT",
        pricePaise: 500,
        qty: 2,
      });
      expect(ofType(hit.events, "TRADE").map((t) => t.makerUserId)).toEqual(["bob"]);
    });
  });
}
