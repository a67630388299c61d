/**
 * Writes one Plan inside the caller's transaction: one set-based statement per table and batch, its
 * rows passed as one array per column (unnest.ts). Every statement is idempotent: ON CONFLICT DO
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
import { type SQL, sql } from "drizzle-orm";
import type { MarketUpdate, OrderUpdate, Plan } from "./plan.ts";
import { insertFromArrays, unnestAs } from "./unnest.ts";
import { writeLedger } from "./write-ledger.ts";

export interface WriteResult {
  rows: number;
  /** Movements Postgres already held where the money started (outbox credits, API withdrawals). */
  originSkipped: number;
  /** Movements of users without a wallet row: nothing to post them to. */
  walletMissing: number;
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

const setExcluded = (columns: string[]) => sql.raw(columns.map((c) => `${c} = excluded.${c}`).join(", "));

export async function writePlan(tx: Tx, plan: Plan): Promise<WriteResult> {
  let rows = 0;
  const run = async (count: number, statement: () => SQL) => {
    if (count === 0) return;
    await tx.execute(statement());
    rows += count;
  };
  const newOrders = [...plan.newOrders.values()];
  await run(newOrders.length, () => sql`${insertFromArrays(orders, newOrders)} on conflict do nothing`);
  const orderUpdates = [...plan.orderUpdates.values()];
  await run(orderUpdates.length, () => updateOrders(orderUpdates));
  await run(plan.trades.length, () => sql`${insertFromArrays(trades, plan.trades)} on conflict do nothing`);

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
    await run(
      part.length,
      () => sql`${insertFromArrays(engineBalances, part)} on conflict (user_id) do update set ${setExcluded(set)}
        where engine_balances.last_seq < excluded.last_seq`,
    );
  }
  const positionRows = [...plan.positions.values()];
  await run(
    positionRows.length,
    () => sql`${insertFromArrays(positions, positionRows)} on conflict (user_id, market_id)
      do update set ${setExcluded(POSITION_COLUMNS)} where positions.last_seq < excluded.last_seq`,
  );
  await run(
    plan.transfers.length,
    () => sql`${insertFromArrays(engineTransfers, plan.transfers)} on conflict do nothing`,
  );
  await run(
    plan.payouts.length,
    () => sql`${insertFromArrays(payouts, plan.payouts)} on conflict do nothing`,
  );
  const markets = [...plan.markets.values()];
  await run(markets.length, () => updateMarkets(markets));
  const ledger = await writeLedger(tx, plan.movements);
  return {
    rows: rows + ledger.rows,
    originSkipped: ledger.originSkipped,
    walletMissing: ledger.walletMissing,
  };
}

export async function saveOffset(tx: Tx, name: string, offset: number, now: number) {
  await tx
    .insert(consumerOffsets)
    .values({ name, offset, updatedAt: now })
    .onConflictDoUpdate({ target: consumerOffsets.name, set: { offset, updatedAt: now } });
}

/** Fills, amends and closes of orders accepted in an earlier batch; only rows older than the batch's first event change. */
function updateOrders(part: OrderUpdate[]): SQL {
  const v = unnestAs("v", [
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
  ]);
  return sql`update orders set
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
    from ${v}
    where orders.id = v.id and orders.last_seq < v.first_seq`;
}

function updateMarkets(part: MarketUpdate[]): SQL {
  const v = unnestAs("v", [
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
  ]);
  return sql`update markets set
      volume_qty = markets.volume_qty + v.dvol,
      pairs = markets.pairs + v.dpairs,
      last_yes_price_paise = coalesce(v.last_price, markets.last_yes_price_paise),
      status = coalesce(v.status, markets.status),
      outcome = coalesce(v.outcome, markets.outcome),
      closed_at = coalesce(v.closed_at, markets.closed_at),
      resolved_at = coalesce(v.resolved_at, markets.resolved_at),
      last_seq = v.last_seq
    from ${v}
    where markets.id = v.id and markets.last_seq < v.first_seq`;
}
