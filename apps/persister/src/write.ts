/**
 * Writes one Plan inside the caller's transaction: one multi-row statement per table and chunk,
 * every statement idempotent (ON CONFLICT DO NOTHING, or an upsert that applies only to older rows).
 */
import {
  consumerOffsets,
  engineBalances,
  engineTransfers,
  ledgerEntries,
  orders,
  outbox,
  payouts,
  positions,
  type Tx,
  trades,
  wallets,
} from "@ox/db";
import { inArray, type SQL, sql } from "drizzle-orm";
import type { MarketUpdate, Movement, OrderUpdate, Plan } from "./plan.ts";

const CHUNK = 1_000;

function* chunks<T>(items: T[], size = CHUNK): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

const excluded = (column: string) => sql.raw(`excluded.${column}`);

export interface WriteResult {
  rows: number;
  /** Movements Postgres already held where the money started (outbox credits, API withdrawals). */
  originSkipped: number;
  /** Movements of users without a wallet row: nothing to post them to. */
  walletMissing: number;
}

export async function writePlan(tx: Tx, plan: Plan): Promise<WriteResult> {
  let rows = 0;
  for (const part of chunks([...plan.newOrders.values()], 500)) {
    await tx.insert(orders).values(part).onConflictDoNothing();
    rows += part.length;
  }
  for (const part of chunks([...plan.orderUpdates.values()], 500)) {
    await tx.execute(updateOrders(part));
    rows += part.length;
  }
  for (const part of chunks(plan.trades, 500)) {
    await tx.insert(trades).values(part).onConflictDoNothing();
    rows += part.length;
  }
  const balances = [...plan.balances.values()];
  const full = balances.flatMap((b) =>
    b.lockedPaise === null ? [] : [{ ...b, lockedPaise: b.lockedPaise }],
  );
  const availableOnly = balances.flatMap((b) => (b.lockedPaise === null ? [{ ...b, lockedPaise: 0 }] : []));
  for (const [part, withLock] of [
    ...[...chunks(full)].map((p) => [p, true] as const),
    ...[...chunks(availableOnly)].map((p) => [p, false] as const),
  ]) {
    await tx
      .insert(engineBalances)
      .values(part)
      .onConflictDoUpdate({
        target: engineBalances.userId,
        set: {
          availablePaise: excluded("available_paise"),
          ...(withLock ? { lockedPaise: excluded("locked_paise") } : {}),
          lastSeq: excluded("last_seq"),
          updatedAt: excluded("updated_at"),
        },
        setWhere: sql`${engineBalances.lastSeq} < excluded.last_seq`,
      });
    rows += part.length;
  }
  for (const part of chunks([...plan.positions.values()], 500)) {
    const cols = [
      "yes_qty",
      "no_qty",
      "yes_locked_qty",
      "no_locked_qty",
      "yes_cost_paise",
      "no_cost_paise",
      "last_seq",
      "updated_at",
    ];
    const keys = [
      "yesQty",
      "noQty",
      "yesLockedQty",
      "noLockedQty",
      "yesCostPaise",
      "noCostPaise",
      "lastSeq",
      "updatedAt",
    ] as const;
    await tx
      .insert(positions)
      .values(part)
      .onConflictDoUpdate({
        target: [positions.userId, positions.marketId],
        set: Object.fromEntries(keys.map((k, i) => [k, excluded(cols[i]!)])),
        setWhere: sql`${positions.lastSeq} < excluded.last_seq`,
      });
    rows += part.length;
  }
  for (const part of chunks(plan.transfers)) {
    await tx.insert(engineTransfers).values(part).onConflictDoNothing();
    rows += part.length;
  }
  for (const part of chunks(plan.payouts)) {
    await tx.insert(payouts).values(part).onConflictDoNothing();
    rows += part.length;
  }
  for (const part of chunks([...plan.markets.values()], 500)) {
    await tx.execute(updateMarkets(part));
    rows += part.length;
  }
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

/**
 * Ledger entries with exact running balances: the wallets of the batch are locked (in user id order,
 * like every other writer, so no deadlock), balances are carried forward in memory, and entries and
 * wallets are written with one statement each.
 */
async function writeLedger(tx: Tx, all: Movement[]) {
  const refs = [...new Set(all.flatMap((m) => (m.engineRef ? [m.engineRef] : [])))];
  const fromOutbox = new Set<string>();
  for (const part of chunks(refs)) {
    const found = await tx.select({ id: outbox.id }).from(outbox).where(inArray(outbox.id, part));
    for (const r of found) fromOutbox.add(r.id);
  }
  // Withdrawals are reserved by the engine first and then recorded by the API with reference `wd:<id>`.
  const isOrigin = (m: Movement) =>
    m.engineRef !== null && (fromOutbox.has(m.engineRef) || m.engineRef.startsWith("wd:"));
  const movements = all.filter((m) => !isOrigin(m));
  const originSkipped = all.length - movements.length;
  const userIds = [...new Set(movements.map((m) => m.userId))].sort();
  const balance = new Map<string, number>();
  for (const part of chunks(userIds)) {
    const locked = await tx
      .select({ userId: wallets.userId, balancePaise: wallets.balancePaise })
      .from(wallets)
      .where(inArray(wallets.userId, part))
      .orderBy(wallets.userId)
      .for("update");
    for (const w of locked) balance.set(w.userId, w.balancePaise);
  }
  const entries: Array<typeof ledgerEntries.$inferInsert> = [];
  let walletMissing = 0;
  for (const m of movements) {
    const before = balance.get(m.userId);
    if (before === undefined) {
      walletMissing++;
      continue;
    }
    const after = before + m.amountPaise;
    balance.set(m.userId, after);
    entries.push({
      userId: m.userId,
      kind: m.kind,
      amountPaise: m.amountPaise,
      balanceAfterPaise: after,
      reference: m.reference,
      description: m.description,
      createdAt: m.ts,
    });
  }
  for (const part of chunks(entries, 500)) {
    const inserted = await tx
      .insert(ledgerEntries)
      .values(part)
      .onConflictDoNothing({ target: ledgerEntries.reference })
      .returning({ id: ledgerEntries.id });
    // The consumer offset makes every batch run once; a reference already present means a second writer.
    if (inserted.length !== part.length)
      throw new Error(`ledger: ${part.length - inserted.length} references already present`);
  }
  const touched = [...new Set(entries.map((e) => e.userId))];
  const lastTs = new Map(entries.map((e) => [e.userId, e.createdAt]));
  for (const part of chunks(touched)) {
    const values = sql.join(
      part.map((u) => sql`(${u}::text, ${balance.get(u)!}::bigint, ${lastTs.get(u)!}::bigint)`),
      sql`, `,
    );
    await tx.execute(sql`update wallets set balance_paise = v.balance, updated_at = greatest(wallets.updated_at, v.ts)
      from (values ${values}) as v(user_id, balance, ts) where wallets.user_id = v.user_id`);
  }
  return { rows: entries.length + touched.length, originSkipped, walletMissing };
}

function updateOrders(part: OrderUpdate[]): SQL {
  const values = sql.join(
    part.map(
      (
        u,
      ) => sql`(${u.id}::text, ${u.firstSeq}::bigint, ${u.lastSeq}::bigint, ${u.filledQtyDelta}::int, ${u.filledValueDelta}::bigint,
        ${u.feesDelta}::bigint, ${u.close?.status ?? null}::text, ${u.close?.reason ?? null}::text, ${u.close?.filledQty ?? null}::int, ${u.ts}::bigint)`,
    ),
    sql`, `,
  );
  return sql`update orders set
      filled_qty = coalesce(v.close_filled, orders.filled_qty + v.dq),
      filled_value_paise = orders.filled_value_paise + v.dv,
      fees_paise = orders.fees_paise + v.df,
      status = coalesce(v.status, orders.status),
      close_reason = coalesce(v.reason, orders.close_reason),
      last_seq = v.last_seq,
      updated_at = v.ts
    from (values ${values}) as v(id, first_seq, last_seq, dq, dv, df, status, reason, close_filled, ts)
    where orders.id = v.id and orders.last_seq < v.first_seq`;
}

function updateMarkets(part: MarketUpdate[]): SQL {
  const values = sql.join(
    part.map(
      (
        m,
      ) => sql`(${m.id}::text, ${m.firstSeq}::bigint, ${m.lastSeq}::bigint, ${m.volumeDelta}::bigint, ${m.pairsDelta}::bigint,
        ${m.lastYesPricePaise}::bigint, ${m.status}::text, ${m.outcome}::text, ${m.closedAt}::bigint, ${m.resolvedAt}::bigint)`,
    ),
    sql`, `,
  );
  return sql`update markets set
      volume_qty = markets.volume_qty + v.dvol,
      pairs = markets.pairs + v.dpairs,
      last_yes_price_paise = coalesce(v.last_price, markets.last_yes_price_paise),
      status = coalesce(v.status, markets.status),
      outcome = coalesce(v.outcome, markets.outcome),
      closed_at = coalesce(v.closed_at, markets.closed_at),
      resolved_at = coalesce(v.resolved_at, markets.resolved_at),
      last_seq = v.last_seq
    from (values ${values}) as v(id, first_seq, last_seq, dvol, dpairs, last_price, status, outcome, closed_at, resolved_at)
    where markets.id = v.id and markets.last_seq < v.first_seq`;
}
