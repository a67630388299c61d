import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogRecord } from "@ox/contracts/pipeline";
import { orders } from "@ox/db";
import { type Command, createEngine } from "@ox/engine";
import { freshDb, quiet, seedOrigin, tempJournal, userAt } from "@ox/persister/testing";
import { createPersister } from "./persister.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * ORDER_AMENDED in Postgres: an order row's price, quantity (filled + remaining) and locks follow
 * every amend, whether the amend lands in the batch that accepted the order or in a later one, and
 * fills the amend makes (a price that crosses) are counted like any other.
 */
describe.each(["pglite", "postgres"] as const)("persister on %s: amends", (kind) => {
  test("the order row follows amends: price, remaining, locks, and fills an amend makes", async () => {
    const db = await freshDb(kind);
    const dir = mkdtempSync(join(tmpdir(), "ox-persister-amend-"));
    dirs.push(dir);
    const log = await tempJournal(dir);
    try {
      const origin = await seedOrigin(db.db, 2);
      const [a, b] = [userAt(origin, 0), userAt(origin, 1)];
      const engine = createEngine();
      let ts = 5_000;
      let batch: LogRecord[] = [];
      type Omit2<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
      const run = (c: Omit2<Command, "ts">) => {
        const command = { ...c, ts: ts++ } as Command;
        const result = engine.apply(command);
        batch.push({ envelopeId: crypto.randomUUID(), command, code: result.code, events: result.events });
        return result;
      };
      const persister = createPersister({ log, db: db.db, logger: quiet, batchSize: 50 });
      const flush = async () => {
        await log.append(batch);
        batch = [];
        await persister.catchUp();
      };
      for (const c of origin.outboxCommands) run(c as Omit2<Command, "ts">);
      run({ type: "CREATE_MARKET", marketId: "m1" });
      const limit = (id: string, userId: string, outcome: "YES" | "NO", price: number, qty: number) =>
        run({
          type: "PLACE_ORDER",
          orderId: id,
          userId,
          marketId: "m1",
          outcome,
          side: "BUY",
          orderType: "LIMIT",
          pricePaise: price,
          qty,
        });
      const amend = (orderId: string, change: { pricePaise?: number; remainingQty?: number }) =>
        run({ type: "AMEND_ORDER", userId: a, orderId, ...change });
      // Accepted and amended in one batch (the new row already carries the amend).
      expect(limit("x1", a, "YES", 400, 10).code).toBe("OK");
      expect(amend("x1", { pricePaise: 450, remainingQty: 8 }).code).toBe("OK");
      expect(limit("x2", a, "YES", 300, 5).code).toBe("OK");
      await flush();
      // Amended in later batches: a decrease, then a price that crosses b's ask and trades 3.
      expect(amend("x2", { remainingQty: 2 }).code).toBe("OK");
      await flush();
      expect(limit("y1", b, "NO", 500, 3).code).toBe("OK"); // ask at YES 500
      const crossed = amend("x2", { pricePaise: 550, remainingQty: 6 });
      expect(crossed.order).toMatchObject({ filledQty: 3, remainingQty: 3, qty: 6 });
      await flush();

      const rows = new Map((await db.db.select().from(orders)).map((r) => [r.id, r]));
      for (const id of ["x1", "x2"]) {
        const view = engine.order(id);
        const row = rows.get(id);
        expect(view).toBeDefined();
        expect({
          price: row?.pricePaise,
          qty: row?.qty,
          filled: row?.filledQty,
          remaining: ((row?.qty ?? 0) - (row?.filledQty ?? 0)) as number | undefined,
          status: row?.status,
        }).toEqual({
          price: view?.pricePaise,
          qty: view?.qty,
          filled: view?.filledQty,
          remaining: view?.remainingQty,
          status: "OPEN",
        });
      }
      expect(rows.get("x1")).toMatchObject({ pricePaise: 450, qty: 8, lockedPaise: 8 * 450 });
      expect(rows.get("x2")).toMatchObject({ pricePaise: 550, qty: 6, filledQty: 3, lockedPaise: 6 * 550 });
      expect(rows.get("y1")).toMatchObject({ status: "FILLED", filledQty: 3 });
    } finally {
      await log.close();
      await db.close();
    }
  }, 60_000);
});
