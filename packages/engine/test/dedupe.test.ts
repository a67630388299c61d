/**
 * Bounded idempotency memory (SEMANTICS.md "Idempotency memory"), on both engines: a repeat inside
 * the window is a DUPLICATE with the first result, after the window it is a new command, a resolved
 * market's clientOrderIds are forgotten, and memory and snapshots stay flat under a long run.
 */
import { describe, expect, test } from "bun:test";
import type { Command, Engine, EngineConfig } from "../src/index.ts";
import { createEngine, restoreEngine } from "../src/index.ts";
import { createReferenceEngine, restoreReferenceEngine } from "../src/reference/index.ts";

const W = 10_000;
const engines: [string, (c?: EngineConfig) => Engine, (b: Uint8Array, c?: EngineConfig) => Engine][] = [
  ["fast", createEngine, restoreEngine],
  ["reference", createReferenceEngine, restoreReferenceEngine],
];

function setup(make: (c?: EngineConfig) => Engine, config: EngineConfig | undefined = { dedupeWindowMs: W }) {
  const e = make(config);
  const ok = (c: Command) => {
    const r = e.apply(c);
    expect(r.code).toBe("OK");
    return r;
  };
  ok({ type: "CREATE_USER", userId: "a", ts: 1 });
  ok({ type: "CREATE_USER", userId: "b", ts: 1 });
  ok({ type: "CREDIT", userId: "a", amountPaise: 10_000_000, ref: "seed-a", kind: "DEPOSIT", ts: 1 });
  ok({ type: "CREDIT", userId: "b", amountPaise: 10_000_000, ref: "seed-b", kind: "DEPOSIT", ts: 1 });
  ok({ type: "CREATE_MARKET", marketId: "m", ts: 1 });
  ok({ type: "CREATE_MARKET", marketId: "n", ts: 1 });
  return e;
}

const buy = (orderId: string, ts: number, extra: Partial<Command> = {}): Command =>
  ({
    type: "PLACE_ORDER",
    orderId,
    userId: "a",
    marketId: "m",
    clientOrderId: "k1",
    outcome: "YES",
    side: "BUY",
    orderType: "LIMIT",
    pricePaise: 400,
    qty: 2,
    ts,
    ...extra,
  }) as Command;

for (const [name, make, restore] of engines) {
  describe(`${name}: idempotency memory is bounded by command time and resolution`, () => {
    test("a repeat inside the window is a DUPLICATE with the first result; at the window it is new", () => {
      const e = setup(make);
      const first = e.apply(buy("o1", 1_000));
      expect(first.code).toBe("OK");
      const repeat = e.apply(buy("o2", 1_000 + W - 1));
      expect(repeat).toMatchObject({ code: "OK", duplicate: true, events: [] });
      expect(repeat.order?.orderId).toBe("o1");
      // Other commands move the clock too: the entry is gone once clock ≥ at + window.
      e.apply({ type: "CREATE_USER", userId: "c", ts: 1_000 + W });
      expect(e.dedupeStats().clientOrderIds).toBe(0);
      const retry = e.apply(buy("o3", 1_000 + W));
      expect(retry.duplicate).toBeUndefined();
      expect(retry.code).toBe("OK");
      expect(retry.order?.orderId).toBe("o3");
      expect(e.openOrders("a").map((o) => o.orderId)).toEqual(["o1", "o3"]);
      // The old open order closing later does not take the clientOrderId back from o3.
      expect(e.apply({ type: "CANCEL_ORDER", userId: "a", orderId: "o1", ts: 1_000 + W + 1 }).code).toBe(
        "OK",
      );
      expect(e.apply(buy("o4", 1_000 + W + 2)).order?.orderId).toBe("o3");
    });

    test("a rejection is remembered for the window too, then forgotten", () => {
      const e = setup(make);
      expect(e.apply(buy("o1", 5_000, { pricePaise: 7 })).code).toBe("INVALID_PRICE");
      const again = e.apply(buy("o2", 5_000 + W - 1));
      expect(again).toMatchObject({ code: "INVALID_PRICE", duplicate: true });
      expect(e.apply(buy("o3", 5_000 + W)).code).toBe("OK");
    });

    test("resolving or voiding a market forgets its clientOrderIds, not other markets'", () => {
      const e = setup(make);
      e.apply(buy("o1", 100));
      e.apply(buy("o2", 101, { clientOrderId: "k2", marketId: "n" }));
      e.apply(buy("o3", 102, { clientOrderId: "k3", marketId: "n" }));
      expect(e.dedupeStats().clientOrderIds).toBe(3);
      expect(e.apply({ type: "RESOLVE_MARKET", marketId: "n", outcome: "VOID", ts: 103 }).code).toBe("OK");
      expect(e.dedupeStats().clientOrderIds).toBe(1);
      expect(e.apply(buy("o4", 104)).duplicate).toBe(true);
      const late = e.apply(buy("o5", 105, { clientOrderId: "k2", marketId: "n" }));
      expect(late.duplicate).toBeUndefined();
      expect(late.code).toBe("MARKET_CLOSED");
    });

    test("refs: DUPLICATE inside the window; a CREDIT stamped before the window is STALE_REF, never applied", () => {
      const e = setup(make);
      const credit = (ref: string, ts: number) =>
        e.apply({ type: "CREDIT", userId: "b", amountPaise: 500, ref, kind: "DEPOSIT", ts });
      expect(credit("r1", 2_000).code).toBe("OK");
      expect(credit("r1", 2_000).code).toBe("DUPLICATE");
      e.apply({ type: "CREATE_USER", userId: "c", ts: 2_000 + W });
      expect(e.dedupeStats().refs).toBe(0);
      // The relay stamps an outbox row's creation time, so a redelivery after the window is this:
      const before = e.account("b")?.availablePaise;
      const stale = credit("r1", 2_000);
      expect(stale).toEqual({ code: "STALE_REF", events: [] });
      expect(e.apply({ type: "DEBIT", userId: "b", amountPaise: 1, ref: "d1", ts: 2_000 }).code).toBe(
        "STALE_REF",
      );
      expect(e.account("b")?.availablePaise).toBe(before as number);
      expect(credit("r2", 2_001 + W - 1).code).toBe("OK");
    });

    test("snapshots carry only what is still remembered; a restored engine forgets on the same schedule", () => {
      const e = setup(make);
      e.apply(buy("o1", 1_000));
      e.apply(buy("o2", 6_000, { clientOrderId: "k2" }));
      e.apply({ type: "CREATE_USER", userId: "c", ts: 1_000 + W });
      const bytes = e.snapshot();
      expect(e.dedupeStats()).toEqual({ clientOrderIds: 1, clientAmendIds: 0, refs: 0, clock: 1_000 + W });
      const r = restore(bytes, { dedupeWindowMs: W });
      expect(r.dedupeStats()).toEqual(e.dedupeStats());
      expect(r.apply(buy("o3", 6_000 + W - 1, { clientOrderId: "k2" })).duplicate).toBe(true);
      expect(r.apply(buy("o4", 6_000 + W, { clientOrderId: "k2" })).duplicate).toBeUndefined();
    });

    test("the default window is 24 h of command time", () => {
      const e = setup(make, {});
      e.apply(buy("o1", 1_000));
      expect(e.apply(buy("o2", 1_000 + 86_400_000 - 1)).duplicate).toBe(true);
      expect(e.apply(buy("o3", 1_000 + 86_400_000)).duplicate).toBeUndefined();
      expect(() => make({ dedupeWindowMs: 0 })).toThrow();
    });

    test("memory and snapshot stay flat over a long run with advancing command time", () => {
      const e = setup(make);
      const sizes: number[] = [];
      const snaps: number[] = [];
      const n = name === "fast" ? 60_000 : 6_000;
      for (let i = 0; i < n; i++) {
        const ts = 1_000 + i * 10; // 1 000 commands per window
        const user = i % 2 === 0 ? "a" : "b";
        e.apply(
          buy(`o${i}`, ts, {
            userId: user,
            clientOrderId: `c${i}`,
            side: "BUY",
            outcome: i % 4 < 2 ? "YES" : "NO",
            pricePaise: 500,
            qty: 1,
          }),
        );
        if (i % 7 === 0)
          e.apply({ type: "CREDIT", userId: user, amountPaise: 1, ref: `r${i}`, kind: "BONUS", ts });
        if ((i + 1) % (n / 6) === 0) {
          sizes.push(e.dedupeStats().clientOrderIds + e.dedupeStats().refs);
          snaps.push(e.snapshot().length);
        }
      }
      const [first, ...rest] = sizes;
      expect(first).toBeLessThanOrEqual(1_000 + 143);
      for (const s of rest) expect(s).toBe(first);
      // The reference keeps every order for order(id), by design; the fast engine's snapshot is flat.
      if (name === "fast")
        for (const s of snaps.slice(1)) expect(Math.abs(s - snaps[1]) / snaps[1]).toBeLessThan(0.05);
    });
  });
}
