import { expect, test } from "bun:test";
import { applyBoth, createPair } from "./differential.ts";
import { fuzzBudget } from "./fuzz-budget.ts";
import { createWalker } from "./walk.ts";

const budget = fuzzBudget();

test(
  `random walk: ${budget.walkCommands} commands into deep books, reference and fast agree after every one`,
  () => {
    const pair = createPair();
    const next = createWalker(budget.seed);
    let maxOpen = 0;
    let trades = 0;
    for (let i = 0; i < budget.walkCommands; i++) {
      const r = applyBoth(pair, next(pair.ref), i, { compareModelsEvery: 25 });
      for (const e of r.events) if (e.type === "TRADE") trades += 1;
      if (i % 500 === 0) {
        let open = 0;
        for (const u of pair.ref.userIds()) open += pair.ref.openOrders(u).length;
        maxOpen = Math.max(maxOpen, open);
      }
    }
    budget.count(`random walk (max ${maxOpen} open orders, ${trades} trades)`, budget.walkCommands);
    expect(maxOpen).toBeGreaterThan(200);
    expect(trades).toBeGreaterThan(budget.walkCommands / 20);
  },
  budget.timeoutMs,
);
