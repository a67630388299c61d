import { index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
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
 * RESERVED: the engine debited the funds (DEBIT ref = `wd:<id>`), payout not yet confirmed.
 * PAID: the payout provider sent the money. REFUNDED: the payout failed and a CREDIT REFUND went
 * through the outbox.
 */
export const WITHDRAWAL_STATUSES = ["RESERVED", "PAID", "REFUNDED"] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

export const withdrawals = pgTable(
  "withdrawals",
  {
    id: text("id").primaryKey().$defaultFn(newId),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    amountPaise: paise("amount_paise").notNull(),
    status: text("status", { enum: WITHDRAWAL_STATUSES }).notNull().default("RESERVED"),
    payoutRef: text("payout_ref"),
    failureReason: text("failure_reason"),
    createdAt: epochMs("created_at").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
  },
  (t) => [index("withdrawals_user_idx").on(t.userId, t.createdAt)],
);
