import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./accounts.ts";
import { epochMs, newId, paise } from "./columns.ts";

export const DEPOSIT_STATUSES = ["PENDING", "CONFIRMED", "FAILED"] as const;
export type DepositStatus = (typeof DEPOSIT_STATUSES)[number];

export const deposits = pgTable(
  "deposits",
  {
    id: text("id").primaryKey().$defaultFn(newId),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    amountPaise: paise("amount_paise").notNull(),
    gateway: text("gateway").notNull(),
    gatewayRef: text("gateway_ref"),
    status: text("status", { enum: DEPOSIT_STATUSES }).notNull().default("PENDING"),
    createdAt: epochMs("created_at").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
  },
  (t) => [
    index("deposits_user_idx").on(t.userId, t.createdAt),
    uniqueIndex("deposits_gateway_ref_idx").on(t.gateway, t.gatewayRef),
  ],
);

/**
 * REQUESTED: recorded before the engine is asked to reserve (DEBIT ref = `wd:<id>`); no ledger entry,
 * no money moved in Postgres. The API's withdrawal sweeper re-sends the DEBIT until the engine answers.
 * RESERVED: the engine debited the funds, the ledger holds the debit; payout not yet confirmed.
 * PAID: the payout provider sent the money. REFUNDED: the payout failed and a CREDIT REFUND went
 * through the outbox. REJECTED: the engine refused the DEBIT (not enough available cash); no ledger.
 */
export const WITHDRAWAL_STATUSES = ["REQUESTED", "RESERVED", "PAID", "REFUNDED", "REJECTED"] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

export const withdrawals = pgTable(
  "withdrawals",
  {
    id: text("id").primaryKey().$defaultFn(newId),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    amountPaise: paise("amount_paise").notNull(),
    status: text("status", { enum: WITHDRAWAL_STATUSES }).notNull().default("REQUESTED"),
    payoutRef: text("payout_ref"),
    failureReason: text("failure_reason"),
    /** DEBIT sends by the sweeper; only for REQUESTED rows. */
    attempts: integer("attempts").notNull().default(0),
    /** A REQUESTED row is not swept before this (grace for the request itself, then backoff). */
    nextAttemptAt: epochMs("next_attempt_at").notNull().default(0),
    lastError: text("last_error"),
    createdAt: epochMs("created_at").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
  },
  (t) => [
    index("withdrawals_user_idx").on(t.userId, t.createdAt),
    index("withdrawals_requested_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'REQUESTED'`),
  ],
);
