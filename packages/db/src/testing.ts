import pg from "pg";
import { createDb, createPgliteDb, type DbHandle } from "./client.ts";
import { createRemoteDb } from "./remote.ts";

export const TEST_PG_ADMIN_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** "pglite-remote": in-memory PGlite behind createRemoteDb, each request and result cloned as a message is. */
export type TestDbKind = "pglite" | "pglite-remote" | "postgres";

/** A test database; `url` (Postgres only) is for child processes that open it themselves. */
export type TestDb = DbHandle & { url?: string };

/**
 * A migrated, empty database for one test file: in-memory PGlite, or a fresh database on the real
 * Postgres server that `close()` drops again.
 */
export async function createTestDb(
  kind: TestDbKind,
  options: { maxConnections?: number } = {},
): Promise<TestDb> {
  if (kind === "pglite") return createDb();
  if (kind === "pglite-remote") {
    const host = await createPgliteDb();
    const db = createRemoteDb(async (request) => structuredClone(await host.serve(structuredClone(request))));
    return { ...host, db, read: db };
  }
  const name = `ox_test_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const handle = await createDb({ url: url.toString(), maxConnections: options.maxConnections ?? 30 });
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
