/**
 * Ledger entries with exact running balances: the wallets of the batch are locked (in user id order,
 * like every other writer, so no deadlock), balances are carried forward in memory in event order,
 * and entries and wallets are written with one statement each.
 */
import { ledgerEntries, outbox, type Tx, wallets } from "@ox/db";
import { sql } from "drizzle-orm";
import type { Movement } from "./plan.ts";
import { insertFromArrays, unnestAs } from "./unnest.ts";

const anyOf = (values: string[]) => sql`any(${sql.param(values)}::text[])`;

export async function writeLedger(tx: Tx, all: Movement[]) {
  const refs = [...new Set(all.flatMap((m) => (m.engineRef ? [m.engineRef] : [])))];
  const fromOutbox = new Set<string>();
  if (refs.length) {
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
  if (entries.length === 0) return { rows: 0, originSkipped, walletMissing };
  // Ids follow event order, so a user's entries by id carry their running balance.
  const result = await tx.execute(sql`with inserted as (
      ${insertFromArrays(ledgerEntries, entries, true)} on conflict (reference) do nothing returning 1
    ) select count(*)::int as n from inserted`);
  const [count] = (result as unknown as { rows: Array<{ n: number }> }).rows;
  const inserted = Number(count?.n);
  // The consumer offset makes every batch run once; a reference already present means a second writer.
  if (inserted !== entries.length)
    throw new Error(`ledger: ${entries.length - inserted} references already present`);
  // Each wallet ends at the balance of its user's last entry of the batch.
  const last = [...new Map(entries.map((e) => [e.userId, e])).values()];
  const v = unnestAs("v", [
    ["user_id", "text", last.map((e) => e.userId)],
    ["balance", "bigint", last.map((e) => e.balanceAfterPaise)],
    ["ts", "bigint", last.map((e) => e.createdAt)],
  ]);
  await tx.execute(sql`update wallets set balance_paise = v.balance, updated_at = greatest(wallets.updated_at, v.ts)
    from ${v} where wallets.user_id = v.user_id`);
  return { rows: entries.length + last.length, originSkipped, walletMissing };
}
