import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { restoreEngine } from "../src/index.ts";
import { restoreReferenceEngine } from "../src/reference/index.ts";
import type { Result } from "../src/types.ts";
import { applyBoth, createPair, DivergenceError, type Pair, restorePair } from "./differential.ts";
import { fuzzBudget } from "./fuzz-budget.ts";
import { materialize, steps, USERS } from "./gen.ts";

const budget = fuzzBudget();

describe("snapshot/restore equivalence at random cut points", () => {
  test(
    `${budget.snapshotRuns} streams: snapshot, restore both engines, carry on; events equal the uninterrupted run`,
    () => {
      let commands = 0;
      fc.assert(
        fc.property(
          steps(budget.maxSteps),
          fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
          (input, cutSeeds) => {
            const cmds = materialize(input);
            commands += cmds.length;
            const straight = createPair();
            const expected: Result[] = cmds.map((cmd, i) =>
              applyBoth(straight, cmd, i, { compareModelsEvery: 0 }),
            );
            const cuts = new Set(cutSeeds.map((n) => n % (cmds.length + 1)));
            let pair: Pair = createPair();
            cmds.forEach((cmd, i) => {
              if (cuts.has(i)) pair = restorePair(pair);
              const got = applyBoth(pair, cmd, i, { compareModelsEvery: 0, userIds: USERS });
              if (!Bun.deepEquals(got, expected[i])) {
                throw new DivergenceError(
                  `after restore, command #${i} ${JSON.stringify(cmd)} gave a different result`,
                  i,
                  cmd,
                );
              }
            });
            if (cuts.has(cmds.length)) pair = restorePair(pair);
            expect(pair.ref.lastSeq).toBe(straight.ref.lastSeq);
            expect(Bun.deepEquals(pair.ref.totals(), straight.ref.totals())).toBe(true);
            expect(Bun.deepEquals(pair.fast.totals(), straight.fast.totals())).toBe(true);
            for (const u of USERS) {
              expect(pair.fast.openOrders(u)).toEqual(straight.fast.openOrders(u));
              expect(pair.fast.positions(u)).toEqual(straight.fast.positions(u));
            }
          },
        ),
        { ...budget.fastCheck, seed: budget.seed + 1, numRuns: budget.snapshotRuns },
      );
      budget.count("snapshot streams", commands);
      expect(commands).toBeGreaterThanOrEqual(budget.snapshotTarget);
    },
    budget.timeoutMs,
  );

  test("a snapshot restores to a state whose own snapshot is byte-identical", () => {
    const pair = createPair();
    const cmds = materialize(fc.sample(steps(300), { seed: budget.seed, numRuns: 1 })[0]);
    for (const [i, cmd] of cmds.entries()) applyBoth(pair, cmd, i, { compareModelsEvery: 0 });
    const refBytes = pair.ref.snapshot();
    expect(restoreReferenceEngine(refBytes).snapshot()).toEqual(refBytes);
    const fastBytes = pair.fast.snapshot();
    expect(restoreEngine(fastBytes).snapshot()).toEqual(fastBytes);
    expect(() => restoreReferenceEngine(new TextEncoder().encode("{}"))).toThrow();
  });
});
