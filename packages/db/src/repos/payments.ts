import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { deposits, withdrawals } from "../schema/index.ts";
import { appendLedgerEntry, creditWallet } from "./ledger.ts";
import { lockReferee, rewardReferral } from "./referral-reward.ts";

export type Deposit = typeof deposits.$inferSelect;
export type Withdrawal = typeof withdrawals.$inferSelect;

export function createPaymentsRepo(db: Db) {
  return {
    async createDeposit(input: {
      userId: string;
      amountPaise: number;
      gateway: string;
      now: number;
    }): Promise<Deposit> {
      const [row] = await db
        .insert(deposits)
        .values({ ...input, status: "PENDING", createdAt: input.now, updatedAt: input.now })
        .returning();
      if (!row) throw new Error("deposit insert returned nothing");
      return row;
    },

    async findDeposit(id: string): Promise<Deposit | undefined> {
      const [row] = await db.select().from(deposits).where(eq(deposits.id, id));
      return row;
    },

    /**
     * PENDING → CONFIRMED with the ledger credit and the outbox CREDIT, in one transaction. A second
     * confirmation (replayed webhook) finds the row no longer PENDING and changes nothing. A deposit of
     * at least `referralMinDepositPaise` is the depositor's qualifying deposit: it releases their
     * referrer's reward, once.
     */
    async confirmDeposit(
      id: string,
      gatewayRef: string,
      now: number,
      options: { referralMinDepositPaise: number },
    ): Promise<{ applied: boolean; deposit?: Deposit }> {
      return db.transaction(async (tx) => {
        const [dep] = await tx
          .update(deposits)
          .set({ status: "CONFIRMED", gatewayRef, updatedAt: now })
          .where(and(eq(deposits.id, id), eq(deposits.status, "PENDING")))
          .returning();
        if (!dep) {
          const [current] = await tx.select().from(deposits).where(eq(deposits.id, id));
          return { applied: false, deposit: current };
        }
        await creditWallet(tx, {
          userId: dep.userId,
          kind: "DEPOSIT",
          amountPaise: dep.amountPaise,
          reference: `dep:${dep.id}`,
          description: `Deposit via ${dep.gateway}`,
          now,
        });
        if (dep.amountPaise >= options.referralMinDepositPaise) {
          await lockReferee(tx, dep.userId);
          await rewardReferral(tx, dep.userId, now);
        }
        return { applied: true, deposit: dep };
      });
    },

    async failDeposit(id: string, gatewayRef: string, now: number): Promise<boolean> {
      const rows = await db
        .update(deposits)
        .set({ status: "FAILED", gatewayRef, updatedAt: now })
        .where(and(eq(deposits.id, id), eq(deposits.status, "PENDING")))
        .returning({ id: deposits.id });
      return rows.length > 0;
    },

    /** Records a withdrawal the engine has already reserved (DEBIT ref `wd:<id>`), with its ledger debit. */
    async recordWithdrawal(input: {
      id: string;
      userId: string;
      amountPaise: number;
      now: number;
    }): Promise<Withdrawal> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(withdrawals)
          .values({ ...input, status: "RESERVED", createdAt: input.now, updatedAt: input.now })
          .returning();
        if (!row) throw new Error("withdrawal insert returned nothing");
        await appendLedgerEntry(tx, {
          userId: input.userId,
          kind: "WITHDRAWAL",
          amountPaise: -input.amountPaise,
          reference: `wd:${input.id}`,
          description: "Withdrawal",
          now: input.now,
        });
        return row;
      });
    },

    async markWithdrawalPaid(id: string, payoutRef: string, now: number): Promise<boolean> {
      const rows = await db
        .update(withdrawals)
        .set({ status: "PAID", payoutRef, updatedAt: now })
        .where(and(eq(withdrawals.id, id), eq(withdrawals.status, "RESERVED")))
        .returning({ id: withdrawals.id });
      return rows.length > 0;
    },

    /** Failed payout: RESERVED → REFUNDED, ledger refund and an outbox CREDIT REFUND, once. */
    async refundWithdrawal(id: string, reason: string, now: number): Promise<boolean> {
      return db.transaction(async (tx) => {
        const [wd] = await tx
          .update(withdrawals)
          .set({ status: "REFUNDED", failureReason: reason, updatedAt: now })
          .where(and(eq(withdrawals.id, id), eq(withdrawals.status, "RESERVED")))
          .returning();
        if (!wd) return false;
        await creditWallet(tx, {
          userId: wd.userId,
          kind: "REFUND",
          amountPaise: wd.amountPaise,
          reference: `wd-refund:${wd.id}`,
          description: `Withdrawal refund: ${reason}`,
          now,
        });
        return true;
      });
    },

    async depositsOf(userId: string, limit = 50): Promise<Deposit[]> {
      return db
        .select()
        .from(deposits)
        .where(eq(deposits.userId, userId))
        .orderBy(desc(deposits.createdAt))
        .limit(limit);
    },

    async findWithdrawal(id: string): Promise<Withdrawal | undefined> {
      const [row] = await db.select().from(withdrawals).where(eq(withdrawals.id, id));
      return row;
    },

    async withdrawalsOf(userId: string, limit = 50): Promise<Withdrawal[]> {
      return db
        .select()
        .from(withdrawals)
        .where(eq(withdrawals.userId, userId))
        .orderBy(desc(withdrawals.createdAt))
        .limit(limit);
    },
  };
}
export type PaymentsRepo = ReturnType<typeof createPaymentsRepo>;
