import { and, asc, desc, eq, inArray, ne, type SQL } from "drizzle-orm";
import type { Db } from "../client.ts";
import { auditLog, kycRequests } from "../schema/index.ts";

export type KycRequest = typeof kycRequests.$inferSelect;
export type KycDecision = "VERIFIED" | "REJECTED";
export type KycSubmitResult =
  | { ok: true; request: KycRequest }
  | { ok: false; code: "KYC_EXISTS" | "KYC_PAN_IN_USE" | "KYC_BANK_ACCOUNT_IN_USE" };

export function createKycRepo(db: Db) {
  return {
    /**
     * A new PENDING request, unless the user already has a live (PENDING or VERIFIED) one, or its PAN
     * or bank account (bank code + number) is on another user's live request. Partial unique indexes
     * decide, so of two concurrent submissions of one PAN at most one is accepted.
     */
    async submit(input: {
      userId: string;
      pan: string;
      name: string;
      bankAccount: string;
      ifsc: string;
      now: number;
    }): Promise<KycSubmitResult> {
      const [row] = await db
        .insert(kycRequests)
        .values({ ...input, status: "PENDING", createdAt: input.now })
        .onConflictDoNothing()
        .returning();
      if (row) return { ok: true, request: row };
      // ON CONFLICT waited for the conflicting transaction to commit, so the holder is visible now.
      const live = inArray(kycRequests.status, ["PENDING", "VERIFIED"]);
      const holder = async (match: SQL | undefined) =>
        (await db.select({ id: kycRequests.id }).from(kycRequests).where(and(live, match)).limit(1)).length >
        0;
      if (await holder(eq(kycRequests.userId, input.userId))) return { ok: false, code: "KYC_EXISTS" };
      if (await holder(eq(kycRequests.pan, input.pan))) return { ok: false, code: "KYC_PAN_IN_USE" };
      return { ok: false, code: "KYC_BANK_ACCOUNT_IN_USE" };
    },

    async latestFor(userId: string): Promise<KycRequest | undefined> {
      const [row] = await db
        .select()
        .from(kycRequests)
        .where(eq(kycRequests.userId, userId))
        .orderBy(desc(kycRequests.createdAt), desc(kycRequests.id))
        .limit(1);
      return row;
    },

    async isVerified(userId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: kycRequests.id })
        .from(kycRequests)
        .where(and(eq(kycRequests.userId, userId), eq(kycRequests.status, "VERIFIED")))
        .limit(1);
      return row !== undefined;
    },

    async pending(limit = 100): Promise<KycRequest[]> {
      return db
        .select()
        .from(kycRequests)
        .where(eq(kycRequests.status, "PENDING"))
        .orderBy(asc(kycRequests.createdAt))
        .limit(limit);
    },

    /**
     * PENDING → decision plus an audit row, in one transaction; null if not found, already decided, or
     * the request is the deciding admin's own.
     */
    async decide(input: {
      id: string;
      adminId: string;
      status: KycDecision;
      reason: string | null;
      now: number;
    }): Promise<KycRequest | null> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(kycRequests)
          .set({ status: input.status, reason: input.reason, decidedBy: input.adminId, decidedAt: input.now })
          // Nobody decides their own request (an admin's KYC is decided by another admin).
          .where(
            and(
              eq(kycRequests.id, input.id),
              eq(kycRequests.status, "PENDING"),
              ne(kycRequests.userId, input.adminId),
            ),
          )
          .returning();
        if (!row) return null;
        await tx.insert(auditLog).values({
          actorId: input.adminId,
          action: `KYC_${input.status}`,
          targetType: "kyc_request",
          targetId: row.id,
          data: { userId: row.userId, reason: input.reason },
          createdAt: input.now,
        });
        return row;
      });
    },

    async find(id: string): Promise<KycRequest | undefined> {
      const [row] = await db.select().from(kycRequests).where(eq(kycRequests.id, id));
      return row;
    },

    async auditFor(targetType: string, targetId: string) {
      return db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.targetType, targetType), eq(auditLog.targetId, targetId)))
        .orderBy(asc(auditLog.id));
    },
  };
}
export type KycRepo = ReturnType<typeof createKycRepo>;
