import { index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { users } from "./accounts.ts";
import { epochMs, newId, paise, seqCol } from "./columns.ts";

export const MARKET_STATUSES = ["OPEN", "CLOSED", "RESOLVED", "VOIDED"] as const;

/**
 * The market catalogue. Admin routes write the descriptive columns; the persister keeps the trading
 * columns (status, outcome, last price, volume) in step with MARKET_* and TRADE events.
 */
export const markets = pgTable(
  "markets",
  {
    id: text("id").primaryKey().$defaultFn(newId),
    title: text("title").notNull(),
    /** The question in Hindi, shown in Hindi mode; null: the title is shown. */
    titleHi: text("title_hi"),
    description: text("description").notNull().default(""),
    category: text("category").notNull(),
    rules: text("rules").notNull().default(""),
    resolutionSource: text("resolution_source").notNull().default(""),
    tickPaise: integer("tick_paise").notNull().default(50),
    maxOrderQty: integer("max_order_qty").notNull().default(10_000),
    positionLimit: integer("position_limit").notNull().default(5_000),
    makerFeeBps: integer("maker_fee_bps").notNull().default(0),
    takerFeeBps: integer("taker_fee_bps").notNull().default(0),
    closeAt: epochMs("close_at").notNull(),
    status: text("status", { enum: MARKET_STATUSES }).notNull().default("OPEN"),
    outcome: text("outcome", { enum: ["YES", "NO", "VOID"] }),
    lastYesPricePaise: paise("last_yes_price_paise"),
    volumeQty: paise("volume_qty").notNull().default(0),
    pairs: paise("pairs").notNull().default(0),
    createdBy: text("created_by").references(() => users.id),
    createdAt: epochMs("created_at").notNull(),
    closedAt: epochMs("closed_at"),
    resolvedAt: epochMs("resolved_at"),
    /** Seq of the last engine event applied to the trading columns (idempotent upserts). */
    lastSeq: seqCol("last_seq").notNull().default(0),
  },
  (t) => [index("markets_status_idx").on(t.status, t.closeAt), index("markets_category_idx").on(t.category)],
);
