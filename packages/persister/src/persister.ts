import { createPersisterHealth, type EventLog, type LogEntry, type PersisterHealth } from "@ox/bus";
import type { LoggedRecord, LogRecord } from "@ox/contracts/pipeline";
import { consumerOffsets, type Db, DEFAULT_PERSISTER_NAME, persisterQuarantine, type Tx } from "@ox/db";
import { eq, sql } from "drizzle-orm";
import pino, { type Logger } from "pino";
import { batchLogView } from "./batch-log.ts";
import type { PersisterMetrics } from "./metrics.ts";
import { planBatch } from "./plan.ts";
import { saveOffset, writePlan } from "./write.ts";

export interface PersisterOptions {
  /** The engine's log (a LogBatch is persisted as one record: batch-log.ts), or a shard's view of its log. */
  log: EventLog<LoggedRecord>;
  db: Db;
  logger?: Logger;
  /** Commands per transaction (a LogBatch record counts as its commands: batch-log.ts). */
  batchSize?: number;
  /**
   * Behind the log, transactions grow: after a full read the next one reads twice as many
   * commands, up to this many; after one that was not full (caught up), batchSize again. The cost
   * of a record falls with the size of its transaction, so a persister that lags catches up
   * faster for the same CPU. Default: batchSize (no growth).
   */
  maxBatchSize?: number;
  /** Row of consumer_offsets this persister owns (one per log partition). */
  name?: string;
  /** Idle wait when the log has nothing new. */
  pollMs?: number;
  /**
   * After a batch that was not full (the persister has caught up), wait this long before the next
   * one, so that under a steady trickle each transaction carries more records (like Kafka's
   * linger.ms). Embedded mode uses it because PGlite shares the process's one thread. Default 0.
   */
  lingerMs?: number;
  /** Test seam: runs inside the transaction after every row is written, before the offset commits. */
  beforeCommit?: (info: { from: number; to: number }) => void | Promise<void>;
  now?: () => number;
  /** Health thresholds (health.ts): lag above which it is "lagging", no progress for which it is "stuck". */
  maxLag?: number;
  stuckAfterMs?: number;
  /** Prometheus metrics (createPersisterMetrics); absent = none. */
  metrics?: PersisterMetrics;
}

export interface BatchResult {
  records: number;
  events: number;
  rows: number;
  /** Offset of the next record to persist. */
  offset: number;
  /** Round trips to the database inside the batch's transaction(s), begin and commit included. */
  statements: number;
}

export interface PersisterStatus {
  offset: number;
  endOffset: number;
  lag: number;
  batches: number;
  records: number;
  rows: number;
  /** Records this process put in the quarantine table. */
  quarantined: number;
}

export interface Persister {
  /** Persists at most one batch; null when the log has nothing after the stored offset. */
  runOnce(): Promise<BatchResult | null>;
  /** Persists until the stored offset reaches the log's end as read when this was called. */
  catchUp(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
  /** Counters of this process; `lag` uses the end offset last read. For the truth use health(). */
  status(): PersisterStatus;
  /** Committed offset (Postgres) against the log's end read now; ok / lagging / stuck (health.ts). */
  health(): Promise<PersisterHealth>;
}

export { DEFAULT_PERSISTER_NAME };

export function createPersister(options: PersisterOptions): Persister {
  const { db } = options;
  const log = batchLogView(options.log);
  const logger = options.logger ?? pino({ name: "persister" });
  const batchSize = options.batchSize ?? 500;
  const maxBatchSize = Math.max(batchSize, options.maxBatchSize ?? batchSize);
  /** Commands the next batch reads: batchSize, doubled after each full read up to maxBatchSize. */
  let nextSize = batchSize;
  const name = options.name ?? DEFAULT_PERSISTER_NAME;
  const pollMs = options.pollMs ?? 50;
  const lingerMs = options.lingerMs ?? 0;
  const now = options.now ?? Date.now;
  const stats = { offset: -1, endOffset: 0, batches: 0, records: 0, rows: 0, quarantined: 0 };
  let lastLagAt = 0;
  /** The stored offset as of this process's last transaction; null: read it. */
  let committed: number | null = null;
  let loop: Promise<void> | null = null;
  let stopping = false;

  async function storedOffset(q: Db | Tx): Promise<number> {
    const [row] = await q
      .select({ offset: consumerOffsets.offset })
      .from(consumerOffsets)
      .where(eq(consumerOffsets.name, name));
    return row?.offset ?? 0;
  }

  /**
   * The offset row, locked for the transaction (a twin persister on the same row waits here): one
   * round trip once the row exists.
   */
  async function lockOffset(tx: Tx): Promise<number> {
    const select = async () => {
      const r = (await tx.execute(
        sql`select "offset" from consumer_offsets where name = ${name} for update`,
      )) as unknown as { rows: Array<{ offset: number | string }> };
      return r.rows[0] === undefined ? undefined : Number(r.rows[0].offset);
    };
    const offset = await select();
    if (offset !== undefined) return offset;
    await tx.insert(consumerOffsets).values({ name, offset: 0, updatedAt: now() }).onConflictDoNothing();
    return (await select()) ?? 0;
  }

  const probe = createPersisterHealth({
    offset: () => storedOffset(db),
    endOffset: async () => {
      stats.endOffset = await log.endOffset();
      return stats.endOffset;
    },
    quarantined: () => stats.quarantined,
    maxLag: options.maxLag,
    stuckAfterMs: options.stuckAfterMs,
  });

  async function runOnce(): Promise<BatchResult | null> {
    // The offset this process committed last: the transaction locks and rereads the stored one, so
    // a stale value (a twin persister went further) only costs a read of records it then drops.
    const from = committed ?? (await storedOffset(db));
    const size = nextSize;
    const entries = await log.read(from, size);
    nextSize = log.lastReadFull() ? Math.min(size * 2, maxBatchSize) : batchSize;
    if (entries.length === 0) {
      stats.offset = from;
      committed = null; // idle: the next poll reads the stored offset (an operator may have moved it)
      return null;
    }
    const started = performance.now();
    let result: BatchResult;
    try {
      result = await commit(entries, null);
    } catch (err) {
      committed = null;
      // A data error (SQLSTATE class 22/23) is one record Postgres will never take: find it by
      // writing the batch record by record and quarantine only that one. Anything else (the
      // database down, a timeout) is thrown and retried as it is: quarantining then would lose data.
      if (!isDataError(err)) throw err;
      result = await oneByOne(entries);
    }
    committed = result.offset;
    const ms = performance.now() - started;
    stats.offset = result.offset;
    stats.batches++;
    stats.records += result.records;
    stats.rows += result.rows;
    if (result.records > 0) options.metrics?.batch(result.records, result.rows, ms / 1000);
    if (result.records > 0 && logger.isLevelEnabled("debug")) {
      // Follow one order through the logs: the request id the API stamped travels in each record.
      for (const e of entries)
        if (e.offset >= result.offset - result.records && e.offset < result.offset)
          logger.debug(
            { reqId: e.record.requestId, envelopeId: e.record.envelopeId, offset: e.offset },
            "record persisted",
          );
    }
    await reportLag(result, ms);
    return result;
  }

  /**
   * One transaction: `entries` from the stored offset on (another persister on the same row may have
   * committed meanwhile), or, with `poison`, that one record into the quarantine table instead.
   */
  async function commit(entries: Array<LogEntry<LogRecord>>, poison: { error: unknown } | null) {
    return db.transaction(async (tx) => {
      const start = await lockOffset(tx);
      const todo = entries.filter((e) => e.offset >= start);
      const [entry] = todo;
      if (!entry || entry.offset !== start)
        return { records: 0, events: 0, rows: 0, offset: start, statements: 3 };
      const next = checkDense(todo) + 1;
      if (poison) {
        await tx
          .insert(persisterQuarantine)
          .values({
            consumer: name,
            logOffset: entry.offset,
            sqlState: sqlStateOf(poison.error),
            error: errorText(poison.error),
            record: JSON.stringify(entry.record),
            createdAt: now(),
          })
          .onConflictDoNothing();
        await saveOffset(tx, name, entry.offset + 1, now());
        await options.beforeCommit?.({ from: start, to: entry.offset + 1 });
        return { records: 1, events: 0, rows: 1, offset: entry.offset + 1, statements: 5 };
      }
      const plan = planBatch(todo);
      await keyedLookups(tx);
      // The rows and the offset: one statement (write.ts), so they commit together.
      const written = await writePlan(tx, plan, { name, offset: next, now: now() });
      await options.beforeCommit?.({ from: start, to: next });
      if (written.walletMissing > 0)
        logger.warn(
          { count: written.walletMissing },
          "persister: ledger movements of users without a wallet were not posted",
        );
      return {
        records: todo.length,
        events: plan.events,
        rows: written.rows,
        offset: next,
        // begin, the offset lock, the planner settings, the writes, commit
        statements: written.statements + 4,
      };
    });
  }

  async function oneByOne(entries: Array<LogEntry<LogRecord>>): Promise<BatchResult> {
    const total: BatchResult = {
      records: 0,
      events: 0,
      rows: 0,
      offset: entries[0]?.offset ?? 0,
      statements: 0,
    };
    for (const entry of entries) {
      let r: BatchResult;
      try {
        r = await commit([entry], null);
      } catch (err) {
        if (!isDataError(err)) throw err;
        r = await commit([entry], { error: err });
        if (r.records > 0) {
          stats.quarantined++;
          logger.error(
            {
              offset: entry.offset,
              sqlState: sqlStateOf(err),
              err: errorText(err),
              quarantined: stats.quarantined,
            },
            "persister: record quarantined (Postgres refused it); carrying on",
          );
        }
      }
      total.records += r.records;
      total.events += r.events;
      total.rows += r.rows;
      total.offset = r.offset;
      total.statements += r.statements;
    }
    return total;
  }

  async function reportLag(result: BatchResult, ms: number) {
    // The log's end at most once a second: each ask is a metadata refresh and two ListOffsets
    // requests to the broker, and a persister that keeps up passes the last end it read every batch.
    const t = Date.now();
    if (t - lastLagAt >= 1_000) {
      lastLagAt = t;
      stats.endOffset = await log.endOffset();
    }
    logger.info(
      {
        offset: result.offset,
        endOffset: stats.endOffset,
        lag: Math.max(0, stats.endOffset - result.offset),
        records: result.records,
        events: result.events,
        rows: result.rows,
        statements: result.statements,
        ms: Math.round(ms),
        rowsPerSec: Math.round((result.rows * 1000) / Math.max(ms, 1)),
      },
      "persister: batch committed",
    );
  }

  async function catchUp(): Promise<number> {
    const end = await log.endOffset();
    stats.endOffset = end;
    let records = 0;
    let offset = committed ?? (await storedOffset(db));
    while (offset < end) {
      const r = await runOnce();
      if (!r) break;
      records += r.records;
      offset = r.offset;
    }
    return records;
  }

  const persister: Persister = {
    runOnce,
    catchUp,
    start() {
      if (loop) return;
      stopping = false;
      loop = (async () => {
        let failures = 0;
        while (!stopping) {
          try {
            const r = await runOnce();
            failures = 0;
            if (!r) await sleep(pollMs);
            // Not full (in commands: a LogBatch record holds many): caught up, so linger.
            else if (lingerMs > 0 && !log.lastReadFull()) await sleep(lingerMs);
          } catch (err) {
            failures++;
            options.metrics?.failure();
            logger.error({ err, failures }, "persister: batch failed; retrying");
            await sleep(Math.min(5_000, pollMs * 2 ** Math.min(failures, 7)));
          }
        }
      })();
    },
    async stop() {
      stopping = true;
      await loop;
      loop = null;
    },
    status: () => ({ ...stats, lag: Math.max(0, stats.endOffset - stats.offset) }),
    health: () => probe.read(),
  };
  options.metrics?.watch(persister);
  return persister;
}

/**
 * For the rest of the transaction, joins by nested loop over an index only. The batch's updates
 * join a few thousand keys against orders, markets and wallets; on a table with no statistics
 * (PGlite: a single-user Postgres has no autovacuum, so nothing ever analyzes) the planner guesses
 * its size from its pages and hashes the whole table for every batch (PGlite 0.5 / Postgres 18: with
 * 500 orders to update, up to 100 000-200 000 orders; with 2 000, up to 200 000-400 000) — a cost
 * that grows with the table, not the batch. A key lookup is the right plan at any size.
 */
async function keyedLookups(tx: Tx) {
  await tx.execute(
    sql`select set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`,
  );
}

/** The SQLSTATE of a Postgres error (pg and PGlite set `code`; drizzle wraps it in `cause`). */
export function sqlStateOf(err: unknown): string | null {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e !== null && typeof e === "object"; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** Data exceptions (22: e.g. a NUL in text, bad JSON escape) and integrity violations (23). */
export function isDataError(err: unknown): boolean {
  const state = sqlStateOf(err);
  return state !== null && (state.startsWith("22") || state.startsWith("23"));
}

function errorText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e instanceof Error; depth++) {
    parts.push(e.message);
    e = e.cause;
  }
  return (parts.join(" <- ") || String(err)).replaceAll("\0", "\\0").slice(0, 2_000);
}

/** Throws unless the offsets follow each other without a gap; returns the last one. */
function checkDense(entries: Array<LogEntry<LogRecord>>): number {
  let last = -1;
  for (const { offset } of entries) {
    if (last >= 0 && offset !== last + 1) {
      throw new Error(`event log is not dense: offset ${offset} after ${last}`);
    }
    last = offset;
  }
  return last;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
