/**
 * The embedded platform's storage thread: PGlite (the data directory's `pg`) and the persister
 * that writes the engine's journal into it. The platform's thread reaches the database through
 * createRemoteDb (every statement a message here) and serves the journal's reads; so under a burst
 * the persister lags behind the orders instead of taking their thread. Started by
 * persister-thread.ts, never on its own.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import {
  type EventLog,
  type JournalPayloads,
  type JournalReader,
  type LogEntry,
  openJournalReader,
} from "@ox/bus";
import type { LoggedRecord } from "@ox/contracts/pipeline";
import { createPgliteDb, type DbRequest } from "@ox/db";
import { lowerThreadPriority } from "@ox/engine-service/thread-priority";
import { createLogger } from "@ox/logger";
import { createPersister, type PersisterMetrics } from "@ox/persister";
import type { LevelWithSilent } from "pino";
import { createRpc, type Rpc } from "./thread-rpc.ts";

export interface PersisterWorkerData {
  pgDir: string;
  logLevel: LevelWithSilent;
  lingerMs: number;
  /** Log records per transaction (the persister's batchSize; default its own). */
  batchSize?: number;
  /** Behind the log, transactions grow up to this many records (the persister's maxBatchSize). */
  maxBatchSize?: number;
  /**
   * This thread's nice value (Linux: a thread is a task with its own; 0..19, higher yields more).
   * When the order path and the storage want more CPU than the machine has, the kernel gives it to
   * the order path and the persister lags, then catches up when the burst ends; while there are idle
   * cores it runs as fast as before. Absent: the process's own.
   */
  nice?: number;
  maxLag?: number;
  stuckAfterMs?: number;
  /**
   * The engine's journal file, when the log is one: this thread reads the records from it itself
   * (@ox/bus openJournalReader) and asks the platform's thread only how many are durable.
   */
  journalPath?: string;
  /**
   * Profile this thread (bench:e2e --profile): a Chrome .cpuprofile written into this directory
   * at close. Bun's --cpu-prof covers the main thread only.
   */
  cpuProfileDir?: string;
}

/** A journal read as it crosses the threads: the payloads (journal) or decoded entries (Kafka). */
export type WireRead =
  | { from: number; payloads: JournalPayloads }
  | { entries: Array<LogEntry<LoggedRecord>> };

/** How often the storage thread checks whether a checkpoint is due. */
const CHECKPOINT_CHECK_MS = 5_000;

if (!parentPort) throw new Error("persister-worker.ts runs as a worker thread");
const port = parentPort;
const data = workerData as PersisterWorkerData;
// Each line goes to the platform's logger (persister-thread.ts), which writes it where its own go.
const logger = createLogger({
  level: data.logLevel,
  destination: { write: (line: string) => port.postMessage({ t: "event", name: "log", args: [line] }) },
}).child({ process: "persister" });

if (data.nice !== undefined) {
  try {
    const { tid, nice } = lowerThreadPriority(data.nice);
    logger.debug({ tid, nice }, "storage thread priority lowered");
  } catch (err) {
    // No /proc/thread-self (not Linux) is expected; a refused setpriority is worth a look.
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      logger.debug("the storage thread keeps the process's priority");
    else logger.warn({ err }, "could not lower the storage thread's priority");
  }
}

const profiler = data.cpuProfileDir ? await startProfiler(data.cpuProfileDir) : null;
const database = await createPgliteDb({ dataDir: data.pgDir });
const decoder = new TextDecoder();
let journal: JournalReader | null = data.journalPath ? await openJournalReader(data.journalPath) : null;
if (data.journalPath && !journal)
  logger.warn(
    { path: data.journalPath },
    "journal not readable here; reading it through the platform's thread",
  );

/** The records from the platform's thread: its journal's bytes (decoded here) or Kafka's entries. */
async function readThroughPlatform(from: number, max: number): Promise<Array<LogEntry<LoggedRecord>>> {
  const wire = await rpc.call<WireRead>("log.read", from, max);
  if ("entries" in wire) return wire.entries;
  const { bytes, ends } = wire.payloads;
  const out: Array<LogEntry<LoggedRecord>> = new Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    out[i] = {
      offset: wire.from + i,
      record: JSON.parse(decoder.decode(bytes.subarray(start, ends[i]))) as LoggedRecord,
    };
    start = ends[i];
  }
  return out;
}

// The journal stays the platform thread's (the engine appends to it); this side reads through it.
const log: EventLog<LoggedRecord> = {
  append: () => Promise.reject(new Error("the persister's journal is read-only")),
  endOffset: () => rpc.call<number>("log.endOffset"),
  async read(from, max) {
    if (!journal) return readThroughPlatform(from, max);
    const durable = await rpc.call<number>("log.endOffset");
    try {
      const records = await journal.read(from, Math.min(durable, from + max));
      return records.map((record, i) => ({ offset: from + i, record: record as LoggedRecord }));
    } catch (err) {
      // Not the file the platform writes (or it changed under us): its thread reads from now on.
      logger.warn({ err }, "journal read failed here; reading it through the platform's thread");
      void journal.close().catch(() => {});
      journal = null;
      return readThroughPlatform(from, max);
    }
  },
  close: async () => {},
};

// Every batch and failure goes to the platform's thread: its status() copy, and its metrics.
const metrics: PersisterMetrics = {
  batch: (records, rows, seconds) => rpc.emit("batch", records, rows, seconds, persister.status()),
  failure: () => rpc.emit("failure", persister.status()),
  // The platform's side reads health() through this thread (persister-thread.ts).
  watch: () => {},
};

const persister = createPersister({
  log,
  db: database.db,
  logger,
  lingerMs: data.lingerMs,
  batchSize: data.batchSize,
  maxBatchSize: data.maxBatchSize,
  maxLag: data.maxLag,
  stuckAfterMs: data.stuckAfterMs,
  metrics,
});

/**
 * PGlite never checkpoints on its own (packages/db checkpointIfDue): every few seconds this thread
 * asks, and checkpoints once 64 MiB of WAL were written since the last one, so the WAL directory
 * and a restart's replay stay bounded. Between transactions: PGlite runs one statement at a time.
 */
const checkpoints = setInterval(async () => {
  try {
    const t0 = performance.now();
    if (await database.checkpointIfDue())
      logger.debug({ ms: Math.round(performance.now() - t0) }, "storage: checkpoint");
  } catch (err) {
    logger.warn({ err }, "storage: checkpoint failed; retrying later");
  }
}, CHECKPOINT_CHECK_MS);

const rpc: Rpc = createRpc(port, {
  db: (request: DbRequest) => database.serve(request),
  start: () => persister.start(),
  catchUp: () => persister.catchUp(),
  stop: () => persister.stop(),
  status: () => persister.status(),
  health: () => persister.health(),
  async close() {
    // First: the profile of the run, not of the shutdown (and written before a slow stop is killed).
    await profiler?.stop();
    await persister.stop();
    clearInterval(checkpoints);
    await journal?.close();
    await database.close();
  },
});
rpc.emit("ready", persister.status());

/** The inspector's sampling profiler on this thread; stop() writes the profile. */
async function startProfiler(dir: string) {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 1000 });
  await post("Profiler.start");
  return {
    async stop() {
      const { profile } = (await post("Profiler.stop")) as { profile: unknown };
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `worker.${process.pid}.${Date.now()}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}
