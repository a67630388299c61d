import { bigint, pgTable, text } from "drizzle-orm/pg-core";

/**
 * Embedded mode's KV (sessions, OTP hashes, rate-limit counters) when there is no Redis: kept in the
 * database so that a restart of `npm start` does not log everybody out. `expires_at` is epoch ms or null.
 */
export const kvEntries = pgTable("kv_entries", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  expiresAt: bigint("expires_at", { mode: "number" }),
});
