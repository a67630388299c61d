import { describe, expect, test } from "bun:test";
import { stateText, world } from "@ox/engine/testing";
import { createEngine, restoreEngine } from "./engine.ts";
import type { Command } from "./types.ts";

describe("lifecycle, idempotency, input, snapshots", () => {
  test("resolve YES with open orders: cancel in acceptance order, pay winners, empty escrow", () => {
    const w = world(["b", "a"]);
    w.order({ orderId: "a1", userId: "a", pricePaise: 400, qty: 5 });
    w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 600, qty: 3 });
    w.order({ orderId: "b2", userId: "b", outcome: "NO", pricePaise: 100, qty: 2 });
    expect(w.run({ type: "CLOSE_MARKET", marketId: "m" }).code).toBe("OK");
    expect(w.order({ orderId: "a9", userId: "a", pricePaise: 400 }).code).toBe("MARKET_CLOSED");
    const r = w.run({ type: "RESOLVE_MARKET", marketId: "m", outcome: "YES" });
    expect(w.types(r)).toEqual([
      "ORDER_CLOSED",
      "BOOK_DELTA",
      "ORDER_CLOSED",
      "BOOK_DELTA",
      "MARKET_RESOLVED",
      "PAYOUT",
      "PAYOUT",
      "BALANCE",
      "BALANCE",
      "POSITION",
      "POSITION",
    ]);
    expect(w.of(r, "ORDER_CLOSED").map((c) => [c.orderId, c.reason, c.releasedPaise])).toEqual([
      ["a1", "MARKET_RESOLVED", 800],
      ["b2", "MARKET_RESOLVED", 200],
    ]);
    expect(w.of(r, "MARKET_RESOLVED")[0]).toMatchObject({ pairs: 3, escrowPaise: 3_000 });
    expect(w.of(r, "PAYOUT").map((p) => [p.userId, p.yesQty, p.noQty, p.amountPaise])).toEqual([
      ["a", 3, 0, 3_000],
      ["b", 0, 3, 0],
    ]);
    expect(w.e.account("a")).toEqual({ availablePaise: 1_000_000 - 1_200 + 3_000, lockedPaise: 0 });
    expect(w.e.market("m")).toMatchObject({
      status: "RESOLVED",
      resolution: "YES",
      escrowPaise: 0,
      pairs: 0,
    });
    expect(w.run({ type: "RESOLVE_MARKET", marketId: "m", outcome: "NO" }).code).toBe(
      "MARKET_ALREADY_RESOLVED",
    );
  });

  test("void pays 500 per YES and NO share", () => {
    const w = world(["a", "b"]);
    w.order({ orderId: "a1", userId: "a", pricePaise: 700, qty: 4 });
    w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 300, qty: 4 });
    w.order({ orderId: "b2", userId: "b", outcome: "NO", pricePaise: 300, qty: 1 });
    const r = w.run({ type: "RESOLVE_MARKET", marketId: "m", outcome: "VOID" });
    expect(w.of(r, "PAYOUT").map((p) => [p.userId, p.amountPaise])).toEqual([
      ["a", 2_000],
      ["b", 2_000],
    ]);
    expect(w.e.account("a")?.availablePaise).toBe(1_000_000 - 2_800 + 2_000);
    expect(w.e.account("b")).toEqual({ availablePaise: 1_000_000 - 1_200 + 2_000, lockedPaise: 0 });
    expect(w.e.market("m")?.status).toBe("VOIDED");
  });

  test("closed orders are history: order(id) forgets them, a clientOrderId repeat gets the final view", () => {
    const w = world(["a", "b"]);
    w.order({ orderId: "a1", userId: "a", clientOrderId: "k", pricePaise: 500, qty: 2 });
    expect(w.e.order("a1")).toMatchObject({ status: "OPEN", remainingQty: 2 });
    const taker = w.order({ orderId: "b1", userId: "b", outcome: "NO", pricePaise: 500, qty: 2 });
    expect(w.e.order("a1")).toBeUndefined();
    expect(w.e.order("b1")).toBeUndefined();
    expect(taker.order).toMatchObject({ status: "FILLED", filledQty: 2 });
    const again = w.order({ orderId: "a9", userId: "a", clientOrderId: "k", pricePaise: 600 });
    expect(again).toMatchObject({ code: "OK", duplicate: true, events: [] });
    expect(again.order).toMatchObject({ orderId: "a1", status: "FILLED", filledQty: 2, remainingQty: 0 });
    const reused = w.order({ orderId: "a1", userId: "a", pricePaise: 400 });
    expect(reused.code).toBe("OK");
    expect(w.e.order("a1")).toMatchObject({ pricePaise: 400, status: "OPEN" });
    const restored = restoreEngine(w.e.snapshot());
    expect(restored.snapshot()).toEqual(w.e.snapshot());
  });

  test("idempotency: clientOrderId repeats return the first result; refs are single-use", () => {
    const w = world(["a"]);
    const first = w.order({ orderId: "a1", userId: "a", clientOrderId: "k", pricePaise: 500 });
    const again = w.order({ orderId: "a2", userId: "a", clientOrderId: "k", pricePaise: 600 });
    expect(again).toEqual({ code: "OK", events: [], duplicate: true, order: first.order });
    const bad = w.order({ orderId: "a3", userId: "a", clientOrderId: "j", pricePaise: 5 });
    expect(bad.code).toBe("INVALID_PRICE");
    expect(w.order({ orderId: "a4", userId: "a", clientOrderId: "j", pricePaise: 500 })).toMatchObject({
      code: "INVALID_PRICE",
      duplicate: true,
      events: [],
    });
    const credit = { type: "CREDIT", userId: "a", amountPaise: 5, ref: "x", kind: "DEPOSIT" } as const;
    expect(w.run(credit).code).toBe("OK");
    expect(w.run(credit)).toEqual({ code: "DUPLICATE", events: [], duplicate: true });
    expect(w.run({ type: "DEBIT", userId: "a", amountPaise: 10 ** 9, ref: "y" }).code).toBe(
      "INSUFFICIENT_FUNDS",
    );
    expect(w.run({ type: "DEBIT", userId: "a", amountPaise: 5, ref: "y" }).code).toBe("OK");
    expect(w.run({ type: "CREATE_USER", userId: "a" }).code).toBe("DUPLICATE");
  });

  test("malformed input is INVALID_COMMAND and changes nothing", () => {
    const w = world(["a"]);
    const before = stateText(w.e);
    const bad: unknown[] = [
      null,
      42,
      { type: "NOPE", ts: 1 },
      { type: "CREATE_USER", userId: "z" },
      { type: "CREATE_USER", ts: 1.5, userId: "z" },
      { type: "CREDIT", ts: 1, userId: "a", amountPaise: Number.NaN, ref: "r", kind: "BONUS" },
      { type: "CREDIT", ts: 1, userId: "a", amountPaise: 2 ** 60, ref: "r", kind: "BONUS" },
      { type: "CREDIT", ts: 1, userId: "a", amountPaise: 10, ref: "r", kind: "GIFT" },
      { type: "PLACE_ORDER", ts: 1, orderId: "o", userId: "a", marketId: "m", outcome: "MAYBE", side: "BUY" },
      { type: "PLACE_ORDER", ts: 1, orderId: 7, userId: "a", marketId: "m", outcome: "YES", side: "BUY" },
      {
        type: "PLACE_ORDER",
        ts: 1,
        orderId: "o",
        userId: "a",
        marketId: "m",
        outcome: "YES",
        side: "BUY",
        orderType: "LIMIT",
        pricePaise: 500.5,
        qty: 1,
      },
      { type: "CANCEL_ORDER", ts: 1, userId: "a" },
      { type: "CREATE_MARKET", ts: 1, marketId: "m2", tickPaise: "50" },
    ];
    for (const c of bad) expect(w.e.apply(c as Command)).toEqual({ code: "INVALID_COMMAND", events: [] });
    expect(w.run({ type: "CREDIT", userId: "a", amountPaise: -5, ref: "r", kind: "BONUS" }).code).toBe(
      "INVALID_AMOUNT",
    );
    expect(w.run({ type: "CREATE_MARKET", marketId: "m3", tickPaise: 30 }).code).toBe(
      "INVALID_MARKET_PARAMS",
    );
    // Only the command-time clock moves (SEMANTICS.md "Idempotency memory").
    expect(stateText(w.e)).toBe(before);
  });

  test("snapshot + restore + the remaining commands = the uninterrupted run, event for event", () => {
    const cmds: Command[] = [];
    let ts = 1;
    for (const u of ["a", "b", "c"]) {
      cmds.push({ type: "CREATE_USER", ts: ts++, userId: u });
      cmds.push({ type: "CREDIT", ts: ts++, userId: u, amountPaise: 100_000, ref: u, kind: "BONUS" });
    }
    cmds.push({
      type: "CREATE_MARKET",
      ts: ts++,
      marketId: "m",
      tickPaise: 10,
      makerFeeBps: 5,
      takerFeeBps: 25,
    });
    for (let i = 0; i < 300; i++) {
      const userId = ["a", "b", "c"][i % 3];
      if (i % 7 === 3) {
        cmds.push({ type: "CANCEL_ORDER", ts: ts++, userId, orderId: `o${i - 3}` });
        continue;
      }
      cmds.push({
        type: "PLACE_ORDER",
        ts: ts++,
        orderId: `o${i}`,
        userId,
        marketId: "m",
        clientOrderId: i % 5 === 0 ? `k${i % 20}` : undefined,
        outcome: i % 2 === 0 ? "YES" : "NO",
        side: i % 11 === 0 ? "SELL" : "BUY",
        orderType: "LIMIT",
        pricePaise: 300 + ((i * 37) % 400),
        qty: 1 + (i % 9),
        tif: i % 13 === 0 ? "IOC" : undefined,
      });
    }
    const whole = createEngine();
    const expected = cmds.map((c) => whole.apply(c));
    for (const cut of [0, 10, 77, 150, 299]) {
      const e = createEngine();
      for (const c of cmds.slice(0, cut)) e.apply(c);
      const restored = restoreEngine(e.snapshot());
      expect(restored.lastSeq).toBe(e.lastSeq);
      expect(cmds.slice(cut).map((c) => restored.apply(c))).toEqual(expected.slice(cut));
      expect(restored.book("m")).toEqual(whole.book("m"));
      expect(restored.totals()).toEqual(whole.totals());
    }
  });
});
