/** Matching scenarios (docs/matching.md), run against any engine. */
import { describe, expect, test } from "bun:test";
import { bodies, createDriver, type EngineFactory, ofType, types } from "./harness.ts";

function minted(factory: EngineFactory) {
  const d = createDriver(factory);
  for (const u of ["alice", "bob", "carol", "dave", "eve"]) d.user(u);
  d.market("m1");
  return d;
}

export function matchingScenarios(name: string, factory: EngineFactory): void {
  describe(`${name}: matching`, () => {
    test("BUY YES meets BUY NO: a MINT, with the exact event sequence", () => {
      const d = minted(factory);
      d.limit("alice", "YES", "BUY", 600, 10);
      const r = d.limit("bob", "NO", "BUY", 400, 10);
      expect(r.code).toBe("OK");
      expect(bodies(r.events)).toEqual([
        expect.objectContaining({
          type: "ORDER_ACCEPTED",
          orderId: "o2",
          pricePaise: 400,
          lockedPaise: 4000,
        }),
        {
          type: "TRADE",
          marketId: "m1",
          kind: "MINT",
          qty: 10,
          yesPricePaise: 600,
          makerOrderId: "o1",
          makerUserId: "alice",
          makerOutcome: "YES",
          makerSide: "BUY",
          makerPricePaise: 600,
          makerFeePaise: 0,
          takerOrderId: "o2",
          takerUserId: "bob",
          takerOutcome: "NO",
          takerSide: "BUY",
          takerPricePaise: 400,
          takerFeePaise: 0,
        },
        expect.objectContaining({ type: "ORDER_CLOSED", orderId: "o1", status: "FILLED", reason: "FILLED" }),
        { type: "BOOK_DELTA", marketId: "m1", bookSeq: 2, side: "BID", yesPricePaise: 600, qty: 0 },
        expect.objectContaining({ type: "ORDER_CLOSED", orderId: "o2", status: "FILLED", releasedPaise: 0 }),
        { type: "BALANCE", userId: "bob", availablePaise: 96_000, lockedPaise: 0 },
        { type: "BALANCE", userId: "alice", availablePaise: 94_000, lockedPaise: 0 },
        expect.objectContaining({ type: "POSITION", userId: "bob", yesQty: 0, noQty: 10, noCostPaise: 4000 }),
        expect.objectContaining({
          type: "POSITION",
          userId: "alice",
          yesQty: 10,
          noQty: 0,
          yesCostPaise: 6000,
        }),
      ]);
      const seqs = r.events.map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
      expect(d.engine.lastSeq).toBe(seqs[seqs.length - 1]);
      expect(d.engine.market("m1")).toMatchObject({
        pairs: 10,
        escrowPaise: 10_000,
        volumeQty: 10,
        lastYesPricePaise: 600,
      });
      expect(r.order).toMatchObject({
        status: "FILLED",
        filledQty: 10,
        remainingQty: 0,
        filledValuePaise: 4000,
      });
    });

    test("SELL YES meets SELL NO: a MERGE at the maker's price, seller keeps the improvement", () => {
      const d = minted(factory);
      d.limit("carol", "YES", "BUY", 500, 20);
      d.limit("dave", "NO", "BUY", 500, 20);
      d.limit("dave", "NO", "SELL", 450, 5); // bid at YES 550
      const r = d.limit("carol", "YES", "SELL", 500, 5);
      const [trade] = ofType(r.events, "TRADE");
      expect(trade).toMatchObject({
        kind: "MERGE",
        yesPricePaise: 550,
        takerPricePaise: 550,
        makerPricePaise: 450,
      });
      expect(d.engine.market("m1")).toMatchObject({ pairs: 15, escrowPaise: 15_000 });
      expect(d.engine.account("carol")).toEqual({ availablePaise: 100_000 - 10_000 + 2750, lockedPaise: 0 });
      expect(d.engine.account("dave")).toEqual({ availablePaise: 100_000 - 10_000 + 2250, lockedPaise: 0 });
      expect(d.engine.positions("carol")).toEqual([
        {
          marketId: "m1",
          yesQty: 15,
          noQty: 0,
          yesLockedQty: 0,
          noLockedQty: 0,
          yesCostPaise: 7500,
          noCostPaise: 0,
        },
      ]);
    });

    test("one taker fills across two levels with TRANSFER, MINT and TRANSFER; price improvement released", () => {
      const d = minted(factory);
      d.limit("carol", "YES", "BUY", 500, 20);
      d.limit("dave", "NO", "BUY", 500, 20);
      d.limit("carol", "YES", "SELL", 550, 5);
      d.limit("eve", "NO", "BUY", 400, 5); // ask at YES 600, ahead of carol's next
      d.limit("carol", "YES", "SELL", 600, 5);
      const r = d.limit("bob", "YES", "BUY", 600, 12);
      const trades = ofType(r.events, "TRADE");
      expect(trades.map((t) => [t.kind, t.yesPricePaise, t.qty])).toEqual([
        ["TRANSFER", 550, 5],
        ["MINT", 600, 5],
        ["TRANSFER", 600, 2],
      ]);
      expect(ofType(r.events, "BALANCE").map((b) => b.userId)).toEqual(["bob", "carol", "eve"]);
      expect(ofType(r.events, "POSITION").map((b) => b.userId)).toEqual(["bob", "carol", "eve"]);
      expect(d.engine.account("bob")).toEqual({ availablePaise: 100_000 - 6950, lockedPaise: 0 });
      expect(d.engine.book("m1")).toMatchObject({ yes: [], no: [{ pricePaise: 400, qty: 3 }] });
      expect(d.engine.market("m1")?.pairs).toBe(25);
      expect(r.order).toMatchObject({ filledQty: 12, filledValuePaise: 6950, status: "FILLED" });
    });

    test("price-time priority: FIFO within a level, better price first", () => {
      const d = minted(factory);
      d.limit("alice", "YES", "BUY", 500, 2);
      d.limit("carol", "YES", "BUY", 550, 2);
      d.limit("dave", "YES", "BUY", 500, 2);
      const r = d.limit("bob", "NO", "BUY", 500, 5);
      expect(ofType(r.events, "TRADE").map((t) => [t.makerUserId, t.yesPricePaise, t.qty])).toEqual([
        ["carol", 550, 2],
        ["alice", 500, 2],
        ["dave", 500, 1],
      ]);
      expect(d.engine.account("bob")).toEqual({ availablePaise: 100_000 - 900 - 500 * 3, lockedPaise: 0 });
    });

    test("self-trade prevention cancels the resting order, says so, and matching carries on", () => {
      const d = minted(factory);
      d.limit("alice", "YES", "BUY", 500, 5);
      d.limit("bob", "YES", "BUY", 500, 2);
      const r = d.limit("alice", "NO", "BUY", 500, 3);
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
      expect(r.events[1]).toMatchObject({
        orderId: "o1",
        status: "CANCELLED",
        reason: "SELF_TRADE",
        releasedPaise: 2500,
        cancelledQty: 5,
      });
      expect(r.events[2]).toMatchObject({ side: "BID", yesPricePaise: 500, qty: 2 });
      expect(r.events[6]).toMatchObject({ side: "ASK", yesPricePaise: 500, qty: 1 });
      expect(d.engine.order("o1")).toBeUndefined(); // closed: history, no longer in the engine
      expect(d.engine.account("alice")).toEqual({ availablePaise: 100_000 - 1500, lockedPaise: 500 });
    });

    test("cancel after a partial fill releases exactly the remainder", () => {
      const d = minted(factory);
      d.limit("alice", "YES", "BUY", 600, 10);
      d.limit("bob", "NO", "BUY", 400, 4);
      const r = d.apply({ type: "CANCEL_ORDER", userId: "alice", orderId: "o1" });
      expect(types(r.events)).toEqual(["ORDER_CLOSED", "BOOK_DELTA", "BALANCE", "POSITION"]);
      expect(r.events[0]).toMatchObject({
        reason: "USER",
        filledQty: 4,
        cancelledQty: 6,
        releasedPaise: 3600,
      });
      expect(r.order).toMatchObject({ status: "CANCELLED", filledQty: 4, remainingQty: 0 });
      expect(d.engine.account("alice")).toEqual({ availablePaise: 100_000 - 2400, lockedPaise: 0 });
      const again = d.apply({ type: "CANCEL_ORDER", userId: "alice", orderId: "o1" });
      expect(again).toEqual({ code: "UNKNOWN_ORDER", events: [] });
      d.limit("bob", "NO", "BUY", 400, 4);
      expect(d.apply({ type: "CANCEL_ORDER", userId: "alice", orderId: "o3" }).code).toBe("UNKNOWN_ORDER");
    });

    test("fees: per fill, in bps of own price × qty, rounded up, into the fee account; the lock covers them", () => {
      const d = createDriver(factory);
      d.user("alice");
      d.user("bob");
      d.market("m1", { tickPaise: 10, makerFeeBps: 30, takerFeeBps: 100 });
      const a = d.limit("alice", "YES", "BUY", 330, 3);
      expect(a.events[0]).toMatchObject({ lockedPaise: 3 * 334 });
      const r = d.limit("bob", "NO", "BUY", 670, 3);
      expect(r.events[0]).toMatchObject({ lockedPaise: 3 * 677 });
      expect(ofType(r.events, "TRADE")[0]).toMatchObject({ makerFeePaise: 3, takerFeePaise: 21 });
      expect(d.engine.account("alice")).toEqual({ availablePaise: 100_000 - 993, lockedPaise: 0 });
      expect(d.engine.account("bob")).toEqual({ availablePaise: 100_000 - 2031, lockedPaise: 0 });
      expect(d.engine.totals()).toMatchObject({ feesPaise: 24, escrowPaise: 3000 });
      expect(ofType(r.events, "ORDER_CLOSED")[0]).toMatchObject({ orderId: "o1", filledQty: 3 });
      const sell = d.limit("alice", "YES", "SELL", 500, 1);
      const buy = d.limit("bob", "YES", "BUY", 500, 1);
      expect(ofType(buy.events, "TRADE")[0]).toMatchObject({ makerOrderId: "o3", makerFeePaise: 2 });
      expect(ofType(buy.events, "ORDER_CLOSED")[0]).toMatchObject({ orderId: "o3", status: "FILLED" });
      expect(d.engine.positions("alice")[0]).toMatchObject({ yesQty: 2, yesCostPaise: 660 });
      expect(sell.code).toBe("OK");
    });
  });
}
