import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { createDbHost } from "./remote.ts";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
/** The driver-independent database handle every repository takes. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type DbOrTx = Db | Tx;

export interface CreateDbOptions {
  /** postgres://… → node-postgres pool. Absent → embedded PGlite. */
  url?: string;
  /** PGlite data directory; absent → in-memory (tests). */
  dataDir?: string;
  /** Pool size for node-postgres. */
  maxConnections?: number;
  /** Apply the checked-in migrations before returning (default true). */
  migrate?: boolean;
  /** Where connection losses are reported (they are survived either way). */
  logger?: { warn(fields: object, message: string): void };
  /**
   * postgres://… of a streaming replica (DATABASE_READ_URL) for `read`. Absent → `read` is `db`.
   * Never migrated (a standby is read-only; it gets the schema by replication).
   */
  readUrl?: string;
}

export interface DbHandle {
  /** The primary: every write, and every read that must see its own writes. */
  db: Db;
  /**
   * History and analytics reads (trades, candles, fills, transactions, admin lists): a streaming
   * replica when `readUrl` was given, else the primary. A replica may lag: what it returns is a
   * consistent but possibly older state (README "Read replica").
   */
  read: Db;
  driver: "postgres" | "pglite";
  /** A round trip to the database, for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));

/** The only place that imports a database driver (STYLE §6). */
export async function createDb(options: CreateDbOptions = {}): Promise<DbHandle> {
  const shouldMigrate = options.migrate ?? true;
  if (options.url) {
    const primary = await createPool(options.url, options, shouldMigrate);
    const replica = options.readUrl ? await createPool(options.readUrl, options, false) : undefined;
    return {
      db: primary.db,
      read: replica?.db ?? primary.db,
      driver: "postgres",
      ping: primary.ping,
      close: async () => {
        await Promise.all([primary.close(), replica?.close()]);
      },
    };
  }
  return createPgliteDb(options);
}

/**
 * PGlite's own start-up flags (it runs Postgres single-user, with fsync off: `-F`) and two more
 * that follow from fsync off. full_page_writes guards against a page half-written when the machine
 * loses power, which fsync off already gives up; a process that dies leaves no half-written page
 * (the kernel has every write it made). wal_init_zero fills each new 16 MiB WAL segment with zeros
 * before use, so that its blocks are allocated on disk; without fsync that buys nothing either.
 */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  "-c",
  "full_page_writes=off",
  "-c",
  "wal_init_zero=off",
];

/** WAL written since the last checkpoint above which `checkpointIfDue` checkpoints by default. */
export const PGLITE_CHECKPOINT_WAL_BYTES = 64 * 1024 * 1024;

export interface PgliteHandle extends DbHandle {
  /** Answers the statements of a createRemoteDb on another thread with this instance (remote.ts). */
  serve: ReturnType<typeof createDbHost>;
  /**
   * Checkpoints when more than `maxWalBytes` of WAL were written since the last checkpoint; true
   * if it did. Single-user Postgres has no checkpointer: without this nothing checkpoints until
   * close, so the WAL directory grows by every byte written (some 2.4 KB per order) and a restart
   * after a crash replays all of it. After a checkpoint Postgres reuses the old segments.
   */
  checkpointIfDue(maxWalBytes?: number): Promise<boolean>;
}

/** PGlite (in the data directory, or in memory), migrated. */
export async function createPgliteDb(
  options: Pick<CreateDbOptions, "dataDir" | "migrate"> = {},
): Promise<PgliteHandle> {
  const client = new PGlite(options.dataDir, { startParams: [...PGLITE_START_PARAMS] });
  await client.waitReady;
  const db = drizzlePglite({ client, schema });
  if (options.migrate ?? true) await migratePglite(db, { migrationsFolder });
  return {
    db: db as unknown as Db,
    read: db as unknown as Db,
    driver: "pglite",
    ping: async () => {
      await client.query("select 1");
    },
    close: () => client.close(),
    serve: createDbHost(client),
    async checkpointIfDue(maxWalBytes = PGLITE_CHECKPOINT_WAL_BYTES) {
      const { rows } = await client.query<{ bytes: string }>(
        "select (pg_current_wal_insert_lsn() - redo_lsn)::text as bytes from pg_control_checkpoint()",
      );
      if (Number(rows[0]?.bytes ?? 0) <= maxWalBytes) return false;
      await client.exec("checkpoint");
      return true;
    },
  };
}

/** One node-postgres pool behind drizzle. */
async function createPool(url: string, options: CreateDbOptions, shouldMigrate: boolean) {
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 20 });
  // A client dropped by the server (restart, failover, admin kill) must not crash the process.
  // Idle clients report on the pool; a checked-out client (mid-transaction) reports on itself,
  // and without a listener node-postgres would throw. Either way the query in flight rejects,
  // the pool discards the broken client, and the caller's retry gets a fresh connection.
  const lost = (err: Error) =>
    options.logger?.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      "postgres connection lost",
    );
  pool.on("error", lost);
  pool.on("connect", (client) => client.on("error", lost));
  const db = drizzleNodePg({ client: pool, schema });
  if (shouldMigrate) await migrateNodePg(db, { migrationsFolder });
  return {
    db: db as unknown as Db,
    ping: async () => {
      await pool.query("select 1");
    },
    close: () => pool.end(),
  };
}
