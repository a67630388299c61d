import { expect, test } from "bun:test";
import { TEST_PG_ADMIN_URL } from "@ox/db/testing";
import { sql } from "drizzle-orm";
import pg from "pg";
import { createDb } from "./client.ts";

test("a connection killed mid-transaction rejects that transaction only; the pool serves the next query", async () => {
  const lost: string[] = [];
  const handle = await createDb({
    url: TEST_PG_ADMIN_URL,
    migrate: false,
    maxConnections: 2,
    logger: { warn: (_fields, message) => lost.push(message) },
  });
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    const inTx = handle.db.transaction(async (tx) => {
      const rows = await tx.execute(sql`select pg_backend_pid() as pid`);
      const pid = (rows as unknown as { rows: { pid: number }[] }).rows[0]?.pid;
      // The server drops this connection while the transaction holds it (as a restart would).
      await admin.query("select pg_terminate_backend($1)", [pid]);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the error arrives between queries
      await tx.execute(sql`select 1`);
    });
    await expect(inTx).rejects.toThrow();
    expect(lost).toContain("postgres connection lost");
    await handle.ping(); // no crash, and the pool hands out a working connection
  } finally {
    await admin.end();
    await handle.close();
  }
});
