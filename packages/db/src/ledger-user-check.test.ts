/**
 * Migration 0009: ledger_entries.user_id has no foreign key any more but statement triggers that
 * give its guarantees: an entry's user must exist (checked once per insert statement, the users
 * locked FOR KEY SHARE as the foreign key does), and a user with entries can be neither deleted nor
 * given another id.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestDb, type TestDb, type TestDbKind } from "@ox/db/testing";
import { sql } from "drizzle-orm";
import pg from "pg";

/** The SQLSTATE the promise rejects with (drizzle puts the driver's error in `cause`); null if it resolves. */
async function sqlState(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    let e: unknown = err;
    while (e && typeof e === "object") {
      const code = (e as { code?: unknown }).code;
      if (typeof code === "string") return code;
      e = (e as { cause?: unknown }).cause;
    }
    throw err;
  }
}

const entry = (user: string, reference: string) => sql`(${user}, 'DEPOSIT', 100, 100, ${reference}, 1)`;
const insertEntries = (rows: ReturnType<typeof entry>[]) =>
  sql`insert into ledger_entries (user_id, kind, amount_paise, balance_after_paise, reference, created_at) values ${sql.join(rows, sql`, `)}`;

for (const kind of ["pglite", "postgres"] as TestDbKind[]) {
  describe(`ledger_entries' users on ${kind}`, () => {
    let h: TestDb;
    beforeAll(async () => {
      h = await createTestDb(kind);
      for (const u of ["u1", "u2", "u3"])
        await h.db.execute(
          sql`insert into users (id, phone, referral_code, created_at) values (${u}, ${u}, ${u}, 1)`,
        );
    });
    afterAll(async () => {
      await h?.close();
    });

    test("entries of existing users go in, many users and rows in one statement", async () => {
      await h.db.execute(insertEntries([entry("u1", "a1"), entry("u2", "a2"), entry("u1", "a3")]));
      const r = (await h.db.execute(sql`select count(*)::int as n from ledger_entries`)) as unknown as {
        rows: Array<{ n: number }>;
      };
      expect(r.rows[0]?.n).toBe(3);
    });

    test("one entry of a user that does not exist refuses the whole statement (23503)", async () => {
      expect(await sqlState(h.db.execute(insertEntries([entry("nobody", "b1")])))).toBe("23503");
      expect(
        await sqlState(
          h.db.execute(insertEntries([entry("u1", "b2"), entry("nobody", "b3"), entry("u2", "b4")])),
        ),
      ).toBe("23503");
      const r = (await h.db.execute(
        sql`select count(*)::int as n from ledger_entries where reference like 'b%'`,
      )) as unknown as { rows: Array<{ n: number }> };
      expect(r.rows[0]?.n).toBe(0);
    });

    test("a user with entries can be neither deleted nor renumbered; others can", async () => {
      expect(await sqlState(h.db.execute(sql`delete from users where id = 'u1'`))).toBe("23503");
      expect(await sqlState(h.db.execute(sql`update users set id = 'u9' where id = 'u2'`))).toBe("23503");
      await h.db.execute(sql`update users set phone = 'p2' where id = 'u2'`);
      await h.db.execute(sql`update users set id = 'u4' where id = 'u3'`);
      await h.db.execute(sql`delete from users where id = 'u4'`);
      const r = (await h.db.execute(sql`select id from users order by id`)) as unknown as {
        rows: Array<{ id: string }>;
      };
      expect(r.rows.map((u) => u.id)).toEqual(["u1", "u2"]);
    });

    if (kind === "postgres")
      test("a user deleted while an entry of theirs is inserted: one of the two fails", async () => {
        await h.db.execute(
          sql`insert into users (id, phone, referral_code, created_at) values ('c1', 'c1', 'c1', 1), ('c2', 'c2', 'c2', 1)`,
        );
        const a = new pg.Client({ connectionString: h.url });
        const b = new pg.Client({ connectionString: h.url });
        await a.connect();
        await b.connect();
        try {
          // The insert first: the delete waits for its commit, then finds the entry.
          await a.query("begin");
          await a.query(
            "insert into ledger_entries (user_id, kind, amount_paise, balance_after_paise, reference, created_at) values ('c1', 'DEPOSIT', 1, 1, 'c1-1', 1)",
          );
          const del = sqlState(b.query("delete from users where id = 'c1'"));
          await a.query("commit");
          expect(await del).toBe("23503");
          // The delete first: the insert waits for its commit, then finds no user.
          await b.query("begin");
          await b.query("delete from users where id = 'c2'");
          const ins = sqlState(
            a.query(
              "insert into ledger_entries (user_id, kind, amount_paise, balance_after_paise, reference, created_at) values ('c2', 'DEPOSIT', 1, 1, 'c2-1', 1)",
            ),
          );
          await b.query("commit");
          expect(await ins).toBe("23503");
        } finally {
          await a.end();
          await b.end();
        }
      });
  });
}
