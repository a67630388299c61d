import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { withdrawals } from "../schema/index.ts";
import { appendLedgerEntry } from "./ledger.ts";
import type { Withdrawal } from "./payments.ts";

export interface ClaimOptions {
  limit: number;
  now: number;
  /** The claim lasts (and the next one waits) min(maxBackoffMs, baseBackoffMs × 2^attempts). */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

/**
 * The withdrawal's way from intent to reservation (docs/money.md#where-money-leaves): REQUESTED before the engine is asked,
 * then RESERVED with its ledger debit once the engine has taken the money, or REJECTED when it
 * refused. Every transition is conditional on the current status, so two finishers (the request and
 * a sweeper, or two sweepers) change a row once.
 */
export function createWithdrawalsRepo(db: Db) {
  async function current(id: string): Promise<Withdrawal> {
    const [row] = await db.select().from(withdrawals).where(eq(withdrawals.id, id));
    if (!row) throw new Error(`withdrawal ${id} missing`);
    return row;
  }

  return {
    /** The intent, in its own transaction, before any DEBIT is sent. No ledger entry, no money moved. */
    async request(input: {
      id: string;
      userId: string;
      amountPaise: number;
      now: number;
      sweepAfter: number;
    }): Promise<Withdrawal> {
      const [row] = await db
        .insert(withdrawals)
        .values({
          id: input.id,
          userId: input.userId,
          amountPaise: input.amountPaise,
          status: "REQUESTED",
          nextAttemptAt: input.sweepAfter,
          createdAt: input.now,
          updatedAt: input.now,
        })
        .returning();
      if (!row) throw new Error("withdrawal insert returned nothing");
      return row;
    },

    /**
     * The engine applied DEBIT `wd:<id>` (OK or DUPLICATE): → RESERVED with the ledger debit, once.
     * A REJECTED row moves too: the engine's word on its own money wins over an earlier refusal.
     * `applied: false` means another finisher got there first; `withdrawal` is the row as it is.
     */
    async reserve(id: string, now: number): Promise<{ applied: boolean; withdrawal: Withdrawal }> {
      const done = await db.transaction(async (tx) => {
        const [row] = await tx
          .update(withdrawals)
          .set({ status: "RESERVED", failureReason: null, lastError: null, updatedAt: now })
          .where(and(eq(withdrawals.id, id), inArray(withdrawals.status, ["REQUESTED", "REJECTED"])))
          .returning();
        if (!row) return null;
        await appendLedgerEntry(tx, {
          userId: row.userId,
          kind: "WITHDRAWAL",
          amountPaise: -row.amountPaise,
          reference: `wd:${row.id}`,
          description: "Withdrawal",
          now,
        });
        return row;
      });
      return done ? { applied: true, withdrawal: done } : { applied: false, withdrawal: await current(id) };
    },

    /** The engine refused the DEBIT: REQUESTED → REJECTED, no ledger entry. */
    async reject(
      id: string,
      reason: string,
      now: number,
    ): Promise<{ applied: boolean; withdrawal: Withdrawal }> {
      const [row] = await db
        .update(withdrawals)
        .set({ status: "REJECTED", failureReason: reason, updatedAt: now })
        .where(and(eq(withdrawals.id, id), eq(withdrawals.status, "REQUESTED")))
        .returning();
      return row ? { applied: true, withdrawal: row } : { applied: false, withdrawal: await current(id) };
    },

    /** Why the last DEBIT of a still-REQUESTED row went unanswered. */
    async noteUnanswered(id: string, error: string): Promise<void> {
      await db
        .update(withdrawals)
        .set({ lastError: error.slice(0, 500) })
        .where(and(eq(withdrawals.id, id), eq(withdrawals.status, "REQUESTED")));
    },

    /**
     * Claims due REQUESTED rows for one sweep: `FOR UPDATE SKIP LOCKED` keeps concurrent sweepers
     * (N API replicas) on disjoint rows, and pushing `next_attempt_at` out is both the claim's lease
     * and the backoff before the next try.
     */
    async claimDue(o: ClaimOptions): Promise<Withdrawal[]> {
      const due = db
        .select({ id: withdrawals.id })
        .from(withdrawals)
        .where(and(eq(withdrawals.status, "REQUESTED"), lte(withdrawals.nextAttemptAt, o.now)))
        .orderBy(asc(withdrawals.nextAttemptAt))
        .limit(o.limit)
        .for("update", { skipLocked: true });
      return db
        .update(withdrawals)
        .set({
          attempts: sql`${withdrawals.attempts} + 1`,
          nextAttemptAt: sql`${o.now}::bigint + least(${o.maxBackoffMs}::bigint, ${o.baseBackoffMs}::bigint * power(2, least(${withdrawals.attempts}, 16))::bigint)`,
        })
        .where(and(inArray(withdrawals.id, due), eq(withdrawals.status, "REQUESTED")))
        .returning();
    },
  };
}
export type WithdrawalsRepo = ReturnType<typeof createWithdrawalsRepo>;
