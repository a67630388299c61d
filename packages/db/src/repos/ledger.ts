import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { type LedgerKind, ledgerEntries, outbox, wallets } from "../schema/index.ts";

export interface LedgerMovement {
  userId: string;
  kind: LedgerKind;
  /** Signed: positive credits the wallet, negative debits it. */
  amountPaise: number;
  /** Unique forever; a second movement with the same reference is ignored. */
  reference: string;
  description?: string;
  now: number;
}

export type LedgerEntry = typeof ledgerEntries.$inferSelect;

/**
 * Appends one immutable entry and moves the wallet, under the wallet's row lock so `balance_after`
 * is exact under concurrency. Must run inside a transaction. Returns null when the reference was
 * already used (idempotent replay): nothing changes.
 */
export async function appendLedgerEntry(tx: DbOrTx, m: LedgerMovement): Promise<LedgerEntry | null> {
  if (!Number.isSafeInteger(m.amountPaise) || m.amountPaise === 0) {
    throw new RangeError(`ledger amount must be a non-zero integer, got ${m.amountPaise}`);
  }
  const [wallet] = await tx.select().from(wallets).where(eq(wallets.userId, m.userId)).for("update");
  if (!wallet) throw new Error(`wallet missing for user ${m.userId}`);
  const balanceAfterPaise = wallet.balancePaise + m.amountPaise;
  const [entry] = await tx
    .insert(ledgerEntries)
    .values({
      userId: m.userId,
      kind: m.kind,
      amountPaise: m.amountPaise,
      balanceAfterPaise,
      reference: m.reference,
      description: m.description ?? null,
      createdAt: m.now,
    })
    .onConflictDoNothing({ target: ledgerEntries.reference })
    .returning();
  if (!entry) return null;
  await tx
    .update(wallets)
    .set({ balancePaise: balanceAfterPaise, updatedAt: m.now })
    .where(eq(wallets.userId, m.userId));
  return entry;
}

export type CreditKind = "BONUS" | "DEPOSIT" | "REFERRAL" | "REFUND" | "ADJUSTMENT";

export interface OutboxCreateMarket {
  type: "CREATE_MARKET";
  marketId: string;
  tickPaise: number;
  closeAt: number;
  makerFeeBps?: number;
  takerFeeBps?: number;
}

/** Engine commands the outbox carries (structurally the engine's commands, minus `ts`). */
export type OutboxCommand =
  | { type: "CREATE_USER"; userId: string }
  | { type: "CREDIT"; userId: string; amountPaise: number; ref: string; kind: CreditKind }
  | OutboxCreateMarket;

type OutboxInput =
  | { type: "CREATE_USER"; userId: string }
  | { type: "CREDIT"; userId: string; amountPaise: number; kind: CreditKind }
  | OutboxCreateMarket;

/**
 * Queues an engine command in the caller's transaction. A CREDIT's `ref` is the outbox row id.
 * `userId` names who caused the row (the admin, for a market).
 */
export async function enqueueOutbox(
  tx: DbOrTx,
  command: OutboxInput,
  now: number,
  userId?: string,
): Promise<string> {
  const id = crypto.randomUUID();
  const full: OutboxCommand = command.type === "CREDIT" ? { ...command, ref: id } : command;
  const owner = userId ?? ("userId" in command ? command.userId : "");
  await tx.insert(outbox).values({ id, userId: owner, command: { ...full }, createdAt: now });
  return id;
}

/** Money that enters the platform in Postgres: ledger entry + engine CREDIT, in the caller's transaction. */
export async function creditWallet(
  tx: DbOrTx,
  m: Omit<LedgerMovement, "kind"> & { kind: CreditKind },
): Promise<LedgerEntry | null> {
  const entry = await appendLedgerEntry(tx, m);
  if (!entry) return null;
  await enqueueOutbox(
    tx,
    { type: "CREDIT", userId: m.userId, amountPaise: m.amountPaise, kind: m.kind },
    m.now,
  );
  return entry;
}

export async function sumLedger(tx: DbOrTx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ total: sql<string>`coalesce(sum(${ledgerEntries.amountPaise}), 0)` })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.userId, userId));
  return Number(row?.total ?? 0);
}
