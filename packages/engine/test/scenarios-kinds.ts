/** Order kinds and PLACE_ORDER rejections (SEMANTICS.md checks 1–12), run against any engine. */
import { describe, expect, test } from "bun:test";
import type { CommandInput } from "./harness.ts";
import { createDriver, type EngineFactory, ofType, types } from "./harness.ts";

function withAsks(factory: EngineFactory) {
  const d = createDriver(factory);
  for (const u of ["alice", "bob", "carol"]) d.user(u);
  d.market("m1");
  d.limit("alice", "NO", "BUY", 450, 4); // ask YES 550 × 4
  d.limit("carol", "NO", "BUY", 400, 10); // ask YES 600 × 10
  return d;
}

const market = (extra: object): CommandInput =>
  ({
    type: "PLACE_ORDER",
    orderId: "t1",
    userId: "bob",
    marketId: "m1",
    outcome: "YES",
    side: "BUY",
    ...extra,
  }) as CommandInput;

export function kindScenarios(name: string, factory: EngineFactory): void {
  describe(`${name}: order kinds`, () => {
    test("IOC fills what it can and expires the rest, releasing its lock", () => {
      const d = withAsks(factory);
      const r = d.limit("bob", "YES", "BUY", 550, 10, { tif: "IOC" });
      const closed = ofType(r.events, "ORDER_CLOSED");
      expect(closed.at(-1)).toMatchObject({
        status: "EXPIRED",
        reason: "IOC",
        filledQty: 4,
        cancelledQty: 6,
        releasedPaise: 3300,
      });
      expect(d.engine.account("bob")).toEqual({ availablePaise: 100_000 - 2200, lockedPaise: 0 });
      expect(r.order?.status).toBe("EXPIRED");
    });

    test("FOK: all or nothing; own orders neither count nor get cancelled on refusal", () => {
      const d = withAsks(factory);
      d.limit("bob", "YES", "SELL", 0 + 550, 1); // refused: bob has no shares
      d.limit("bob", "NO", "BUY", 450, 3); // bob's own ask at 550, behind alice's
      const before = d.engine.lastSeq;
      const no = d.limit("bob", "YES", "BUY", 550, 5, { tif: "FOK" });
      expect(no.code).toBe("FOK_NOT_FILLABLE");
      expect(types(no.events)).toEqual(["ORDER_REJECTED"]);
      expect(d.engine.lastSeq).toBe(before + 1);
      expect(d.engine.openOrders("bob")).toHaveLength(1);
      const yes = d.limit("bob", "YES", "BUY", 600, 14, { tif: "FOK" });
      expect(yes.code).toBe("OK");
      expect(ofType(yes.events, "TRADE").map((t) => t.qty)).toEqual([4, 10]);
      expect(ofType(yes.events, "ORDER_CLOSED").find((c) => c.reason === "SELF_TRADE")).toBeDefined();
    });

    test("MARKET BUY with maxCost spends at most the budget and releases the rest", () => {
      const d = withAsks(factory);
      const r = d.apply(market({ orderType: "MARKET", qty: 100, maxCostPaise: 5000 }));
      expect(r.code).toBe("OK");
      expect(r.events[0]).toMatchObject({
        pricePaise: 950,
        tif: "IOC",
        lockedPaise: 5000,
        maxCostPaise: 5000,
      });
      expect(ofType(r.events, "TRADE").map((t) => [t.yesPricePaise, t.qty])).toEqual([
        [550, 4],
        [600, 4],
      ]);
      expect(ofType(r.events, "ORDER_CLOSED").at(-1)).toMatchObject({
        status: "EXPIRED",
        releasedPaise: 400,
        cancelledQty: 92,
      });
      expect(d.engine.account("bob")).toEqual({ availablePaise: 100_000 - 4600, lockedPaise: 0 });
    });

    test("MARKET without a price uses the extreme tick; MARKET SELL with a worst price stops there", () => {
      const d = withAsks(factory);
      const r = d.apply(market({ orderType: "MARKET", qty: 3 }));
      expect(r.events[0]).toMatchObject({ pricePaise: 950, lockedPaise: 2850 });
      expect(r.order).toMatchObject({ status: "FILLED", filledValuePaise: 1650 });
      d.limit("carol", "YES", "BUY", 300, 5);
      const s = d.apply(
        market({ orderId: "t2", side: "SELL", orderType: "MARKET", qty: 3, pricePaise: 350 }),
      );
      expect(s.code).toBe("OK");
      expect(ofType(s.events, "TRADE")).toHaveLength(0);
      expect(s.order).toMatchObject({ status: "EXPIRED", pricePaise: 350 });
      expect(d.engine.positions("bob")[0]).toMatchObject({ yesQty: 3, yesLockedQty: 0 });
    });

    test("post-only rests or is refused; only on LIMIT GTC", () => {
      const d = withAsks(factory);
      expect(d.limit("bob", "YES", "BUY", 550, 1, { postOnly: true }).code).toBe("POST_ONLY_WOULD_TAKE");
      expect(d.limit("alice", "YES", "BUY", 550, 1, { postOnly: true }).code).toBe("POST_ONLY_WOULD_TAKE");
      expect(d.limit("bob", "YES", "BUY", 500, 1, { postOnly: true }).code).toBe("OK");
      const bad = d.limit("bob", "YES", "BUY", 500, 1, { postOnly: true, tif: "IOC" });
      expect(bad.code).toBe("INVALID_COMMAND");
      expect(types(bad.events)).toEqual(["ORDER_REJECTED"]);
      expect(d.apply(market({ orderId: "t3", orderType: "MARKET", qty: 1, tif: "GTC" })).code).toBe(
        "INVALID_COMMAND",
      );
    });

    test("rejections in SEMANTICS order, each one event, state untouched", () => {
      const d = withAsks(factory);
      d.market("m2", { positionLimit: 10, maxOrderQty: 8, closeAt: 5_000 });
      const o = (extra: object) => d.limit("bob", "YES", "BUY", 500, 1, extra);
      expect(o({ marketId: "nope" }).code).toBe("MARKET_NOT_FOUND");
      expect(o({ qty: 0 }).code).toBe("INVALID_QUANTITY");
      expect(o({ marketId: "m2", qty: 9 }).code).toBe("INVALID_QUANTITY");
      expect(o({ pricePaise: 525 }).code).toBe("INVALID_PRICE");
      expect(o({ pricePaise: 1000 }).code).toBe("INVALID_PRICE");
      expect(o({ pricePaise: undefined }).code).toBe("INVALID_PRICE");
      expect(o({ maxCostPaise: 100 }).code).toBe("INVALID_AMOUNT");
      expect(o({ side: "SELL" }).code).toBe("INSUFFICIENT_SHARES");
      expect(o({ qty: 100, pricePaise: 500 }).code).toBe("OK");
      expect(o({ qty: 10_000, pricePaise: 50 }).code).toBe("POSITION_LIMIT");
      expect(o({ qty: 200, pricePaise: 950 }).code).toBe("INSUFFICIENT_FUNDS");
      expect(o({ marketId: "m2", qty: 6 }).code).toBe("OK");
      expect(o({ marketId: "m2", qty: 5 }).code).toBe("POSITION_LIMIT");
      expect(o({ userId: "zed" }).code).toBe("USER_NOT_FOUND");
      expect(o({ ts: 5_000, marketId: "m2" }).code).toBe("MARKET_CLOSED");
      const rejected = o({ pricePaise: 525 });
      expect(rejected.order).toMatchObject({
        status: "REJECTED",
        rejectCode: "INVALID_PRICE",
        acceptedSeq: 0,
      });
      expect(d.engine.order(rejected.order?.orderId ?? "")).toBeUndefined();
    });

    test("idempotency by clientOrderId: a repeat returns the first result, even a rejection", () => {
      const d = withAsks(factory);
      const first = d.limit("bob", "YES", "BUY", 500, 2, { clientOrderId: "c1" });
      const again = d.limit("bob", "YES", "BUY", 500, 2, { clientOrderId: "c1" });
      expect(again).toEqual({ code: "OK", events: [], duplicate: true, order: first.order });
      expect(d.engine.openOrders("bob")).toHaveLength(1);
      const poor = d.limit("bob", "YES", "BUY", 950, 1000, { clientOrderId: "c2" });
      expect(poor.code).toBe("INSUFFICIENT_FUNDS");
      d.apply({ type: "CREDIT", userId: "bob", amountPaise: 10_000_000, ref: "big", kind: "DEPOSIT" });
      const repeat = d.limit("bob", "YES", "BUY", 950, 1000, { clientOrderId: "c2" });
      expect(repeat).toMatchObject({ code: "INSUFFICIENT_FUNDS", events: [], duplicate: true });
      expect(d.limit("alice", "YES", "BUY", 500, 2, { clientOrderId: "c1" }).duplicate).toBeUndefined();
      const clash = d.apply(market({ orderId: "o3", orderType: "LIMIT", pricePaise: 500, qty: 1 }));
      expect(clash.code).toBe("ORDER_ID_EXISTS");
    });

    test("malformed commands are INVALID_COMMAND and change nothing", () => {
      const d = withAsks(factory);
      const before = JSON.stringify({ seq: d.engine.lastSeq, t: d.engine.totals(), b: d.engine.book("m1") });
      const bad: unknown[] = [
        null,
        { type: "NOPE" },
        market({ orderType: "LIMIT", pricePaise: 500, qty: "5" }),
        market({ orderType: "LIMIT", pricePaise: 500.5, qty: 5 }),
        market({ orderType: "LIMIT", pricePaise: 500, qty: 5, outcome: "MAYBE" }),
        market({ orderType: "LIMIT", pricePaise: 500, qty: 5, orderId: 7 }),
        market({ orderType: "LIMIT", pricePaise: 500, qty: 5, clientOrderId: "" }),
        { type: "CREDIT", userId: "bob", amountPaise: 1.5, ref: "x", kind: "DEPOSIT" },
        { type: "CREATE_MARKET", marketId: "m9", tickPaise: "50" },
        { type: "CANCEL_ORDER", userId: "bob" },
      ];
      for (const cmd of bad) {
        const r = d.engine.apply((cmd && typeof cmd === "object" ? { ts: 2_000, ...cmd } : cmd) as never);
        expect(r).toEqual({ code: "INVALID_COMMAND", events: [] });
      }
      expect(JSON.stringify({ seq: d.engine.lastSeq, t: d.engine.totals(), b: d.engine.book("m1") })).toBe(
        before,
      );
    });
  });
}
