/** The checkers must be able to fail: feed them engines that lie and expect a clear error. */
import { describe, expect, test } from "bun:test";
import { createReferenceEngine } from "../src/reference/index.ts";
import type { Engine } from "../src/types.ts";
import { applyBoth, DivergenceError } from "./differential.ts";
import { setupCommands } from "./gen.ts";
import { createDriver } from "./harness.ts";
import { checkInvariants, createLedger, InvariantError } from "./invariants.ts";

function tradedEngine(): { engine: Engine; ledger: ReturnType<typeof createLedger> } {
  const engine = createReferenceEngine();
  const ledger = createLedger();
  const d = createDriver(() => engine);
  d.user("a");
  d.user("b");
  d.market("m1");
  d.limit("a", "YES", "BUY", 600, 10);
  d.limit("b", "NO", "BUY", 400, 4);
  if (engine.market("m1")?.pairs !== 4) throw new Error("fixture did not mint");
  d.limit("a", "YES", "BUY", 500, 3);
  ledger.creditsPaise = engine.totals().creditsPaise;
  return { engine, ledger };
}

function acct(e: Engine, userId: string) {
  const a = e.account(userId);
  if (!a) throw new Error(`no account ${userId}`);
  return a;
}

function bookOf(e: Engine, marketId: string) {
  const b = e.book(marketId);
  if (!b) throw new Error(`no book ${marketId}`);
  return b;
}

/** The same engine with one read model altered. */
function lying(engine: Engine, patch: Partial<Engine>): Engine {
  return new Proxy(engine, {
    get: (target, key) => (key in patch ? patch[key as keyof Engine] : Reflect.get(target, key)),
  });
}

describe("invariant checker catches broken engines", () => {
  test("an honest engine passes", () => {
    const { engine, ledger } = tradedEngine();
    expect(() => checkInvariants(engine, ledger)).not.toThrow();
  });

  const cases: [string, (e: Engine) => Partial<Engine>, RegExp][] = [
    [
      "a paisa appears from nowhere",
      (e) => ({ account: (u) => ({ ...acct(e, u), availablePaise: acct(e, u).availablePaise + 1 }) }),
      /conservation/,
    ],
    [
      "a lock drifts from its orders",
      (e) => ({
        account: (u) => ({
          availablePaise: acct(e, u).availablePaise + 5,
          lockedPaise: acct(e, u).lockedPaise - 5,
        }),
      }),
      /open BUY orders need/,
    ],
    [
      "a negative balance",
      (e) => ({ account: (u) => ({ availablePaise: -1, lockedPaise: acct(e, u).lockedPaise }) }),
      /non-negative/,
    ],
    [
      "escrow without pairs",
      (e) => ({ markets: () => e.markets().map((m) => ({ ...m, escrowPaise: m.escrowPaise + 1000 })) }),
      /escrow/,
    ],
    [
      "a YES share too many",
      (e) => ({ positions: (u) => e.positions(u).map((p) => ({ ...p, yesQty: p.yesQty + 1 })) }),
      /YES and/,
    ],
    [
      "a crossed book",
      (e) => ({ book: (m) => ({ ...bookOf(e, m), no: [{ pricePaise: 450, qty: 1 }] }) }),
      /book .* ≠ open orders/,
    ],
  ];
  for (const [name, patch, message] of cases) {
    test(name, () => {
      const { engine, ledger } = tradedEngine();
      expect(() => checkInvariants(lying(engine, patch(engine)), ledger)).toThrow(InvariantError);
      expect(() => checkInvariants(lying(engine, patch(engine)), ledger)).toThrow(message);
    });
  }
});

describe("differential runner catches a diverging twin", () => {
  test("one event field off by one paisa is reported with the command and the path", () => {
    const honest = createReferenceEngine();
    const skewed = createReferenceEngine();
    const fast = lying(skewed, {
      apply: (cmd) => {
        const r = skewed.apply(cmd);
        return {
          ...r,
          events: r.events.map((e) =>
            e.type === "CREDITED" ? { ...e, availablePaise: e.availablePaise + 1 } : e,
          ),
        };
      },
    });
    const pair = { ref: honest, fast, refLedger: createLedger(), fastLedger: createLedger() };
    const cmds = setupCommands();
    applyBoth(pair, cmds[0], 0);
    expect(() => applyBoth(pair, cmds[1], 1)).toThrow(DivergenceError);
    expect(() =>
      applyBoth(
        pair,
        { type: "CREDIT", userId: "u0", amountPaise: 5, ref: "again", kind: "BONUS", ts: 2 },
        2,
      ),
    ).toThrow(/events\.0\.availablePaise: reference \d+ vs fast \d+/);
  });
});
