import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { users } from "./accounts.ts";
import { epochMs } from "./columns.ts";

export const API_KEY_SCOPES = ["read", "trade", "wallet", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const RATE_TIERS = ["standard", "pro", "market_maker"] as const;
export type RateTier = (typeof RATE_TIERS)[number];

/**
 * API keys. Nothing secret is stored: a key's secret is HMAC(API_KEY_SECRET, id), recomputed by the
 * API on every signed request (README "Trading programmatically"). Revoked keys stay for the record.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    name: text("name").notNull(),
    scopes: jsonb("scopes").$type<ApiKeyScope[]>().notNull(),
    /** Client addresses allowed to sign with the key (exact IPs); null = any. */
    allowIps: jsonb("allow_ips").$type<string[]>(),
    createdAt: epochMs("created_at").notNull(),
    revokedAt: epochMs("revoked_at"),
  },
  (t) => [index("api_keys_user_idx").on(t.userId, t.createdAt)],
);

/** The rate-limit tier an admin gave a user (README "Limits per tier"); absent = standard. */
export const userRateTiers = pgTable(
  "user_rate_tiers",
  {
    userId: text("user_id")
      .primaryKey()
      .references(() => users.id),
    tier: text("tier", { enum: RATE_TIERS }).notNull(),
    setBy: text("set_by")
      .notNull()
      .references(() => users.id),
    updatedAt: epochMs("updated_at").notNull(),
  },
  (t) => [check("user_rate_tiers_known", sql`${t.tier} in ('standard', 'pro', 'market_maker')`)],
);
