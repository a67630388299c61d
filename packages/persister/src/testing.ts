/** Test helpers: realistic origin data in Postgres, a real engine run into a real event log, table dumps. */

import { createFileJournal, type EventLog } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import {
  consumerOffsets,
  createAccountsRepo,
  createPaymentsRepo,
  creditWallet,
  type Db,
  deposits,
  engineBalances,
  engineTransfers,
  ledgerEntries,
  markets,
  type OutboxCommand,
  orders,
  outbox,
  payouts,
  positions,
  trades,
  users,
  wallets,
  withdrawals,
} from "@ox/db";
import { createTestDb, type TestDb, type TestDbKind } from "@ox/db/testing";
import { type Command, createEngine, type Engine } from "@ox/engine";
import { createRandom } from "@ox/engine/random";
import { asc, sql } from "drizzle-orm";
import pino from "pino";

export const quiet = pino({ level: "silent" });
/** A fresh database on the real server (its URL, for child processes) or in-memory PGlite. */
export const freshDb = (kind: TestDbKind): Promise<TestDb> => createTestDb(kind, { maxConnections: 10 });

export async function tempJournal(dir: string): Promise<EventLog<LogRecord>> {
  return createFileJournal<LogRecord>({ path: `${dir}/events.journal`, logger: quiet });
}

export interface Origin {
  userIds: string[];
  withdrawalId: string;
  outboxCommands: OutboxCommand[];
}

/** The origin's i-th user; throws when the origin has fewer users. */
export function userAt(origin: Pick<Origin, "userIds">, i: number): string {
  const id = origin.userIds[i];
  if (id === undefined) throw new Error(`the origin has no user ${i}`);
  return id;
}

/** What the API writes where money starts: users with wallets and bonus, deposits, markets, a withdrawal. */
export async function seedOrigin(db: Db, userCount: number): Promise<Origin> {
  const accounts = createAccountsRepo(db);
  const userIds: string[] = [];
  for (let i = 0; i < userCount; i++) {
    const { user } = await accounts.loginByPhone({
      phone: `+9198765${String(i).padStart(5, "0")}`,
      role: "USER",
      signupBonusPaise: 1500,
      now: 1_000 + i,
    });
    userIds.push(user.id);
    await db.transaction((tx) =>
      creditWallet(tx, {
        userId: user.id,
        kind: "DEPOSIT",
        amountPaise: 500_000,
        reference: `dep:test-${user.id}`,
        now: 2_000 + i,
      }),
    );
  }
  for (const [id, fee] of [
    ["m1", 0],
    ["m2", 25],
  ] as const) {
    await db.insert(markets).values({
      id,
      title: `Market ${id}?`,
      category: "cricket",
      closeAt: 10_000_000,
      createdAt: 1,
      makerFeeBps: fee,
      takerFeeBps: fee * 2,
    });
  }
  const withdrawalId = crypto.randomUUID();
  await createPaymentsRepo(db).recordWithdrawal({
    id: withdrawalId,
    userId: userAt({ userIds }, 0),
    amountPaise: 20_000,
    now: 3_000,
  });
  const rows = await db.select().from(outbox).orderBy(asc(outbox.seq));
  return { userIds, withdrawalId, outboxCommands: rows.map((r) => r.command as OutboxCommand) };
}

/** Copies the origin tables, so a second database starts where the first one did. */
export async function copyOrigin(from: Db, to: Db) {
  for (const table of [users, wallets, ledgerEntries, outbox, markets, deposits, withdrawals] as const) {
    const rows = await from.select().from(table as typeof users);
    if (rows.length) await to.insert(table as typeof users).values(rows);
  }
  for (const [table, column] of [
    ["ledger_entries", "id"],
    ["outbox", "seq"],
  ]) {
    await to.execute(
      sql.raw(
        `select setval(pg_get_serial_sequence('${table}', '${column}'), (select max(${column}) from ${table}))`,
      ),
    );
  }
}

/** Seeded pseudo-random numbers, so a failure replays. */
export const rng = createRandom;

/**
 * The origin's outbox into the engine, then a trading session over two markets with every fill kind,
 * fees, cancels, rejections and a non-outbox credit, then close, resolve YES and void. Each command
 * becomes one LogRecord; `onBatch` sees them in batches of `appendBatch`, as the engine service appends.
 */
export async function runWorkload(options: {
  origin: Origin;
  log: EventLog<LogRecord>;
  orders: number;
  seed?: number;
  appendBatch?: number;
  onBatch?: () => Promise<void>;
}): Promise<Engine> {
  const engine = createEngine();
  const random = rng(options.seed ?? 7);
  const pick = <T>(xs: readonly T[]): T => {
    const x = xs[Math.floor(random() * xs.length)];
    if (x === undefined) throw new Error("pick from an empty list");
    return x;
  };
  const take = <T>(xs: T[]): T => {
    const [x] = xs.splice(Math.floor(random() * xs.length), 1);
    if (x === undefined) throw new Error("take from an empty list");
    return x;
  };
  let ts = 5_000;
  let pending: LogRecord[] = [];
  const flush = async () => {
    if (!pending.length) return;
    await options.log.append(pending);
    pending = [];
    await options.onBatch?.();
  };
  const run = async (command: Command) => {
    const result = engine.apply(command);
    pending.push({ envelopeId: crypto.randomUUID(), command, code: result.code, events: result.events });
    if (pending.length >= (options.appendBatch ?? 25)) await flush();
    return result;
  };
  const { userIds } = options.origin;
  for (const c of options.origin.outboxCommands) await run({ ...c, ts: ts++ } as Command);
  await run({ type: "CREATE_MARKET", marketId: "m1", ts: ts++ });
  await run({ type: "CREATE_MARKET", marketId: "m2", makerFeeBps: 25, takerFeeBps: 50, ts: ts++ });
  await run({
    type: "CREDIT",
    userId: userAt(options.origin, 1),
    amountPaise: 7_777,
    ref: "manual-adjustment-1",
    kind: "ADJUSTMENT",
    ts: ts++,
  });
  await run({
    type: "DEBIT",
    userId: userAt(options.origin, 0),
    amountPaise: 20_000,
    ref: `wd:${options.origin.withdrawalId}`,
    ts: ts++,
  });
  const open: Array<{ userId: string; orderId: string }> = [];
  for (let n = 0; n < options.orders; n++) {
    const userId = pick(userIds);
    if (open.length && random() < 0.2) {
      const o = take(open);
      await run({ type: "CANCEL_ORDER", userId: o.userId, orderId: o.orderId, ts: ts++ });
      continue;
    }
    const orderId = `o${n}`;
    const marketId = random() < 0.6 ? "m1" : "m2";
    const side = random() < 0.65 ? "BUY" : "SELL";
    const market = random() < 0.1;
    const result = await run({
      type: "PLACE_ORDER",
      orderId,
      userId,
      marketId,
      clientOrderId: random() < 0.5 ? `c${n}` : undefined,
      outcome: pick(["YES", "NO"] as const),
      side,
      orderType: market ? "MARKET" : "LIMIT",
      pricePaise: market ? undefined : 50 * (4 + Math.floor(random() * 12)),
      qty: 1 + Math.floor(random() * 20),
      tif: market ? undefined : pick(["GTC", "GTC", "GTC", "IOC", "FOK"] as const),
      ts: ts++,
    });
    if (result.order?.status === "OPEN") open.push({ userId, orderId });
  }
  await run({ type: "CLOSE_MARKET", marketId: "m1", ts: ts++ });
  await run({ type: "RESOLVE_MARKET", marketId: "m1", outcome: "YES", ts: ts++ });
  await run({ type: "RESOLVE_MARKET", marketId: "m2", outcome: "VOID", ts: ts++ });
  await flush();
  return engine;
}

/** Every table the persister writes, in a stable order, without surrogate ids and clock stamps. */
export async function dumpProjections(db: Db) {
  const by = <T>(rows: T[], key: (r: T) => string) =>
    [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return {
    orders: by(await db.select().from(orders), (r) => r.id),
    trades: by(await db.select().from(trades), (r) => String(r.seq).padStart(12, "0")),
    positions: by(await db.select().from(positions), (r) => `${r.userId}:${r.marketId}`),
    balances: by(await db.select().from(engineBalances), (r) => r.userId),
    transfers: by(await db.select().from(engineTransfers), (r) => r.ref),
    payouts: by(await db.select().from(payouts), (r) => String(r.seq).padStart(12, "0")),
    markets: by(await db.select().from(markets), (r) => r.id),
    wallets: by(await db.select().from(wallets), (r) => r.userId),
    ledger: by(
      (await db.select().from(ledgerEntries)).map(({ id: _id, ...r }) => r),
      (r) => r.reference,
    ),
    offsets: (await db.select().from(consumerOffsets)).map(({ updatedAt: _u, ...r }) => r),
  };
}
