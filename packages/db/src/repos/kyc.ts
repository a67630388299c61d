import { and, asc, desc, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { auditLog, kycRequests } from "../schema/index.ts";

export type KycRequest = typeof kycRequests.$inferSelect;
export type KycDecision = "VERIFIED" | "REJECTED";

export function createKycRepo(db: Db) {
  return {
    /** Null when the user already has a PENDING or VERIFIED request (one live request per user). */
    async submit(input: {
      userId: string;
      pan: string;
      name: string;
      bankAccount: string;
      ifsc: string;
      now: number;
    }): Promise<KycRequest | null> {
      const [row] = await db
        .insert(kycRequests)
        .values({ ...input, status: "PENDING", createdAt: input.now })
        .onConflictDoNothing()
        .returning();
      return row ?? null;
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

    /** PENDING → decision plus an audit row, in one transaction; null if not found or already decided. */
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
          .where(and(eq(kycRequests.id, input.id), eq(kycRequests.status, "PENDING")))
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
