import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { runBoth } from "./differential.ts";
import { fuzzBudget } from "./fuzz-budget.ts";
import { materialize, steps, USERS } from "./gen.ts";

const budget = fuzzBudget();

describe("differential: reference twin vs fast engine (fast-check, seeded, shrinking)", () => {
  test(
    `${budget.propertyRuns} random streams of up to ${budget.maxSteps} commands agree event for event`,
    () => {
      let commands = 0;
      fc.assert(
        fc.property(steps(budget.maxSteps), (input) => {
          const cmds = materialize(input);
          commands += cmds.length;
          runBoth(cmds, { userIds: USERS });
        }),
        { ...budget.fastCheck, seed: budget.seed, numRuns: budget.propertyRuns },
      );
      budget.count("fast-check streams", commands);
      expect(commands).toBeGreaterThanOrEqual(budget.streamTarget);
    },
    budget.timeoutMs,
  );
});
