import { describe, expect, test } from "bun:test";
import type { ShardLogBatch } from "./pipeline.ts";
import { createFenceFilter, fenceEpochAt } from "./shard-fence.ts";

const rec = (epoch: number | undefined, n: number): ShardLogBatch => ({
  shard: "m0",
  records: [
    {
      input: {
        kind: "command",
        envelopeId: `c${n}`,
        replyTo: null,
        command: { type: "CREATE_USER" } as never,
      },
      receipt: "APPLIED",
      completed: null,
      events: [],
      out: [],
    },
  ],
  epoch,
});
const fence = (epoch: number, prev: number, from: number): ShardLogBatch => ({
  shard: "m0",
  records: [
    {
      input: { kind: "fence", epoch, prev, from, incarnation: `i${epoch}-${from}` },
      receipt: "APPLIED",
      completed: null,
      events: [],
      out: [],
    },
  ],
  epoch,
});

function filterAll(log: ShardLogBatch[]) {
  const f = createFenceFilter();
  return log.map((r) => f.admit(r));
}

describe("the fence rule", () => {
  test("a late record of an older epoch after a newer fence does not count; fences never do", () => {
    const log = [fence(1, 0, 0), rec(1, 1), rec(1, 2), fence(2, 1, 3), rec(1, 3), rec(2, 4)];
    expect(filterAll(log)).toEqual([false, true, true, false, false, true]);
    // A late record that landed before the new fence counts (it precedes the fence).
    expect(filterAll([fence(1, 0, 0), rec(1, 1), rec(1, 2), fence(2, 1, 2)])).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  test("a fence that does not raise the epoch (a losing racer's) changes nothing", () => {
    const log = [fence(1, 0, 0), fence(3, 1, 1), fence(2, 1, 1), rec(3, 1), rec(2, 2)];
    expect(filterAll(log)).toEqual([false, false, false, true, false]);
  });

  test("a log from before fencing (no epochs) counts whole", () => {
    const old = rec(undefined, 1);
    expect(filterAll([old, old])).toEqual([true, true]);
  });

  test("fenceEpochAt reads back to the newest fence and is what a filter from 0 holds", async () => {
    const log = [
      fence(1, 0, 0),
      rec(1, 1),
      rec(1, 2),
      fence(3, 1, 3), // a racer that won
      rec(3, 3),
      fence(2, 1, 3), // the loser: replayed to 3 too, its fence after the winner's
      rec(3, 4),
      rec(3, 5),
      rec(2, 6), // a stale record
      rec(3, 7),
    ];
    const read = async (from: number, max: number) =>
      log.slice(from, from + max).map((record, i) => ({ offset: from + i, record }));
    for (let at = 0; at <= log.length; at++) {
      const f = createFenceFilter();
      for (const r of log.slice(0, at)) f.admit(r);
      expect(await fenceEpochAt(read, at, 2)).toBe(f.epoch);
    }
  });
});
