/**
 * The platform's side of the storage worker (persister-worker.ts): starts it (PGlite opens and
 * migrates there), gives the platform a drizzle Db on it, serves the worker's journal reads, and
 * stands for the persister here (status, health, catch-up, metrics).
 */
import { Worker } from "node:worker_threads";
import type { EventLog, FileJournal, PersisterHealth } from "@ox/bus";
import type { LoggedRecord } from "@ox/contracts/pipeline";
import { createRemoteDb, type Db, type DbQueryResult, type DbRequest } from "@ox/db";
import type { PersisterMetrics, PersisterStatus } from "@ox/persister";
import pino, { type Logger } from "pino";
import type { PersisterWorkerData, WireRead } from "./persister-worker.ts";
import { createRpc, Transfer } from "./thread-rpc.ts";

export interface PersisterThread {
  /** The database (one PGlite, on the worker) for the API, the KV table and the seeding. */
  db: Db;
  persister: {
    start(): void;
    catchUp(): Promise<number>;
    stop(): Promise<void>;
    /** The worker's counters as of its last batch (or failure). */
    status(): PersisterStatus;
    health(): Promise<PersisterHealth>;
  };
  /** Rejects if the worker dies (an uncaught error, or it exited) before close(). */
  failed: Promise<never>;
  /** Stops the persister, closes PGlite cleanly, ends the thread. */
  close(): Promise<void>;
}

export async function startPersisterThread(options: {
  data: PersisterWorkerData;
  log: EventLog<LoggedRecord>;
  logger: Logger;
  metrics?: PersisterMetrics;
}): Promise<PersisterThread> {
  const { log, metrics } = options;
  const journal = "readPayloads" in log ? (log as FileJournal<LoggedRecord>) : null;
  // A file journal is read by the worker itself (@ox/bus journal-reader.ts); log.read below is for Kafka
  // and for a worker that could not open the file.
  const workerData: PersisterWorkerData = {
    ...options.data,
    journalPath: journal ? options.data.journalPath : undefined,
  };
  const worker = new Worker(new URL("./persister-worker.ts", import.meta.url), { workerData });
  let status: PersisterStatus = {
    offset: -1,
    endOffset: 0,
    lag: 0,
    batches: 0,
    records: 0,
    rows: 0,
    quarantined: 0,
  };
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  let closing = false;
  let fail: (err: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {}); // observed by the platform's done and by the start below

  const rpc = createRpc(
    worker,
    {
      "log.endOffset": () => log.endOffset(),
      async "log.read"(from: number, max: number): Promise<WireRead | Transfer<WireRead>> {
        if (!journal) return { entries: await log.read(from, max) };
        const payloads = await journal.readPayloads(from, max);
        const { buffer } = payloads.bytes;
        // Transferred when the bytes own their buffer (not a slice of Node's shared pool).
        const owned = payloads.bytes.byteOffset === 0 && buffer instanceof ArrayBuffer;
        return owned ? new Transfer({ from, payloads }, [buffer]) : { from, payloads };
      },
    },
    {
      ready(s: PersisterStatus) {
        status = s;
        markReady();
      },
      batch(records: number, rows: number, seconds: number, s: PersisterStatus) {
        status = s;
        metrics?.batch(records, rows, seconds);
      },
      log(line: string) {
        const { level, msg, time: _t, pid: _p, hostname: _h, service: _s, ...fields } = JSON.parse(line);
        const label = pino.levels.labels[level] as pino.Level | undefined;
        if (label) options.logger[label](fields, msg);
      },
      failure(s: PersisterStatus) {
        status = s;
        metrics?.failure();
      },
    },
  );
  const gone = (err: Error) => {
    rpc.fail(err);
    if (!closing) {
      options.logger.error({ err }, "the persister's worker stopped");
      fail(err);
    }
  };
  worker.on("error", gone);
  worker.on("exit", (code) => gone(new Error(`the persister's worker exited (code ${code})`)));
  await Promise.race([ready, failed]);

  const persister: PersisterThread["persister"] = {
    start: () => void rpc.call("start"),
    catchUp: () => rpc.call<number>("catchUp"),
    stop: () => rpc.call<void>("stop"),
    status: () => ({ ...status }),
    health: () => rpc.call<PersisterHealth>("health"),
  };
  metrics?.watch(persister);
  return {
    db: createRemoteDb((request: DbRequest) => rpc.call<DbQueryResult | null>("db", request)),
    persister,
    failed,
    async close() {
      await rpc.call("close");
      closing = true;
      await worker.terminate();
    },
  };
}
