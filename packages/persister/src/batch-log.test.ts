/**
 * The single engine's log with LogBatch records (one per group commit), after per-command records
 * written before the switch: persisted, it must give exactly the rows of the same commands logged
 * one record each (nothing lost, nothing twice), across restarts and a twin persister.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventLog } from "@ox/bus";
import type { LogBatch, LoggedRecord, LogRecord } from "@ox/contracts/pipeline";
import { reconcile, replayLog } from "@ox/engine-client";
import {
  copyOrigin,
  dumpProjections,
  freshDb,
  quiet,
  runWorkload,
  seedOrigin,
  tempJournal,
} from "@ox/persister/testing";
import { batchAsRecord, batchLogView } from "./batch-log.ts";
import { createPersister } from "./persister.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "ox-batch-log-"));
  dirs.push(d);
  return d;
};

/** Appends the first `perCommandAppends` appends as they come, every later one as one LogBatch. */
function batchingAfter(log: EventLog<LoggedRecord>, perCommandAppends: number): EventLog<LogRecord> {
  let appends = 0;
  return {
    ...log,
    append: (records) =>
      log.append(appends++ < perCommandAppends ? records : [{ batch: records as LogRecord[] }]),
    read: log.read as EventLog<LogRecord>["read"],
  };
}

const withoutOffsets = ({ offsets: _o, ...rest }: Awaited<ReturnType<typeof dumpProjections>>) => rest;

describe.each(["postgres", "pglite"] as const)("LogBatch records on %s", (kind) => {
  test("persist to the rows of one record per command: restarts, a twin, reconcile", async () => {
    const plain = await freshDb(kind);
    const batched = await freshDb(kind);
    const perCommand = await tempJournal(tempDir());
    const mixed = await tempJournal(tempDir());
    try {
      const origin = await seedOrigin(plain.db, 5);
      await copyOrigin(plain.db, batched.db);
      const engine = await runWorkload({ origin, log: perCommand, orders: 300, seed: 5 });
      await runWorkload({ origin, log: batchingAfter(mixed, 3), orders: 300, seed: 5 });
      const end = await mixed.endOffset();
      const commands = await perCommand.endOffset();
      // 3 appends of 25 one record each, then one LogBatch per append of 25.
      expect(end).toBe(75 + Math.ceil((commands - 75) / 25));

      await createPersister({ log: perCommand, db: plain.db, logger: quiet, batchSize: 50 }).catchUp();
      // Small transactions (7 commands: a LogBatch of 25 alone), a restart after every few, and a
      // twin on the same offset row for the rest.
      for (let restart = 0; restart < 4; restart++) {
        const p = createPersister({ log: mixed, db: batched.db, logger: quiet, batchSize: 7 });
        for (let i = 0; i < 3; i++) await p.runOnce();
      }
      const p1 = createPersister({ log: mixed, db: batched.db, logger: quiet, batchSize: 60 });
      const p2 = createPersister({ log: mixed, db: batched.db, logger: quiet, batchSize: 40 });
      await Promise.all([p1.catchUp(), p2.catchUp()]);
      expect(await p1.runOnce()).toBeNull();

      const a = await dumpProjections(plain.db);
      const b = await dumpProjections(batched.db);
      expect(withoutOffsets(b)).toEqual(withoutOffsets(a));
      expect(b.offsets.map((o) => o.offset)).toEqual([end]);
      expect(a.trades.length).toBeGreaterThan(30);
      expect(a.orders.some((o) => o.status === "REJECTED")).toBe(true);

      // The same engine from either log; Postgres agrees with it.
      const replayed = await replayLog(mixed, end, { strict: true });
      expect(replayed.divergedAt).toBeNull();
      expect(replayed.records).toBe(end);
      expect(replayed.engine.lastSeq).toBe(engine.lastSeq);
      expect((await reconcile({ db: batched.db, engine: replayed.engine })).ok).toBe(true);
    } finally {
      await perCommand.close();
      await mixed.close();
      await plain.close();
      await batched.close();
    }
  }, 180_000);
});

describe("batchLogView", () => {
  const record = (n: number, rejected = false): LogRecord => ({
    envelopeId: `e${n}`,
    command: { type: "CANCEL_ORDER", userId: "u", orderId: `o${n}`, ts: n },
    code: "OK",
    events: rejected
      ? [
          {
            type: "ORDER_REJECTED",
            seq: n,
            ts: n,
            orderId: `o${n}`,
            userId: "u",
            marketId: "m",
            code: "INSUFFICIENT_FUNDS",
          } as unknown as LogRecord["events"][number],
        ]
      : [],
  });
  const fakeLog = (records: LoggedRecord[]) => {
    const reads: Array<[number, number]> = [];
    const log: EventLog<LoggedRecord> = {
      append: async () => {},
      endOffset: async () => records.length,
      read: async (from, max) => {
        reads.push([from, max]);
        return records.slice(from, from + max).map((record, i) => ({ offset: from + i, record }));
      },
      close: async () => {},
    };
    return { log, reads };
  };

  test("a LogBatch is one record: its events in order, the rejected commands by order id, the batch as JSON", () => {
    const batch: LogBatch = { batch: [record(1, true), record(2), record(3, true)] };
    const one = batchAsRecord(batch);
    expect(one.envelopeId).toBe("e1");
    expect(one.events.map((e) => e.seq)).toEqual([1, 3]);
    expect([...(one.orders?.keys() ?? [])]).toEqual(["o1", "o3"]);
    expect(one.orders?.get("o3")).toEqual(batch.batch[2]?.command as never);
    expect(JSON.parse(JSON.stringify(one))).toEqual(batch); // the quarantine keeps what was logged
    expect(batchAsRecord({ batch: [record(4)] })).toEqual(record(4));
  });

  test("reads about `max` commands, at least one record, and keeps the rest for the next read", async () => {
    const records: LoggedRecord[] = [
      record(0),
      { batch: [record(1), record(2), record(3)] },
      { batch: [record(4), record(5)] },
      record(6),
      { batch: [record(7), record(8), record(9), record(10)] },
    ];
    const { log, reads } = fakeLog(records);
    const view = batchLogView(log);
    const seen: number[] = [];
    const offsets: number[] = [];
    for (let from = 0; from < records.length; ) {
      const got = await view.read(from, 3);
      expect(got.length).toBeGreaterThan(0);
      for (const e of got) {
        offsets.push(e.offset);
        for (const ev of e.record.events) seen.push(ev.seq);
        seen.push(Number(e.record.envelopeId.slice(1)));
      }
      from = (got[got.length - 1]?.offset ?? from) + 1;
    }
    expect(offsets).toEqual([0, 1, 2, 3, 4]); // each record once, in order
    expect(seen).toEqual([0, 1, 4, 6, 7]); // each record's first envelope
    // After a LogBatch, it asks for fewer records (max / commands per record seen).
    expect(reads[0]).toEqual([0, 3]);
    expect(reads.some(([, max]) => max < 3)).toBe(true);
  });
});
