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
