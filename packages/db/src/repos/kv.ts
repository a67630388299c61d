import { and, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { kvEntries } from "../schema/kv.ts";

/**
 * A key-value store with expiry on a table, for embedded mode where there is no Redis. It satisfies
 * the bus's `Kv` port structurally (this package does not import the bus). Every operation is one
 * statement, so concurrent callers cannot interleave inside it; expired rows read as absent and are
 * swept periodically.
 */
export interface SqlKvOptions {
  nowMs?: () => number;
  sweepEveryMs?: number;
}

export function createSqlKv(db: Db, options: SqlKvOptions = {}) {
  const nowMs = options.nowMs ?? Date.now;
  const expiry = (ttlMs?: number) => (ttlMs === undefined ? null : nowMs() + ttlMs);
  const live = () => or(isNull(kvEntries.expiresAt), gt(kvEntries.expiresAt, nowMs()));
  const expired = (now: number) =>
    sql`(${kvEntries.expiresAt} is not null and ${kvEntries.expiresAt} <= ${now})`;
  const sweep = setInterval(() => {
    void db
      .delete(kvEntries)
      .where(lte(kvEntries.expiresAt, nowMs()))
      .catch(() => {});
  }, options.sweepEveryMs ?? 60_000);
  sweep.unref?.();

  return {
    async get(key: string): Promise<string | null> {
      const rows = await db
        .select({ value: kvEntries.value })
        .from(kvEntries)
        .where(and(eq(kvEntries.key, key), live()));
      return rows[0]?.value ?? null;
    },
    async set(key: string, value: string, ttlMs?: number): Promise<void> {
      const expiresAt = expiry(ttlMs);
      await db
        .insert(kvEntries)
        .values({ key, value, expiresAt })
        .onConflictDoUpdate({ target: kvEntries.key, set: { value, expiresAt } });
    },
    async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
      const expiresAt = expiry(ttlMs);
      const rows = await db
        .insert(kvEntries)
        .values({ key, value, expiresAt })
        .onConflictDoUpdate({ target: kvEntries.key, set: { value, expiresAt }, where: expired(nowMs()) })
        .returning({ key: kvEntries.key });
      return rows.length === 1;
    },
    async del(key: string): Promise<boolean> {
      const rows = await db
        .delete(kvEntries)
        .where(eq(kvEntries.key, key))
        .returning({ expiresAt: kvEntries.expiresAt });
      const row = rows[0];
      return row !== undefined && (row.expiresAt === null || row.expiresAt > nowMs());
    },
    async incr(key: string, ttlMs?: number, by = 1): Promise<number> {
      const now = nowMs();
      const expiresAt = expiry(ttlMs);
      const rows = await db
        .insert(kvEntries)
        .values({ key, value: String(by), expiresAt })
        .onConflictDoUpdate({
          target: kvEntries.key,
          set: {
            value: sql`case when ${expired(now)} then ${String(by)} else (${kvEntries.value}::bigint + ${by})::text end`,
            expiresAt: sql`case when ${expired(now)} then ${expiresAt}::bigint else ${kvEntries.expiresAt} end`,
          },
        })
        .returning({ value: kvEntries.value });
      return Number(rows[0]?.value);
    },
    async close(): Promise<void> {
      clearInterval(sweep);
    },
  };
}
