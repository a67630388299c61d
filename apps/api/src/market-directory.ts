import { type Db, markets } from "@ox/db";
import { eq } from "drizzle-orm";

/**
 * Which markets exist, as the API knows them: the Postgres catalogue, which the admin route writes
 * in the same transaction as the engine's CREATE_MARKET outbox row (so the engine never has a market
 * the catalogue lacks). Markets are never deleted, so a known id is cached for good; a miss asks
 * Postgres (another replica may have just created it) and is then remembered for `missTtlMs`, so a
 * flood of orders to one missing id costs one indexed lookup per interval, never an engine command.
 */
export interface MarketDirectory {
  exists(marketId: string): Promise<boolean>;
  /** A market this process just created: tradable at once, before any lookup. */
  add(marketId: string): void;
}

export interface MarketDirectoryOptions {
  db: Db;
  missTtlMs?: number;
  /** Bound on remembered misses (an attacker can invent ids without end). */
  maxMisses?: number;
  now?: () => number;
}

export function createMarketDirectory(options: MarketDirectoryOptions): MarketDirectory {
  const missTtlMs = options.missTtlMs ?? 1_000;
  const maxMisses = options.maxMisses ?? 10_000;
  const now = options.now ?? Date.now;
  const known = new Set<string>();
  const misses = new Map<string, number>();
  return {
    async exists(marketId) {
      if (known.has(marketId)) return true;
      const missedAt = misses.get(marketId);
      if (missedAt !== undefined && now() - missedAt < missTtlMs) return false;
      // The catalogue unreadable (database down): let the engine decide, as before this check.
      const rows = await options.db
        .select({ id: markets.id })
        .from(markets)
        .where(eq(markets.id, marketId))
        .limit(1)
        .catch(() => null);
      if (rows === null) return true;
      const [row] = rows;
      if (row) {
        misses.delete(marketId);
        known.add(marketId);
        return true;
      }
      if (misses.size >= maxMisses) misses.delete(misses.keys().next().value as string);
      misses.delete(marketId);
      misses.set(marketId, now());
      return false;
    },
    add(marketId) {
      misses.delete(marketId);
      known.add(marketId);
    },
  };
}
