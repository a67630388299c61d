/**
 * Migration 0004 adds unique indexes over live KYC requests. A database that already holds farmed
 * accounts (three VERIFIED requests on one PAN, as issue 9 found) must still migrate: the later
 * duplicates are rejected, the earliest kept, and already-paid referrals marked rewarded.
 */
import { expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { migrationsFolder } from "./client.ts";

test("0004 migrates a database with duplicate PANs and bank accounts", async () => {
  const before = mkdtempSync(join(tmpdir(), "ox-mig-"));
  try {
    cpSync(migrationsFolder, before, { recursive: true });
    const journalPath = join(before, "meta/_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
    const upTo = journal.entries.findIndex((e) => e.tag.startsWith("0004_"));
    expect(upTo).toBeGreaterThan(0);
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }));

    const client = new PGlite();
    const db = drizzle({ client });
    await migrate(db, { migrationsFolder: before });
    for (const u of ["u1", "u2", "u3", "u4"])
      await client.query(`insert into users (id, phone, referral_code, created_at) values ($1, $1, $1, 1)`, [
        u,
      ]);
    const kyc = (
      id: string,
      user: string,
      pan: string,
      bank: string,
      ifsc: string,
      status: string,
      at: number,
    ) =>
      client.query(
        `insert into kyc_requests (id, user_id, pan, name, bank_account, ifsc, status, created_at)
         values ($1, $2, $3, 'A B', $4, $5, $6, $7)`,
        [id, user, pan, bank, ifsc, status, at],
      );
    await kyc("k1", "u1", "FARMA1234Z", "111111111", "SBIN0000001", "VERIFIED", 1);
    await kyc("k2", "u2", "FARMA1234Z", "222222222", "SBIN0000001", "VERIFIED", 2);
    await kyc("k3", "u3", "OTHER1234Z", "111111111", "SBIN0000999", "PENDING", 3);
    await kyc("k4", "u4", "FARMA1234Z", "444444444", "SBIN0000001", "REJECTED", 0);
    await client.query(
      `insert into referrals (id, referrer_id, referee_id, code, bonus_paise, created_at) values ('r1', 'u1', 'u2', 'u1', 500, 7)`,
    );

    await migrate(db, { migrationsFolder });
    const rows = await client.query<{ id: string; status: string }>(
      "select id, status from kyc_requests order by id",
    );
    expect(rows.rows).toEqual([
      { id: "k1", status: "VERIFIED" },
      { id: "k2", status: "REJECTED" },
      { id: "k3", status: "REJECTED" },
      { id: "k4", status: "REJECTED" },
    ]);
    const ref = await client.query<{ rewarded_at: number }>("select rewarded_at from referrals");
    expect(Number(ref.rows[0]?.rewarded_at)).toBe(7);
    await expect(kyc("k5", "u4", "FARMA1234Z", "555555555", "HDFC0000001", "PENDING", 9)).rejects.toThrow(
      /kyc_pan_live/,
    );
    await client.close();
  } finally {
    rmSync(before, { recursive: true, force: true });
  }
});
