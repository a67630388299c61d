/**
 * Writes one Plan inside the caller's transaction: one set-based statement per table and batch, its
 * rows passed as one array per column (unnest.ts), all of them one `with …` statement. Every statement is idempotent: ON CONFLICT DO
 * NOTHING on the event's key, or an upsert/update that applies only to rows older than the batch.
 */
import {
  consumerOffsets,
  engineBalances,
  engineTransfers,
  orders,
  payouts,
  positions,
  type Tx,
  trades,
} from "@ox/db";
import type { MarketUpdate, OrderUpdate, Plan } from "./plan.ts";
import { insertFromArrays, Statement, unnestInto } from "./unnest.ts";
import { prepareLedger } from "./write-ledger.ts";

export interface WriteResult {
  rows: number;
  /** Movements Postgres already held where the money started (outbox credits, API withdrawals). */
  originSkipped: number;
  /** Movements of users without a wallet row: nothing to post them to. */
  walletMissing: number;
  /** Round trips to the database this write took. */
  statements: number;
}

const POSITION_COLUMNS = [
  "yes_qty",
  "no_qty",
  "yes_locked_qty",
  "no_locked_qty",
  "yes_cost_paise",
  "no_cost_paise",
  "last_seq",
  "updated_at",
];

const setExcluded = (columns: string[]) => columns.map((c) => `${c} = excluded.${c}`).join(", ");

/** The consumer_offsets row to advance in the same statement as the rows. */
export interface OffsetUpdate {
  name: string;
  offset: number;
  now: number;
}

/**
 * The plan's rows and the new offset in one statement: each table's insert, upsert or update is a
 * data-modifying CTE of one `with … select`, so a batch costs one round trip for the rows (plus the
 * ledger's wallet lock, and its outbox lookup when the batch credits or debits) instead of one per
 * table. The CTEs touch distinct tables, or distinct rows of one table (new orders and updates of
 * older orders; engine balances with and without a lock are per user), so none sees another's rows.
 */
export async function writePlan(tx: Tx, plan: Plan, offset: OffsetUpdate): Promise<WriteResult> {
  let rows = 0;
  const parts: Statement[] = [];
  const add = (count: number, statement: () => Statement) => {
    if (count === 0) return;
    parts.push(statement());
    rows += count;
  };
  const newOrders = [...plan.newOrders.values()];
  add(newOrders.length, () => insertFromArrays(orders, newOrders).text(" on conflict do nothing"));
  const orderUpdates = [...plan.orderUpdates.values()];
  add(orderUpdates.length, () => updateOrders(orderUpdates));
  add(plan.trades.length, () => insertFromArrays(trades, plan.trades).text(" on conflict do nothing"));

  const balances = [...plan.balances.values()];
  const full = balances.flatMap((b) =>
    b.lockedPaise === null ? [] : [{ ...b, lockedPaise: b.lockedPaise }],
  );
  // CREDITED/DEBITED alone carry no lock: keep the stored one (0 for a new row).
  const availableOnly = balances.flatMap((b) => (b.lockedPaise === null ? [{ ...b, lockedPaise: 0 }] : []));
  for (const [part, withLock] of [
    [full, true],
    [availableOnly, false],
  ] as const) {
    const set = ["available_paise", ...(withLock ? ["locked_paise"] : []), "last_seq", "updated_at"];
    add(part.length, () =>
      insertFromArrays(engineBalances, part).text(
        ` on conflict (user_id) do update set ${setExcluded(set)} where engine_balances.last_seq < excluded.last_seq`,
      ),
    );
  }
  const positionRows = [...plan.positions.values()];
  add(positionRows.length, () =>
    insertFromArrays(positions, positionRows).text(
      ` on conflict (user_id, market_id) do update set ${setExcluded(POSITION_COLUMNS)} where positions.last_seq < excluded.last_seq`,
    ),
  );
  add(plan.transfers.length, () =>
    insertFromArrays(engineTransfers, plan.transfers).text(" on conflict do nothing"),
  );
  add(plan.payouts.length, () => insertFromArrays(payouts, plan.payouts).text(" on conflict do nothing"));
  const markets = [...plan.markets.values()];
  add(markets.length, () => updateMarkets(markets));
  const ledger = await prepareLedger(tx, plan.movements);
  parts.push(
    new Statement()
      .text(`update consumer_offsets set "offset" = `)
      .param(offset.offset)
      .text(", updated_at = ")
      .param(offset.now)
      .text(" where name = ")
      .param(offset.name),
  );
  const statement = new Statement().text("with ");
  parts.forEach((part, i) => {
    statement
      .text(`${i > 0 ? ", " : ""}"w${i}" as (`)
      .append(part)
      .text(")");
  });
  if (ledger.insert === null) {
    await tx.execute(statement.text(" select 1").toSQL());
  } else {
    statement.text(", ledger as (").append(ledger.insert).text(" returning 1), wallet as (");
    statement.append(ledger.wallets).text(") select count(*)::int as n from ledger");
    const result = await tx.execute(statement.toSQL());
    const [count] = (result as unknown as { rows: Array<{ n: number }> }).rows;
    const inserted = Number(count?.n);
    // The consumer offset makes every batch run once; a reference already present means a second writer.
    if (inserted !== ledger.entries)
      throw new Error(`ledger: ${ledger.entries - inserted} references already present`);
  }
  return {
    rows: rows + ledger.rows,
    originSkipped: ledger.originSkipped,
    walletMissing: ledger.walletMissing,
    statements: ledger.statements + 1,
  };
}

export async function saveOffset(tx: Tx, name: string, offset: number, now: number) {
  await tx
    .insert(consumerOffsets)
    .values({ name, offset, updatedAt: now })
    .onConflictDoUpdate({ target: consumerOffsets.name, set: { offset, updatedAt: now } });
}

/** Fills, amends and closes of orders accepted in an earlier batch; only rows older than the batch's first event change. */
function updateOrders(part: OrderUpdate[]): Statement {
  const into = new Statement().text(`update orders set
      price_paise = coalesce(v.price, orders.price_paise),
      qty = coalesce(v.qty, orders.qty),
      locked_paise = coalesce(v.locked, orders.locked_paise),
      locked_shares = coalesce(v.locked_shares, orders.locked_shares),
      filled_qty = coalesce(v.close_filled, orders.filled_qty + v.dq),
      filled_value_paise = orders.filled_value_paise + v.dv,
      fees_paise = orders.fees_paise + v.df,
      status = coalesce(v.status, orders.status),
      close_reason = coalesce(v.reason, orders.close_reason),
      last_seq = v.last_seq,
      updated_at = v.ts
    from `);
  return unnestInto(into, "v", [
    ["id", "text", part.map((u) => u.id)],
    ["first_seq", "bigint", part.map((u) => u.firstSeq)],
    ["last_seq", "bigint", part.map((u) => u.lastSeq)],
    ["dq", "integer", part.map((u) => u.filledQtyDelta)],
    ["dv", "bigint", part.map((u) => u.filledValueDelta)],
    ["df", "bigint", part.map((u) => u.feesDelta)],
    ["status", "text", part.map((u) => u.close?.status ?? null)],
    ["reason", "text", part.map((u) => u.close?.reason ?? null)],
    ["close_filled", "integer", part.map((u) => u.close?.filledQty ?? null)],
    ["price", "integer", part.map((u) => u.amend?.pricePaise ?? null)],
    ["qty", "integer", part.map((u) => u.amend?.qty ?? null)],
    ["locked", "bigint", part.map((u) => u.amend?.lockedPaise ?? null)],
    ["locked_shares", "integer", part.map((u) => u.amend?.lockedShares ?? null)],
    ["ts", "bigint", part.map((u) => u.ts)],
  ]).text(" where orders.id = v.id and orders.last_seq < v.first_seq");
}

function updateMarkets(part: MarketUpdate[]): Statement {
  const into = new Statement().text(`update markets set
      volume_qty = markets.volume_qty + v.dvol,
      pairs = markets.pairs + v.dpairs,
      last_yes_price_paise = coalesce(v.last_price, markets.last_yes_price_paise),
      status = coalesce(v.status, markets.status),
      outcome = coalesce(v.outcome, markets.outcome),
      closed_at = coalesce(v.closed_at, markets.closed_at),
      resolved_at = coalesce(v.resolved_at, markets.resolved_at),
      last_seq = v.last_seq
    from `);
  return unnestInto(into, "v", [
    ["id", "text", part.map((m) => m.id)],
    ["first_seq", "bigint", part.map((m) => m.firstSeq)],
    ["last_seq", "bigint", part.map((m) => m.lastSeq)],
    ["dvol", "bigint", part.map((m) => m.volumeDelta)],
    ["dpairs", "bigint", part.map((m) => m.pairsDelta)],
    ["last_price", "bigint", part.map((m) => m.lastYesPricePaise)],
    ["status", "text", part.map((m) => m.status)],
    ["outcome", "text", part.map((m) => m.outcome)],
    ["closed_at", "bigint", part.map((m) => m.closedAt)],
    ["resolved_at", "bigint", part.map((m) => m.resolvedAt)],
  ]).text(" where markets.id = v.id and markets.last_seq < v.first_seq");
}
