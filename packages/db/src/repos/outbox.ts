import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { outbox } from "../schema/index.ts";
import type { OutboxCommand } from "./ledger.ts";

export interface OutboxRow {
  id: string;
  seq: number;
  command: OutboxCommand;
  attempts: number;
  createdAt: number;
}

// Any constant; one relay at a time across all API replicas keeps CREATE_USER before its CREDIT.
const RELAY_LOCK_KEY = 0x6f78_6f62;

export function createOutboxRepo(db: Db) {
  return {
    /**
     * Runs `deliver` over pending rows in seq order while holding the relay lock. Rows delivered
     * before the first failure are marked SENT; the failed row gets a retry time, and the rest wait
     * so per-user order is kept. Returns null if another relay holds the lock.
     */
    async relayBatch(
      limit: number,
      now: number,
      deliver: (row: OutboxRow) => Promise<void>,
      retryAt: (attempts: number) => number,
    ): Promise<{ sent: number; failed: boolean } | null> {
      return db.transaction(async (tx) => {
        const lock = await tx.execute(sql`select pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) as ok`);
        const locked = (lock as unknown as { rows: { ok: boolean }[] }).rows[0]?.ok;
        if (!locked) return null;
        const rows = await tx
          .select()
          .from(outbox)
          .where(eq(outbox.status, "PENDING"))
          .orderBy(asc(outbox.seq))
          .limit(limit);
        let sent = 0;
        for (const row of rows) {
          if (row.nextAttemptAt > now) break; // backing off; later rows wait to keep order
          try {
            await deliver({
              id: row.id,
              seq: row.seq,
              command: row.command as OutboxCommand,
              attempts: row.attempts,
              createdAt: row.createdAt,
            });
          } catch (err) {
            const attempts = row.attempts + 1;
            await tx
              .update(outbox)
              .set({
                attempts,
                lastError: String((err as Error)?.message ?? err),
                nextAttemptAt: retryAt(attempts),
              })
              .where(eq(outbox.seq, row.seq));
            return { sent, failed: true };
          }
          await tx
            .update(outbox)
            .set({ status: "SENT", sentAt: now, attempts: row.attempts + 1, lastError: null })
            .where(eq(outbox.seq, row.seq));
          sent++;
        }
        return { sent, failed: false };
      });
    },

    async pendingCount(): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(outbox)
        .where(eq(outbox.status, "PENDING"));
      return Number(row?.n ?? 0);
    },

    async forUser(userId: string) {
      return db.select().from(outbox).where(eq(outbox.userId, userId)).orderBy(asc(outbox.seq));
    },
  };
}
export type OutboxRepo = ReturnType<typeof createOutboxRepo>;
