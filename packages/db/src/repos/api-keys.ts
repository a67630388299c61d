import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../client.ts";
import { type ApiKeyScope, apiKeys, type RateTier, userRateTiers } from "../schema/index.ts";
import { recordAudit } from "./audit.ts";

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function createApiKeysRepo(db: Db) {
  return {
    async create(input: {
      id: string;
      userId: string;
      name: string;
      scopes: ApiKeyScope[];
      allowIps: string[] | null;
      now: number;
    }): Promise<ApiKeyRow> {
      const [row] = await db
        .insert(apiKeys)
        .values({ ...input, createdAt: input.now })
        .returning();
      if (!row) throw new Error("api key insert returned nothing");
      return row;
    },
    get: async (id: string): Promise<ApiKeyRow | null> =>
      (await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1))[0] ?? null,
    /** Newest first, revoked ones included. */
    listByUser: (userId: string): Promise<ApiKeyRow[]> =>
      db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.createdAt)),
    countLive: async (userId: string): Promise<number> =>
      (
        await db
          .select({ id: apiKeys.id })
          .from(apiKeys)
          .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      ).length,
    /** Revokes the user's key; null when it is not theirs. Revoking twice keeps the first time. */
    async revoke(userId: string, id: string, now: number): Promise<ApiKeyRow | null> {
      const [row] = await db
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
        .returning();
      if (row) return row;
      return (
        (
          await db
            .select()
            .from(apiKeys)
            .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)))
        )[0] ?? null
      );
    },
    getTier: async (userId: string): Promise<RateTier> =>
      (await db.select().from(userRateTiers).where(eq(userRateTiers.userId, userId)).limit(1))[0]?.tier ??
      "standard",
    /** Sets the user's tier and records who did, in one transaction. */
    setTier: (input: { userId: string; tier: RateTier; actorId: string; now: number }) =>
      db.transaction(async (tx) => {
        await tx
          .insert(userRateTiers)
          .values({ userId: input.userId, tier: input.tier, setBy: input.actorId, updatedAt: input.now })
          .onConflictDoUpdate({
            target: userRateTiers.userId,
            set: { tier: input.tier, setBy: input.actorId, updatedAt: input.now },
          });
        await recordAudit(tx, {
          actorId: input.actorId,
          action: "RATE_TIER_SET",
          targetType: "user",
          targetId: input.userId,
          data: { tier: input.tier },
          now: input.now,
        });
      }),
  };
}
export type ApiKeysRepo = ReturnType<typeof createApiKeysRepo>;
