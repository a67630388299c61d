import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogRecord } from "@ox/contracts/pipeline";
import { consumerOffsets, orders } from "@ox/db";
import { type Command, createEngine } from "@ox/engine";
import {
  copyOrigin,
  dumpProjections,
  freshDb,
  type Origin,
  quiet,
  seedOrigin,
  tempJournal,
  userAt,
} from "@ox/persister/testing";
import { createPersister } from "./persister.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "ox-persister-coalesce-"));
  dirs.push(d);
  return d;
};

type Omit2<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Two batches of records. The second one fills an order of the first five times, amends it and
 * cancels it (the update path: one row of an earlier batch, many events), and does the same to an
 * order it accepts itself (the insert path), in two markets.
 */
function scenario(origin: Origin) {
  const engine = createEngine();
  const [a, b, c] = [userAt(origin, 0), userAt(origin, 1), userAt(origin, 2)];
  let ts = 5_000;
  const records: LogRecord[] = [];
  const run = (cmd: Omit2<Command, "ts">) => {
    const command = { ...cmd, ts: ts++ } as Command;
    const result = engine.apply(command);
    records.push({ envelopeId: crypto.randomUUID(), command, code: result.code, events: result.events });
    expect(result.code).toBe("OK");
    return result;
  };
  const buy = (
    orderId: string,
    userId: string,
    marketId: string,
    outcome: "YES" | "NO",
    price: number,
    qty: number,
  ) =>
    run({
      type: "PLACE_ORDER",
      orderId,
      userId,
      marketId,
      outcome,
      side: "BUY",
      orderType: "LIMIT",
      pricePaise: price,
      qty,
    });
  for (const cmd of origin.outboxCommands) run(cmd as Omit2<Command, "ts">);
  run({ type: "CREATE_MARKET", marketId: "m1" });
  run({ type: "CREATE_MARKET", marketId: "m2", makerFeeBps: 25, takerFeeBps: 50 });
  buy("x1", a, "m1", "YES", 400, 10);
  const first = records.length;
  // Each NO bid at 600 meets the YES bid at 400: a mint of one pair, a fill of x1.
  for (let i = 0; i < 3; i++) buy(`f${i}`, b, "m1", "NO", 600, 1);
  run({ type: "AMEND_ORDER", userId: a, orderId: "x1", pricePaise: 450, remainingQty: 5 });
  buy("f3", c, "m1", "NO", 550, 2);
  run({ type: "CANCEL_ORDER", userId: a, orderId: "x1" });
  buy("y1", a, "m2", "YES", 450, 8);
  buy("g1", b, "m2", "NO", 550, 2);
  run({ type: "AMEND_ORDER", userId: a, orderId: "y1", pricePaise: 500 });
  buy("g2", c, "m2", "NO", 500, 3);
  run({ type: "CANCEL_ORDER", userId: a, orderId: "y1" });
  return { engine, first: records.slice(0, first), second: records.slice(first), all: records };
}

/** Every record its own transaction: nothing coalesced. */
async function reference(
  kind: "pglite" | "postgres",
  origin: Origin,
  source: Parameters<typeof copyOrigin>[0],
) {
  const db = await freshDb(kind);
  await copyOrigin(source, db.db);
  const log = await tempJournal(tempDir());
  await log.append(scenario(origin).all);
  await createPersister({ log, db: db.db, logger: quiet, batchSize: 1 }).catchUp();
  const dump = await dumpProjections(db.db);
  await log.close();
  await db.close();
  return dump;
}

describe.each(["pglite", "postgres"] as const)("persister on %s: coalescing within a batch", (kind) => {
  test("an order filled, amended and cancelled in one batch ends in its final state, as record by record", async () => {
    const db = await freshDb(kind);
    const log = await tempJournal(tempDir());
    try {
      const origin = await seedOrigin(db.db, 3);
      const expected = await reference(kind, origin, db.db);
      const { first, second } = scenario(origin);
      const persister = createPersister({ log, db: db.db, logger: quiet, batchSize: 1_000 });
      await log.append(first);
      await persister.runOnce();
      await log.append(second);
      const batch = await persister.runOnce();
      // The whole second half in one transaction: begin, offset lock, planner settings, wallet
      // lock, the write, commit.
      expect(batch).toMatchObject({ records: second.length, statements: 6 });

      const rows = new Map((await db.db.select().from(orders)).map((r) => [r.id, r]));
      const closeSeq = (id: string) =>
        second.flatMap((r) => r.events).find((e) => e.type === "ORDER_CLOSED" && e.orderId === id)?.seq;
      expect(rows.get("x1")).toMatchObject({
        status: "CANCELLED",
        pricePaise: 450,
        filledQty: 5,
        filledValuePaise: 3 * 400 + 2 * 450,
        lastSeq: closeSeq("x1"),
      });
      expect(rows.get("y1")).toMatchObject({
        status: "CANCELLED",
        pricePaise: 500,
        filledQty: 5,
        lastSeq: closeSeq("y1"),
      });
      expect(await dumpProjections(db.db)).toEqual(expected);
    } finally {
      await log.close();
      await db.close();
    }
  }, 300_000);

  test("a failure after the batch's statement and before its commit leaves nothing; the retry writes it all", async () => {
    const db = await freshDb(kind);
    const log = await tempJournal(tempDir());
    try {
      const origin = await seedOrigin(db.db, 3);
      const expected = await reference(kind, origin, db.db);
      const { first, second } = scenario(origin);
      let fail = false;
      const persister = createPersister({
        log,
        db: db.db,
        logger: quiet,
        batchSize: 1_000,
        beforeCommit: () => {
          if (fail) throw new Error("crash before the commit");
        },
      });
      await log.append(first);
      await persister.runOnce();
      const afterFirst = await dumpProjections(db.db);
      await log.append(second);
      fail = true;
      await expect(persister.runOnce()).rejects.toThrow("crash before the commit");
      expect(await dumpProjections(db.db)).toEqual(afterFirst);
      fail = false;
      expect(await persister.runOnce()).toMatchObject({ records: second.length });
      expect(await dumpProjections(db.db)).toEqual(expected);
    } finally {
      await log.close();
      await db.close();
    }
  }, 300_000);

  test("two logs (one per shard: markets split) into one database, concurrently: each its own offset, the same rows", async () => {
    const db = await freshDb(kind);
    const logs = [await tempJournal(tempDir()), await tempJournal(tempDir())] as const;
    try {
      const origin = await seedOrigin(db.db, 3);
      const expected = await reference(kind, origin, db.db);
      const { all } = scenario(origin);
      const marketOf = (r: LogRecord) => {
        const m = (r.command as { marketId?: string }).marketId;
        if (m) return m;
        for (const e of r.events) if ("marketId" in e) return e.marketId as string;
        return null;
      };
      await logs[0].append(all.filter((r) => marketOf(r) !== "m2"));
      await logs[1].append(all.filter((r) => marketOf(r) === "m2"));
      const persisters = logs.map((log, i) =>
        createPersister({ log, db: db.db, logger: quiet, batchSize: 3, name: `persister:shard${i}:0` }),
      );
      await Promise.all(persisters.map((p) => p.catchUp()));

      const offsets = (await db.db.select().from(consumerOffsets)).map((r) => [r.name, r.offset]).sort();
      expect(offsets).toEqual([
        ["persister:shard0:0", await logs[0].endOffset()],
        ["persister:shard1:0", await logs[1].endOffset()],
      ]);
      // Each user's entries interleave in commit order, so the running balances may differ; the
      // entries themselves and every wallet's final balance may not.
      const withoutRunning = (d: Awaited<ReturnType<typeof dumpProjections>>) => ({
        ...d,
        ledger: d.ledger.map(({ balanceAfterPaise: _b, ...e }) => e),
        offsets: [],
      });
      expect(withoutRunning(await dumpProjections(db.db))).toEqual(withoutRunning(expected));
    } finally {
      for (const log of logs) await log.close();
      await db.close();
    }
  }, 300_000);
});
