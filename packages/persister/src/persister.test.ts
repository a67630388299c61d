import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { engineTransfers, ledgerEntries, outbox, wallets } from "@ox/db";
import { reconcile, replayLog } from "@ox/engine-client";
import {
  copyOrigin,
  dumpProjections,
  freshDb,
  quiet,
  runWorkload,
  seedOrigin,
  tempJournal,
  userAt,
} from "@ox/persister/testing";
import { asc, inArray, sql } from "drizzle-orm";
import { createPersister } from "./persister.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "ox-persister-"));
  dirs.push(d);
  return d;
};

describe.each(["pglite", "postgres"] as const)("persister on %s", (kind) => {
  test("live persisting while the engine runs equals a from-scratch rebuild, and reconciles", async () => {
    const live = await freshDb(kind);
    const rebuilt = await freshDb(kind);
    const log = await tempJournal(tempDir());
    try {
      const origin = await seedOrigin(live.db, 6);
      await copyOrigin(live.db, rebuilt.db);
      const persister = createPersister({ log, db: live.db, logger: quiet, batchSize: 7 });
      const engine = await runWorkload({
        origin,
        log,
        orders: 400,
        onBatch: async () => void (await persister.runOnce()),
      });
      await persister.catchUp();
      const end = await log.endOffset();

      const report = await reconcile({ db: live.db, engine: engine });
      expect(report.differences).toEqual([]);
      expect(report).toMatchObject({ ok: true, offset: end, users: 6 });

      const t0 = performance.now();
      const rebuild = createPersister({ log, db: rebuilt.db, logger: quiet, batchSize: 1_000 });
      await rebuild.catchUp();
      const rebuildMs = performance.now() - t0;
      const a = await dumpProjections(live.db);
      const b = await dumpProjections(rebuilt.db);
      expect(b).toEqual(a);
      expect(a.trades.length).toBeGreaterThan(50);
      expect(new Set(a.trades.map((t) => t.kind))).toEqual(new Set(["TRANSFER", "MINT", "MERGE"]));
      expect(a.orders.some((o) => o.status === "REJECTED")).toBe(true);
      expect(a.payouts.length).toBeGreaterThan(0);
      console.log(
        `[persister:${kind}] ${end} records, ${a.trades.length} trades; rebuild ${Math.round(rebuildMs)} ms`,
      );

      // Money that started in Postgres is in the ledger once: outbox credits and the API's withdrawal.
      const refs = (await live.db.select({ id: outbox.id }).from(outbox)).map((r) => r.id);
      const viaEngine = await live.db
        .select()
        .from(engineTransfers)
        .where(inArray(engineTransfers.ref, refs));
      expect(viaEngine.length).toBe(12);
      const kinds = await live.db.execute(
        sql`select kind, count(*)::int as n from ${ledgerEntries} group by kind order by kind`,
      );
      const byKind = Object.fromEntries(
        (kinds as unknown as { rows: Array<{ kind: string; n: number }> }).rows.map((r) => [r.kind, r.n]),
      );
      expect(byKind).toMatchObject({ BONUS: 6, DEPOSIT: 6, WITHDRAWAL: 1, ADJUSTMENT: 1 });

      // Running balances: by id, each user's entries chain from 0 to the wallet's balance.
      for (const db of [live.db, rebuilt.db]) {
        const running = new Map<string, number>();
        for (const e of await db.select().from(ledgerEntries).orderBy(asc(ledgerEntries.id))) {
          const after = (running.get(e.userId) ?? 0) + e.amountPaise;
          expect({ ref: e.reference, after: e.balanceAfterPaise }).toEqual({ ref: e.reference, after });
          running.set(e.userId, after);
        }
        for (const w of await db.select().from(wallets))
          expect(running.get(w.userId) ?? 0).toBe(w.balancePaise);
      }

      // The replayed log is the same engine.
      const replayed = await replayLog(log, end);
      expect(replayed.divergedAt).toBeNull();
      expect((await reconcile({ db: rebuilt.db, engine: replayed.engine })).ok).toBe(true);
    } finally {
      await log.close();
      await live.close();
      await rebuilt.close();
    }
  }, 180_000);

  test("a second run and a concurrent twin change nothing; reconcile catches an injected difference", async () => {
    const handle = await freshDb(kind);
    const log = await tempJournal(tempDir());
    try {
      const origin = await seedOrigin(handle.db, 4);
      const engine = await runWorkload({ origin, log, orders: 200, seed: 3 });
      const p1 = createPersister({ log, db: handle.db, logger: quiet, batchSize: 13 });
      const p2 = createPersister({ log, db: handle.db, logger: quiet, batchSize: 13 });
      await Promise.all([p1.catchUp(), p2.catchUp()]);
      const once = await dumpProjections(handle.db);
      expect(await p1.runOnce()).toBeNull();
      expect(await dumpProjections(handle.db)).toEqual(once);
      expect((await reconcile({ db: handle.db, engine })).ok).toBe(true);

      const victim = userAt(origin, 2);
      await handle.db.execute(
        sql`update engine_balances set available_paise = available_paise + 1 where user_id = ${victim}`,
      );
      const report = await reconcile({ db: handle.db, engine });
      expect(report.ok).toBe(false);
      expect(report.differences).toContainEqual(
        expect.objectContaining({ userId: victim, what: "availablePaise" }),
      );
      expect(report.conservation.postgres).toBe(false);
    } finally {
      await log.close();
      await handle.close();
    }
  }, 180_000);
});

describe.each(["pglite", "postgres"] as const)("persister on %s: batches that grow under lag", (kind) => {
  test("behind the log, batches double up to maxBatchSize and shrink once caught up; every record once", async () => {
    const live = await freshDb(kind);
    const reference = await freshDb(kind);
    const log = await tempJournal(tempDir());
    try {
      const origin = await seedOrigin(live.db, 5);
      await copyOrigin(live.db, reference.db);
      // The whole session in the log before the persister starts: it is behind by all of it.
      const engine = await runWorkload({ origin, log, orders: 300, seed: 11 });
      const end = await log.endOffset();
      const persister = createPersister({ log, db: live.db, logger: quiet, batchSize: 8, maxBatchSize: 50 });
      const sizes: number[] = [];
      for (let r = await persister.runOnce(); r; r = await persister.runOnce()) sizes.push(r.records);
      const tail = end - (8 + 16 + 32);
      expect(sizes.slice(0, 4)).toEqual([8, 16, 32, 50]);
      expect(sizes.slice(3).every((n) => n === 50 || n === sizes[sizes.length - 1])).toBe(true);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(end);
      expect(sizes.length).toBe(3 + Math.ceil(tail / 50));
      expect(persister.status()).toMatchObject({ offset: end, records: end });

      // Caught up: the next records go in a batch of batchSize again, not 50.
      const more = Array.from({ length: 20 }, (_, i) => {
        const command = {
          type: "CREDIT",
          userId: userAt(origin, i % 5),
          amountPaise: 100 + i,
          ref: `late-credit-${i}`,
          kind: "ADJUSTMENT",
          ts: 9_000_000 + i,
        } as const;
        const result = engine.apply(command);
        return { envelopeId: `late-${i}`, command, code: result.code, events: result.events };
      });
      await log.append(more);
      expect((await persister.runOnce())?.records).toBe(8);

      // The same rows as record by record, and the engine's state (nothing lost, nothing twice).
      await persister.catchUp();
      await createPersister({ log, db: reference.db, logger: quiet, batchSize: 1 }).catchUp();
      expect(await dumpProjections(live.db)).toEqual(await dumpProjections(reference.db));
      const report = await reconcile({ db: live.db, engine });
      expect(report.differences).toEqual([]);
      expect(report).toMatchObject({ ok: true, offset: await log.endOffset() });
    } finally {
      await log.close();
      await live.close();
      await reference.close();
    }
  }, 180_000);
});
