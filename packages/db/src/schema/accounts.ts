import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { epochMs, newId, paise } from "./columns.ts";

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey().$defaultFn(newId),
    phone: text("phone").notNull().unique(),
    role: text("role", { enum: ["USER", "ADMIN"] })
      .notNull()
      .default("USER"),
    referralCode: text("referral_code").notNull().unique(),
    referredBy: text("referred_by").references((): AnyPgColumn => users.id),
    isNew: boolean("is_new").notNull().default(true),
    /** The user has seen every notification up to this time (mark-as-read); null: none yet. */
    notificationsReadAt: epochMs("notifications_read_at"),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [check("users_not_self_referred", sql`${t.referredBy} is null or ${t.referredBy} <> ${t.id}`)],
);

/**
 * Cash the user holds on the platform as Postgres knows it: the running total of ledger_entries.
 * Only `appendLedgerEntry` changes it, under a row lock, in the transaction that writes the entry.
 */
export const wallets = pgTable("wallets", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id),
  balancePaise: paise("balance_paise").notNull().default(0),
  updatedAt: epochMs("updated_at").notNull(),
});

export const LEDGER_KINDS = [
  "BONUS",
  "DEPOSIT",
  "REFERRAL",
  "WITHDRAWAL",
  "REFUND",
  "ADJUSTMENT",
  "TRADE",
  "FEE",
  "PAYOUT",
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * Immutable (a trigger refuses UPDATE and DELETE). One row per movement; `reference` is unique so a
 * movement can never be applied twice (outbox id, deposit id, withdrawal id, or `evt:<seq>:<user>`).
 */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    // Not a foreign key: migration 0009's statement triggers check that every user exists, once
    // per insert statement instead of once per row (the persister inserts thousands at a time).
    userId: text("user_id").notNull(),
    kind: text("kind", { enum: LEDGER_KINDS }).notNull(),
    amountPaise: paise("amount_paise").notNull(),
    balanceAfterPaise: paise("balance_after_paise").notNull(),
    reference: text("reference").notNull().unique(),
    description: text("description"),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [
    index("ledger_entries_user_idx").on(t.userId, t.id),
    check("ledger_amount_nonzero", sql`${t.amountPaise} <> 0`),
  ],
);

export const referrals = pgTable(
  "referrals",
  {
    id: text("id").primaryKey().$defaultFn(newId),
    referrerId: text("referrer_id")
      .notNull()
      .references(() => users.id),
    refereeId: text("referee_id")
      .notNull()
      .unique()
      .references(() => users.id),
    code: text("code").notNull(),
    bonusPaise: paise("bonus_paise").notNull(),
    createdAt: epochMs("created_at").notNull(),
    /** When the referrer was credited: on the referee's first qualifying deposit; null until then. */
    rewardedAt: epochMs("rewarded_at"),
  },
  (t) => [index("referrals_referrer_idx").on(t.referrerId)],
);

export const KYC_STATUSES = ["PENDING", "VERIFIED", "REJECTED"] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

export const kycRequests = pgTable(
  "kyc_requests",
  {
    id: text("id").primaryKey().$defaultFn(newId),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    pan: text("pan").notNull(),
    name: text("name").notNull(),
    bankAccount: text("bank_account").notNull(),
    ifsc: text("ifsc").notNull(),
    status: text("status", { enum: KYC_STATUSES }).notNull().default("PENDING"),
    reason: text("reason"),
    decidedBy: text("decided_by").references(() => users.id),
    decidedAt: epochMs("decided_at"),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [
    // At most one live (PENDING or VERIFIED) request per user; a REJECTED one may be retried.
    uniqueIndex("kyc_one_live_per_user").on(t.userId).where(sql`${t.status} in ('PENDING', 'VERIFIED')`),
    // One PAN and one bank account (bank code + number) per live request across all users: a second
    // account cannot be verified on someone else's identity or payout account (bonus farming).
    uniqueIndex("kyc_pan_live").on(t.pan).where(sql`${t.status} in ('PENDING', 'VERIFIED')`),
    uniqueIndex("kyc_bank_account_live")
      .on(sql`left(${t.ifsc}, 4)`, t.bankAccount)
      .where(sql`${t.status} in ('PENDING', 'VERIFIED')`),
    index("kyc_status_idx").on(t.status, t.createdAt),
  ],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    actorId: text("actor_id")
      .notNull()
      .references(() => users.id),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>(),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [index("audit_target_idx").on(t.targetType, t.targetId)],
);

/**
 * Commands for the engine written in the same transaction as the money they describe. The relay
 * sends them in `seq` order until the queue accepts them; the engine deduplicates by `id` (the
 * CREDIT/DEBIT `ref`), so a resend after a crash is harmless.
 */
export const outbox = pgTable(
  "outbox",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    id: text("id").notNull().unique().$defaultFn(newId),
    userId: text("user_id").notNull(),
    command: jsonb("command").$type<Record<string, unknown>>().notNull(),
    status: text("status", { enum: ["PENDING", "SENT"] })
      .notNull()
      .default("PENDING"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    nextAttemptAt: epochMs("next_attempt_at").notNull().default(0),
    createdAt: epochMs("created_at").notNull(),
    sentAt: epochMs("sent_at"),
  },
  (t) => [index("outbox_pending_idx").on(t.status, t.seq)],
);
