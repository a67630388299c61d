/**
 * Ledger entries with exact running balances: the wallets of the batch are locked (in user id order,
 * like every other writer, so no deadlock), balances are carried forward in memory in event order,
 * and the entries and wallets are written by the batch's one statement (write.ts), as two of its CTEs.
 */
import { ledgerEntries, outbox, type Tx, wallets } from "@ox/db";
import { sql } from "drizzle-orm";
import type { Movement } from "./plan.ts";
import { insertFromArrays, Statement, unnestInto } from "./unnest.ts";

const anyOf = (values: string[]) => sql`any(${sql.param(values)}::text[])`;

export interface LedgerWrite {
  /** `insert into ledger_entries … on conflict (reference) do nothing` (append `returning`); null: none. */
  insert: Statement | null;
  /** The update of each touched wallet to its last entry's balance. */
  wallets: Statement;
  /** Entries `insert` must insert: fewer means a reference was already there. */
  entries: number;
  rows: number;
  originSkipped: number;
  walletMissing: number;
  /** Round trips the lookups took. */
  statements: number;
}

/** Looks up origin movements, locks the wallets and carries the balances: the statements to run. */
export async function prepareLedger(tx: Tx, all: Movement[]): Promise<LedgerWrite> {
  let statements = 0;
  const refs = [...new Set(all.flatMap((m) => (m.engineRef ? [m.engineRef] : [])))];
  const fromOutbox = new Set<string>();
  if (refs.length) {
    statements++;
    const found = await tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(sql`${outbox.id} = ${anyOf(refs)}`);
    for (const r of found) fromOutbox.add(r.id);
  }
  // Withdrawals are reserved by the engine first and then recorded by the API with reference `wd:<id>`.
  const isOrigin = (m: Movement) =>
    m.engineRef !== null && (fromOutbox.has(m.engineRef) || m.engineRef.startsWith("wd:"));
  const movements = all.filter((m) => !isOrigin(m));
  const originSkipped = all.length - movements.length;
  const userIds = [...new Set(movements.map((m) => m.userId))].sort();
  const balance = new Map<string, number>();
  if (userIds.length) {
    statements++;
    const locked = await tx
      .select({ userId: wallets.userId, balancePaise: wallets.balancePaise })
      .from(wallets)
      .where(sql`${wallets.userId} = ${anyOf(userIds)}`)
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
  if (entries.length === 0)
    return {
      insert: null,
      wallets: new Statement(),
      entries: 0,
      rows: 0,
      originSkipped,
      walletMissing,
      statements,
    };
  // Ids follow event order, so a user's entries by id carry their running balance.
  const insert = insertFromArrays(ledgerEntries, entries, true).text(" on conflict (reference) do nothing");
  // Each wallet ends at the balance of its user's last entry of the batch.
  const last = [...new Map(entries.map((e) => [e.userId, e])).values()];
  const update = new Statement().text(
    "update wallets set balance_paise = v.balance, updated_at = greatest(wallets.updated_at, v.ts) from ",
  );
  unnestInto(update, "v", [
    ["user_id", "text", last.map((e) => e.userId)],
    ["balance", "bigint", last.map((e) => e.balanceAfterPaise)],
    ["ts", "bigint", last.map((e) => e.createdAt)],
  ]).text(" where wallets.user_id = v.user_id");
  return {
    insert,
    wallets: update,
    entries: entries.length,
    rows: entries.length + last.length,
    originSkipped,
    walletMissing,
    statements,
  };
}
