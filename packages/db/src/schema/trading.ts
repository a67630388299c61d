import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { epochMs, paise, seqCol } from "./columns.ts";

/*
 * Projections of the engine's event log, written by the persister. No foreign keys on purpose: a
 * rebuild replays the log into an empty database in log order, and batches must insert in any order.
 * Every row carries the seq of the event that last wrote it; an upsert applies only when
 * `excluded.last_seq > table.last_seq`, so replaying a batch twice changes nothing.
 */

/**
 * ORDER_ACCEPTED inserts, TRADE updates fills, ORDER_AMENDED sets price, qty and the locks as they are
 * after the amend, ORDER_CLOSED closes. Key: the API-assigned order id.
 */
export const orders = pgTable(
  "orders",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    marketId: text("market_id").notNull(),
    clientOrderId: text("client_order_id"),
    outcome: text("outcome", { enum: ["YES", "NO"] }).notNull(),
    side: text("side", { enum: ["BUY", "SELL"] }).notNull(),
    orderType: text("order_type", { enum: ["LIMIT", "MARKET"] }).notNull(),
    tif: text("tif", { enum: ["GTC", "GTD", "IOC", "FOK"] }).notNull(),
    /** GTD only: from this epoch ms on the order never trades; the engine closes it EXPIRED/GTD. */
    expiresAt: epochMs("expires_at"),
    /** The taker's self-trade prevention mode (engine `stp`). */
    stp: text("stp", { enum: ["CANCEL_RESTING", "CANCEL_TAKER"] })
      .notNull()
      .default("CANCEL_RESTING"),
    postOnly: boolean("post_only").notNull().default(false),
    pricePaise: integer("price_paise").notNull(),
    qty: integer("qty").notNull(),
    filledQty: integer("filled_qty").notNull().default(0),
    filledValuePaise: paise("filled_value_paise").notNull().default(0),
    feesPaise: paise("fees_paise").notNull().default(0),
    maxCostPaise: paise("max_cost_paise"),
    lockedPaise: paise("locked_paise").notNull().default(0),
    lockedShares: integer("locked_shares").notNull().default(0),
    status: text("status", { enum: ["OPEN", "FILLED", "CANCELLED", "EXPIRED", "REJECTED"] }).notNull(),
    closeReason: text("close_reason"),
    rejectCode: text("reject_code"),
    acceptedSeq: seqCol("accepted_seq"),
    lastSeq: seqCol("last_seq").notNull(),
    createdAt: epochMs("created_at").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
  },
  (t) => [
    index("orders_user_idx").on(t.userId, t.status, t.createdAt),
    index("orders_market_idx").on(t.marketId, t.status),
    uniqueIndex("orders_client_id_idx").on(t.userId, t.clientOrderId),
  ],
);

/** One row per TRADE event; the event seq is the key, so a replayed fill is a no-op. */
export const trades = pgTable(
  "trades",
  {
    seq: seqCol("seq").primaryKey(),
    marketId: text("market_id").notNull(),
    kind: text("kind", { enum: ["TRANSFER", "MINT", "MERGE"] }).notNull(),
    qty: integer("qty").notNull(),
    yesPricePaise: integer("yes_price_paise").notNull(),
    makerOrderId: text("maker_order_id").notNull(),
    makerUserId: text("maker_user_id").notNull(),
    makerOutcome: text("maker_outcome", { enum: ["YES", "NO"] }).notNull(),
    makerSide: text("maker_side", { enum: ["BUY", "SELL"] }).notNull(),
    makerPricePaise: integer("maker_price_paise").notNull(),
    makerFeePaise: paise("maker_fee_paise").notNull(),
    takerOrderId: text("taker_order_id").notNull(),
    takerUserId: text("taker_user_id").notNull(),
    takerOutcome: text("taker_outcome", { enum: ["YES", "NO"] }).notNull(),
    takerSide: text("taker_side", { enum: ["BUY", "SELL"] }).notNull(),
    takerPricePaise: integer("taker_price_paise").notNull(),
    takerFeePaise: paise("taker_fee_paise").notNull(),
    ts: epochMs("ts").notNull(),
  },
  (t) => [
    index("trades_market_idx").on(t.marketId, t.ts),
    index("trades_maker_idx").on(t.makerUserId, t.seq),
    index("trades_taker_idx").on(t.takerUserId, t.seq),
  ],
);

/** Latest POSITION event per (user, market). */
export const positions = pgTable(
  "positions",
  {
    userId: text("user_id").notNull(),
    marketId: text("market_id").notNull(),
    yesQty: integer("yes_qty").notNull(),
    noQty: integer("no_qty").notNull(),
    yesLockedQty: integer("yes_locked_qty").notNull(),
    noLockedQty: integer("no_locked_qty").notNull(),
    yesCostPaise: paise("yes_cost_paise").notNull(),
    noCostPaise: paise("no_cost_paise").notNull(),
    lastSeq: seqCol("last_seq").notNull(),
    updatedAt: epochMs("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.marketId] })],
);

/** Latest BALANCE event per user: the engine's available and locked cash. */
export const engineBalances = pgTable("engine_balances", {
  userId: text("user_id").primaryKey(),
  availablePaise: paise("available_paise").notNull(),
  lockedPaise: paise("locked_paise").notNull(),
  lastSeq: seqCol("last_seq").notNull(),
  updatedAt: epochMs("updated_at").notNull(),
});

/** CREDITED and DEBITED events. `ref` is the outbox id / `wd:<withdrawal id>`: unique like the engine's. */
export const engineTransfers = pgTable(
  "engine_transfers",
  {
    seq: seqCol("seq").primaryKey(),
    ref: text("ref").notNull().unique(),
    userId: text("user_id").notNull(),
    direction: text("direction", { enum: ["CREDIT", "DEBIT"] }).notNull(),
    kind: text("kind"),
    amountPaise: paise("amount_paise").notNull(),
    availableAfterPaise: paise("available_after_paise").notNull(),
    ts: epochMs("ts").notNull(),
  },
  (t) => [index("engine_transfers_user_idx").on(t.userId, t.seq)],
);

/** PAYOUT events of market resolution. */
export const payouts = pgTable(
  "payouts",
  {
    seq: seqCol("seq").primaryKey(),
    userId: text("user_id").notNull(),
    marketId: text("market_id").notNull(),
    outcome: text("outcome", { enum: ["YES", "NO", "VOID"] }).notNull(),
    yesQty: integer("yes_qty").notNull(),
    noQty: integer("no_qty").notNull(),
    amountPaise: paise("amount_paise").notNull(),
    ts: epochMs("ts").notNull(),
  },
  (t) => [index("payouts_user_idx").on(t.userId, t.seq), index("payouts_market_idx").on(t.marketId)],
);

/**
 * Consumer positions in the event log (Kafka partition offset or journal offset), written in the
 * same transaction as the rows they cover. `name` is e.g. `persister:events:0`.
 */
export const consumerOffsets = pgTable("consumer_offsets", {
  name: text("name").primaryKey(),
  offset: bigint("offset", { mode: "number" }).notNull(),
  updatedAt: epochMs("updated_at").notNull(),
});

/**
 * Log records the persister could not write (a data error: SQLSTATE class 22 or 23, e.g. a NUL in a
 * text field), set aside so persisting carries on. `record` is the record's JSON text (JSON escapes
 * keep NULs printable); `error` what Postgres said. Rows are for an operator to inspect and repair.
 */
export const persisterQuarantine = pgTable(
  "persister_quarantine",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    consumer: text("consumer").notNull(),
    logOffset: bigint("log_offset", { mode: "number" }).notNull(),
    sqlState: text("sql_state"),
    error: text("error").notNull(),
    record: text("record").notNull(),
    createdAt: epochMs("created_at").notNull(),
  },
  (t) => [uniqueIndex("persister_quarantine_offset_idx").on(t.consumer, t.logOffset)],
);

/** The consumer_offsets row of the (single) persister of the events log: its writer and reconcile agree on it. */
export const DEFAULT_PERSISTER_NAME = "persister:events:0";
