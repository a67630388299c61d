import type { Kv } from "@ox/bus";
import type { RateTier } from "@ox/contracts";
import { createApiKeysRepo, type Db } from "@ox/db";

/** How long a replica trusts what it read: a tier change reaches the other replicas within this. */
const LOCAL_TTL_MS = 2_000;
const KV_TTL_MS = 600_000;
const kvKey = (userId: string) => `ratetier:${userId}`;

export interface RateTiers {
  /** The user's tier: this replica's memory (2 s), else the Kv, else Postgres (absent → standard). */
  of(userId: string): Promise<RateTier>;
  set(input: { userId: string; tier: RateTier; actorId: string; now: number }): Promise<void>;
}

/** Tiers live in Postgres (user_rate_tiers, audited); the request path reads them from the Kv. */
export function createRateTiers(deps: { db: Db; kv: Kv; clock: { now(): number } }): RateTiers {
  const repo = createApiKeysRepo(deps.db);
  const local = new Map<string, { tier: RateTier; until: number }>();
  return {
    async of(userId) {
      const now = deps.clock.now();
      const hit = local.get(userId);
      if (hit && hit.until > now) return hit.tier;
      let tier = (await deps.kv.get(kvKey(userId))) as RateTier | null;
      if (!tier) {
        tier = await repo.getTier(userId);
        // Never over an admin's newer write that landed since the read.
        await deps.kv.setIfAbsent(kvKey(userId), tier, KV_TTL_MS);
      }
      if (local.size > 50_000) local.clear();
      local.set(userId, { tier, until: now + LOCAL_TTL_MS });
      return tier;
    },
    async set(input) {
      await repo.setTier(input);
      await deps.kv.set(kvKey(input.userId), input.tier, KV_TTL_MS);
      local.delete(input.userId);
    },
  };
}
