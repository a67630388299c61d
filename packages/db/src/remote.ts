/**
 * PGlite on another thread (embedded mode: the persister's worker owns it), and a drizzle `Db` on
 * this one whose every statement is a message to it. One database, one connection: PGlite is
 * single-connection, so a transaction is `begin` … statements tagged with its id … `end`, and the
 * host runs it inside PGlite's own transaction() while every other statement waits on PGlite's
 * lock, exactly as with PGlite in-process. The host never queues requests behind each other: a
 * statement of an open transaction must pass the untagged statements waiting for that lock, or
 * the two would wait for each other for ever.
 */
import { type PGlite, type Transaction, types } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import type { Db } from "./client.ts";
import * as schema from "./schema/index.ts";

export type DbRequest =
  /** `tx` 0 is outside any transaction. */
  | { op: "query"; tx: number; sql: string; params: unknown[]; rowMode: "array" | "object" }
  | { op: "begin"; tx: number }
  | { op: "end"; tx: number; commit: boolean };

export interface DbQueryResult {
  rows: unknown[];
  affectedRows?: number;
  fields: Array<{ name: string; dataTypeID: number }>;
}

/**
 * Drizzle's PGlite session hands these parsers with every statement (timestamps, dates and
 * intervals stay text); they are functions, which a message cannot carry, so the host applies the
 * same ones to every statement it runs.
 */
const keepText = (value: string) => value;
const PARSERS = Object.fromEntries(
  [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182].map(
    (oid) => [oid, keepText],
  ),
);

/** The thread that owns the PGlite instance: answers DbRequests on it. */
export function createDbHost(client: PGlite): (request: DbRequest) => Promise<DbQueryResult | null> {
  interface Open {
    tx?: Transaction;
    decide: (commit: boolean) => void;
    /** Settles when PGlite has committed or rolled back. */
    ended: Promise<void>;
  }
  const open = new Map<number, Open>();
  const rollback = new Error("rollback");
  return async (request) => {
    switch (request.op) {
      case "query": {
        const target = request.tx === 0 ? client : open.get(request.tx)?.tx;
        if (!target) throw new Error(`transaction ${request.tx} is not open`);
        const r = await target.query(request.sql, request.params, {
          rowMode: request.rowMode,
          parsers: PARSERS,
        });
        return { rows: r.rows, affectedRows: r.affectedRows, fields: r.fields };
      }
      case "begin": {
        // Answers once PGlite has begun (from then on other statements wait); the transaction
        // stays open until its `end`.
        let decide: (commit: boolean) => void = () => {};
        const decided = new Promise<boolean>((resolve) => {
          decide = resolve;
        });
        let begun: () => void = () => {};
        const started = new Promise<void>((resolve) => {
          begun = resolve;
        });
        const entry: Open = { decide, ended: Promise.resolve() };
        open.set(request.tx, entry);
        entry.ended = client
          .transaction(async (tx) => {
            entry.tx = tx;
            begun();
            if (!(await decided)) throw rollback;
          })
          .then(
            () => {},
            (err) => {
              if (err !== rollback) throw err;
            },
          )
          .finally(() => open.delete(request.tx));
        // Whichever comes first: begun, or the transaction failing to begin.
        await Promise.race([started, entry.ended]);
        if (!entry.tx) throw new Error(`transaction ${request.tx} did not begin`);
        return null;
      }
      case "end": {
        const entry = open.get(request.tx);
        if (!entry) throw new Error(`transaction ${request.tx} is not open`);
        entry.decide(request.commit);
        await entry.ended;
        return null;
      }
    }
  };
}

type Call = (request: DbRequest) => Promise<DbQueryResult | null>;

/** A drizzle Db whose statements run on the host behind `call` (another thread's PGlite). */
export function createRemoteDb(call: Call): Db {
  let lastTx = 0;
  const queryOn =
    (tx: number) =>
    async (sql: string, params: unknown[] = [], options?: { rowMode?: "array" | "object" }) =>
      (await call({ op: "query", tx, sql, params, rowMode: options?.rowMode ?? "object" })) as DbQueryResult;
  // The part of PGlite's interface drizzle's PGlite session uses: query() and transaction();
  // nested transactions are savepoints, i.e. statements of the outer one.
  const client = {
    query: queryOn(0),
    async transaction<T>(fn: (tx: { query: ReturnType<typeof queryOn> }) => Promise<T>): Promise<T> {
      const tx = ++lastTx;
      await call({ op: "begin", tx });
      let result: T;
      try {
        result = await fn({ query: queryOn(tx) });
      } catch (err) {
        await call({ op: "end", tx, commit: false }).catch(() => {});
        throw err;
      }
      await call({ op: "end", tx, commit: true });
      return result;
    },
  };
  return drizzlePglite({ client: client as unknown as PGlite, schema }) as unknown as Db;
}
