/** Money in and out, market lifecycle, resolution and void (docs/matching.md), run against any engine. */
import { describe, expect, test } from "bun:test";
import { bodies, createDriver, type EngineFactory, types } from "./harness.ts";

function minted(factory: EngineFactory) {
  const d = createDriver(factory);
  for (const u of ["alice", "bob", "carol"]) d.user(u);
  d.market("m1");
  d.limit("alice", "YES", "BUY", 600, 10);
  d.limit("bob", "NO", "BUY", 400, 10);
  return d;
}

export function lifecycleScenarios(name: string, factory: EngineFactory): void {
  describe(`${name}: money and lifecycle`, () => {
    test("credits and debits are idempotent by ref; a refused debit keeps its ref", () => {
      const d = createDriver(factory);
      expect(d.apply({ type: "CREATE_USER", userId: "u" }).code).toBe("OK");
      expect(d.apply({ type: "CREATE_USER", userId: "u" })).toMatchObject({ code: "DUPLICATE", events: [] });
      const c = d.apply({ type: "CREDIT", userId: "u", amountPaise: 1500, ref: "r1", kind: "BONUS" });
      expect(bodies(c.events)).toEqual([
        { type: "CREDITED", userId: "u", amountPaise: 1500, ref: "r1", kind: "BONUS", availablePaise: 1500 },
      ]);
      expect(
        d.apply({ type: "CREDIT", userId: "u", amountPaise: 1500, ref: "r1", kind: "BONUS" }),
      ).toMatchObject({
        code: "DUPLICATE",
        events: [],
      });
      expect(d.apply({ type: "DEBIT", userId: "u", amountPaise: 2000, ref: "w1" }).code).toBe(
        "INSUFFICIENT_FUNDS",
      );
      expect(d.apply({ type: "DEBIT", userId: "u", amountPaise: 0, ref: "w1" }).code).toBe("INVALID_AMOUNT");
      expect(d.apply({ type: "DEBIT", userId: "nobody", amountPaise: 10, ref: "w1" }).code).toBe(
        "USER_NOT_FOUND",
      );
      expect(d.apply({ type: "DEBIT", userId: "u", amountPaise: 1000, ref: "w1" }).events[0]).toMatchObject({
        type: "DEBITED",
        availablePaise: 500,
      });
      expect(d.apply({ type: "DEBIT", userId: "u", amountPaise: 100, ref: "r1" }).code).toBe("DUPLICATE");
      expect(d.engine.totals()).toEqual({
        creditsPaise: 1500,
        debitsPaise: 1000,
        feesPaise: 0,
        escrowPaise: 0,
        availablePaise: 500,
        lockedPaise: 0,
      });
    });

    test("locked cash cannot be withdrawn", () => {
      const d = createDriver(factory);
      d.user("u", 1000);
      d.market("m1");
      d.limit("u", "YES", "BUY", 500, 2);
      expect(d.apply({ type: "DEBIT", userId: "u", amountPaise: 1, ref: "w" }).code).toBe(
        "INSUFFICIENT_FUNDS",
      );
    });

    test("market parameters are validated; a duplicate id is refused", () => {
      const d = createDriver(factory);
      expect(d.apply({ type: "CREATE_MARKET", marketId: "m", tickPaise: 30 }).code).toBe(
        "INVALID_MARKET_PARAMS",
      );
      expect(d.apply({ type: "CREATE_MARKET", marketId: "m", takerFeeBps: 1001 }).code).toBe(
        "INVALID_MARKET_PARAMS",
      );
      const ok = d.apply({ type: "CREATE_MARKET", marketId: "m", tickPaise: 10 });
      expect(bodies(ok.events)).toEqual([
        {
          type: "MARKET_CREATED",
          marketId: "m",
          tickPaise: 10,
          maxOrderQty: 10_000,
          positionLimit: 5_000,
          makerFeeBps: 0,
          takerFeeBps: 0,
          closeAt: null,
        },
      ]);
      expect(d.apply({ type: "CREATE_MARKET", marketId: "m" }).code).toBe("MARKET_EXISTS");
    });

    test("close: no new orders, resting ones may still be cancelled", () => {
      const d = minted(factory);
      d.limit("alice", "YES", "BUY", 500, 2);
      expect(types(d.apply({ type: "CLOSE_MARKET", marketId: "m1" }).events)).toEqual(["MARKET_CLOSED"]);
      expect(d.apply({ type: "CLOSE_MARKET", marketId: "m1" }).code).toBe("MARKET_CLOSED");
      expect(d.limit("bob", "NO", "BUY", 500, 1).code).toBe("MARKET_CLOSED");
      expect(d.apply({ type: "CANCEL_ALL", userId: "alice", marketId: "m1" }).code).toBe("OK");
      expect(d.engine.openOrders("alice")).toEqual([]);
      expect(d.apply({ type: "CANCEL_ALL", userId: "alice", marketId: "m1" })).toEqual({
        code: "OK",
        events: [],
      });
    });

    test("resolve YES with open orders: cancel, pay 1000 per winning share, empty escrow", () => {
      const d = minted(factory);
      d.limit("bob", "NO", "SELL", 300, 3);
      d.limit("alice", "YES", "BUY", 500, 2);
      d.limit("carol", "YES", "BUY", 100, 1);
      const r = d.apply({ type: "RESOLVE_MARKET", marketId: "m1", outcome: "YES" });
      expect(types(r.events)).toEqual([
        ...["ORDER_CLOSED", "BOOK_DELTA", "ORDER_CLOSED", "BOOK_DELTA", "ORDER_CLOSED", "BOOK_DELTA"],
        "MARKET_RESOLVED",
        ...["PAYOUT", "PAYOUT", "BALANCE", "BALANCE", "BALANCE", "POSITION", "POSITION", "POSITION"],
      ]);
      expect(r.events[0]).toMatchObject({ userId: "bob", reason: "MARKET_RESOLVED", releasedShares: 3 });
      expect(r.events[6]).toMatchObject({ pairs: 10, escrowPaise: 10_000 });
      expect(r.events.slice(7, 9).map((e) => (e.type === "PAYOUT" ? [e.userId, e.amountPaise] : []))).toEqual(
        [
          ["alice", 10_000],
          ["bob", 0],
        ],
      );
      expect(r.events.slice(9, 12).map((e) => (e.type === "BALANCE" ? e.userId : ""))).toEqual([
        "alice",
        "bob",
        "carol",
      ]);
      expect(d.engine.account("alice")).toEqual({ availablePaise: 100_000 - 6000 + 10_000, lockedPaise: 0 });
      expect(d.engine.account("bob")).toEqual({ availablePaise: 96_000, lockedPaise: 0 });
      expect(d.engine.market("m1")).toMatchObject({
        status: "RESOLVED",
        resolution: "YES",
        pairs: 0,
        escrowPaise: 0,
      });
      expect(d.engine.positions("alice")).toEqual([]);
      expect(d.apply({ type: "RESOLVE_MARKET", marketId: "m1", outcome: "NO" }).code).toBe(
        "MARKET_ALREADY_RESOLVED",
      );
      expect(d.limit("bob", "NO", "BUY", 500, 1).code).toBe("MARKET_CLOSED");
    });

    test("void pays 500 per YES and per NO share, which exactly empties escrow", () => {
      const d = minted(factory);
      d.limit("alice", "YES", "SELL", 700, 4);
      d.limit("carol", "YES", "BUY", 700, 4); // carol buys 4 of alice's YES
      const r = d.apply({ type: "RESOLVE_MARKET", marketId: "m1", outcome: "VOID" });
      const payouts = r.events.flatMap((e) =>
        e.type === "PAYOUT" ? [[e.userId, e.yesQty, e.noQty, e.amountPaise]] : [],
      );
      expect(payouts).toEqual([
        ["alice", 6, 0, 3000],
        ["bob", 0, 10, 5000],
        ["carol", 4, 0, 2000],
      ]);
      expect(d.engine.market("m1")).toMatchObject({ status: "VOIDED", escrowPaise: 0 });
      expect(d.engine.totals().escrowPaise).toBe(0);
    });

    test("a market past closeAt refuses orders but keeps its status", () => {
      const d = createDriver(factory);
      d.user("u");
      d.market("m1", { closeAt: 2_000 });
      expect(d.limit("u", "YES", "BUY", 500, 1, { ts: 1_999 }).code).toBe("OK");
      expect(d.limit("u", "YES", "BUY", 500, 1, { ts: 2_000 }).code).toBe("MARKET_CLOSED");
      expect(d.engine.market("m1")?.status).toBe("OPEN");
    });
  });
}
