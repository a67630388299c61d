/**
 * Engine state vs Postgres, user by user, plus conservation on both sides (docs/money.md#conservation). Meant for a
 * quiescent or caught-up pair: compare a replayed engine at the persister's offset, or a live engine
 * once the persister has reached its log offset.
 */
import {
  consumerOffsets,
  type Db,
  DEFAULT_PERSISTER_NAME,
  engineBalances,
  engineTransfers,
  ledgerEntries,
  markets,
  outbox,
  positions,
  trades,
  wallets,
} from "@ox/db";
import type { AccountView, EngineTotals, MarketView, PositionView } from "@ox/engine";
import { eq, sql } from "drizzle-orm";

/** Sync (a replayed engine) or async (the API's EngineReader) reads of engine state. */
export interface EngineSource {
  userIds(): string[] | Promise<string[]>;
  account(userId: string): AccountView | undefined | null | Promise<AccountView | undefined | null>;
  positions(userId: string): PositionView[] | Promise<PositionView[]>;
  markets(): MarketView[] | Promise<MarketView[]>;
  totals(): EngineTotals | Promise<EngineTotals>;
}

export interface Difference {
  userId?: string;
  marketId?: string;
  what: string;
  engine: unknown;
  postgres: unknown;
}

export interface ReconcileReport {
  ok: boolean;
  offset: number;
  users: number;
  positions: number;
  differences: Difference[];
  engineTotals: EngineTotals;
  postgresTotals: EngineTotals;
  conservation: { engine: boolean; postgres: boolean };
}

const POS_FIELDS = ["yesQty", "noQty", "yesLockedQty", "noLockedQty", "yesCostPaise", "noCostPaise"] as const;
const nonZero = (p: Pick<PositionView, (typeof POS_FIELDS)[number]>) => POS_FIELDS.some((f) => p[f] !== 0);
const conserved = (t: EngineTotals, inFlight: number) =>
  t.availablePaise + t.lockedPaise + t.escrowPaise + t.feesPaise + inFlight ===
  t.creditsPaise - t.debitsPaise;

export async function reconcile(options: {
  db: Db;
  engine: EngineSource;
  persisterName?: string;
  maxDifferences?: number;
  /**
   * A sharded deployment: cash between shards (sent, not yet applied at the user's risk shard), as
   * it will change each user's cash when applied (audit.ts inFlightEffect). It counts in both
   * conservations and in each wallet's expected cash (the ledger already holds the trade). Fees
   * of FILLs in flight are in Postgres's trades already, not yet in the risk shards' fees.
   */
  inFlight?: { totalPaise: number; feesPaise: number; byUser: Map<string, number> };
}): Promise<ReconcileReport> {
  const { db, engine } = options;
  const max = options.maxDifferences ?? 100;
  const differences: Difference[] = [];
  const diff = (d: Difference) => {
    if (differences.length < max) differences.push(d);
  };

  const [offsetRow] = await db
    .select()
    .from(consumerOffsets)
    .where(eq(consumerOffsets.name, options.persisterName ?? DEFAULT_PERSISTER_NAME));
  const balances = new Map((await db.select().from(engineBalances)).map((b) => [b.userId, b]));
  const pgPositions = new Map<string, typeof positions.$inferSelect>();
  for (const p of await db.select().from(positions))
    if (nonZero(p)) pgPositions.set(`${p.userId}\u0000${p.marketId}`, p);

  const userIds = [...(await engine.userIds())].sort();
  let positionCount = 0;
  for (const userId of userIds) {
    const account = (await engine.account(userId)) ?? { availablePaise: 0, lockedPaise: 0 };
    const row = balances.get(userId);
    balances.delete(userId);
    for (const f of ["availablePaise", "lockedPaise"] as const) {
      if (account[f] !== (row?.[f] ?? null))
        diff({ userId, what: f, engine: account[f], postgres: row?.[f] ?? null });
    }
    for (const p of await engine.positions(userId)) {
      if (!nonZero(p)) continue;
      positionCount++;
      const key = `${userId}\u0000${p.marketId}`;
      const stored = pgPositions.get(key);
      pgPositions.delete(key);
      for (const f of POS_FIELDS) {
        if (p[f] !== (stored?.[f] ?? 0))
          diff({ userId, marketId: p.marketId, what: f, engine: p[f], postgres: stored?.[f] ?? 0 });
      }
    }
  }
  for (const [userId, row] of balances)
    diff({ userId, what: "balance of a user the engine does not know", engine: null, postgres: row });
  for (const p of pgPositions.values())
    diff({
      userId: p.userId,
      marketId: p.marketId,
      what: "position the engine does not have",
      engine: null,
      postgres: p,
    });

  for (const m of await engine.markets()) {
    const [row] = await db
      .select({ pairs: markets.pairs, volumeQty: markets.volumeQty, status: markets.status })
      .from(markets)
      .where(eq(markets.id, m.marketId));
    if (!row) continue; // a market the catalogue does not list (engine-only test markets)
    if (row.pairs !== m.pairs)
      diff({ marketId: m.marketId, what: "pairs", engine: m.pairs, postgres: row.pairs });
    if (row.volumeQty !== m.volumeQty)
      diff({ marketId: m.marketId, what: "volumeQty", engine: m.volumeQty, postgres: row.volumeQty });
    if (row.status !== m.status)
      diff({ marketId: m.marketId, what: "status", engine: m.status, postgres: row.status });
  }

  const engineTotals = await engine.totals();
  const postgresTotals = await postgresTotalsOf(db);
  const inFlightFees = options.inFlight?.feesPaise ?? 0;
  for (const k of Object.keys(engineTotals) as Array<keyof EngineTotals>) {
    if (engineTotals[k] + (k === "feesPaise" ? inFlightFees : 0) !== postgresTotals[k])
      diff({ what: `totals.${k}`, engine: engineTotals[k], postgres: postgresTotals[k] });
  }
  const inFlightPaise = options.inFlight?.totalPaise ?? 0;
  const conservation = {
    engine: conserved(engineTotals, inFlightPaise),
    postgres: conserved(postgresTotals, inFlightPaise - inFlightFees),
  };
  if (!conservation.engine) diff({ what: "conservation (engine)", engine: engineTotals, postgres: null });
  if (!conservation.postgres)
    diff({ what: "conservation (postgres)", engine: null, postgres: postgresTotals });

  for (const d of await walletDifferences(db, options.inFlight?.byUser)) diff(d);

  return {
    ok: differences.length === 0,
    offset: offsetRow?.offset ?? 0,
    users: userIds.length,
    positions: positionCount,
    differences,
    engineTotals,
    postgresTotals,
    conservation,
  };
}

const num = (v: unknown) => Number(v ?? 0);

/** The same totals the engine reports, computed from the persister's tables. */
export async function postgresTotalsOf(db: Db): Promise<EngineTotals> {
  const [b] = await db
    .select({
      a: sql`coalesce(sum(${engineBalances.availablePaise}), 0)`,
      l: sql`coalesce(sum(${engineBalances.lockedPaise}), 0)`,
    })
    .from(engineBalances);
  const [t] = await db
    .select({
      c: sql`coalesce(sum(case when ${engineTransfers.direction} = 'CREDIT' then ${engineTransfers.amountPaise} end), 0)`,
      d: sql`coalesce(sum(case when ${engineTransfers.direction} = 'DEBIT' then ${engineTransfers.amountPaise} end), 0)`,
    })
    .from(engineTransfers);
  const [f] = await db
    .select({ f: sql`coalesce(sum(${trades.makerFeePaise} + ${trades.takerFeePaise}), 0)` })
    .from(trades);
  // Escrow = 1000 × pairs, and pairs = Σ YES held per market (docs/matching.md#invariants).
  const [e] = await db.select({ y: sql`coalesce(sum(${positions.yesQty}), 0)` }).from(positions);
  return {
    creditsPaise: num(t?.c),
    debitsPaise: num(t?.d),
    feesPaise: num(f?.f),
    escrowPaise: 1000 * num(e?.y),
    availablePaise: num(b?.a),
    lockedPaise: num(b?.l),
  };
}

/**
 * The ledger against the engine, per wallet: Σ entries = wallet balance, and wallet balance =
 * engine cash (available + locked) + credits still in the outbox − withdrawals not yet recorded.
 */
async function walletDifferences(db: Db, inFlight?: Map<string, number>): Promise<Difference[]> {
  const rows = await db.execute(sql`
    select w.user_id as "userId", w.balance_paise as wallet,
      coalesce((select sum(l.amount_paise) from ${ledgerEntries} l where l.user_id = w.user_id), 0) as ledger,
      coalesce(b.available_paise + b.locked_paise, 0) as engine,
      coalesce((select sum((o.command->>'amountPaise')::bigint) from ${outbox} o
        where o.user_id = w.user_id and o.command->>'type' = 'CREDIT'
          and not exists (select 1 from ${engineTransfers} t where t.ref = o.id)), 0) as pending,
      coalesce((select sum(t.amount_paise) from ${engineTransfers} t
        where t.user_id = w.user_id and t.direction = 'DEBIT' and t.ref like 'wd:%'
          and not exists (select 1 from ${ledgerEntries} l where l.reference = t.ref)), 0) as unrecorded
    from ${wallets} w left join ${engineBalances} b on b.user_id = w.user_id`);
  const out: Difference[] = [];
  for (const r of (rows as unknown as { rows: Array<Record<string, unknown>> }).rows) {
    const userId = String(r.userId);
    const wallet = num(r.wallet);
    if (num(r.ledger) !== wallet)
      out.push({
        userId,
        what: "wallet vs Σ ledger",
        engine: null,
        postgres: { wallet, ledger: num(r.ledger) },
      });
    const expected = num(r.engine) + num(r.pending) - num(r.unrecorded) + (inFlight?.get(userId) ?? 0);
    if (expected !== wallet)
      out.push({ userId, what: "wallet vs engine cash", engine: expected, postgres: wallet });
  }
  return out;
}
