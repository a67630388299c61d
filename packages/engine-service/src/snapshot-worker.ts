/**
 * The snapshot worker (snapshot-thread.ts starts it): a second engine on its own thread that
 * follows the file journal the service appends to and writes the snapshots, so the order path's
 * thread never serialises the state. It recovers exactly as a restarted service does (`recover`:
 * newest snapshot, then the journal after it, every record checked against a re-apply) and then
 * goes on the same way (`replayLog`, strict, divergence fatal) up to the durable end the service
 * publishes in shared memory. The engine is pure and deterministic, so after the records before
 * offset N its state is the state recovery rebuilds for N, and a snapshot taken there is stamped N.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type EventLog, type JournalReader, openJournalReader } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import type { EngineConfig } from "@ox/engine";
import { replayLog } from "@ox/engine-client";
import pino, { type LevelWithSilent } from "pino";
import { recover } from "./recovery.ts";
import { replyOf } from "./reply.ts";
import { createFileSnapshotStore } from "./snapshot-store.ts";
import { lowerThreadPriority } from "./thread-priority.ts";

export interface SnapshotWorkerData {
  journalPath: string;
  snapshotDir: string;
  keep: number;
  engineConfig: EngineConfig;
  recentLimit: number;
  everyCommands: number;
  everyMs: number;
  logLevel: LevelWithSilent;
  /** This thread's nice value (Linux, per thread; higher yields more); absent: the process's own. */
  nice?: number;
  /** Int32 [0]: a counter bumped at every publish (what the worker waits on); BigInt64 [1]: the durable end. */
  shared: SharedArrayBuffer;
}

/** The service's side asks for a snapshot at exactly `offset` (its durable end when it asked). */
export interface SnapshotRequest {
  t: "snapshot";
  id: number;
  offset: number;
}

/** One snapshot finished: `id` of the request it answers (null: one of the worker's own cadence). */
export interface SnapshotWritten {
  t: "written";
  id: number | null;
  ok: boolean;
  logOffset: number;
  lastSeq: number;
  bytes: number;
  /** Capture: engine.snapshot() and the dedupe window, on the worker's thread. */
  captureMs: number;
  /** Capture to durable on disk. */
  ms: number;
  error?: string;
}

if (!parentPort) throw new Error("snapshot-worker.ts runs as a worker thread");
const port = parentPort;
const data = workerData as SnapshotWorkerData;
const wakeCounter = new Int32Array(data.shared, 0, 1);
const durableEnd = new BigInt64Array(data.shared, 8, 1);
const durable = () => Number(Atomics.load(durableEnd, 0));
/** ES2024's Atomics.waitAsync (Bun has it; the project's lib is ES2023). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeoutMs: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

// Each line goes to the service's logger (snapshot-thread.ts), which writes it where its own go.
const logger = pino(
  { level: data.logLevel, base: null, timestamp: false },
  { write: (line: string) => port.postMessage({ t: "log", line }) },
).child({ thread: "snapshots" });

if (data.nice !== undefined) {
  try {
    lowerThreadPriority(data.nice);
  } catch (err) {
    logger.debug({ err }, "the snapshot thread keeps the process's priority");
  }
}

const requests: SnapshotRequest[] = [];
let onMessage: (() => void) | null = null;
let reader: JournalReader | null = null;
port.on("message", (message: SnapshotRequest | { t: "close" }) => {
  if (message?.t === "close") {
    // Wherever the loop is (a write may be left as a .tmp file, which no load reads): the
    // file handle is closed before the thread ends, never left to the GC.
    void (reader?.close() ?? Promise.resolve()).finally(() => process.exit(0));
    return;
  }
  if (message?.t !== "snapshot") return;
  requests.push(message);
  requests.sort((a, b) => a.offset - b.offset);
  onMessage?.();
});

const opened = await openJournalReader(data.journalPath);
if (!opened) throw new Error(`snapshot worker: ${data.journalPath} is not a readable journal`);
reader = opened;
// Read-only, and never past what the service has published as durable.
const log: EventLog<LogRecord> = {
  append: () => Promise.reject(new Error("the snapshot worker's journal is read-only")),
  endOffset: async () => durable(),
  async read(from, max) {
    const records = await opened.read(from, Math.min(durable(), from + max));
    return records.map((record, i) => ({ offset: from + i, record: record as LogRecord }));
  },
  close: () => opened.close(),
};
const store = createFileSnapshotStore({ dir: data.snapshotDir, keep: data.keep });

const recovered = await recover({
  log,
  snapshots: store,
  engineConfig: data.engineConfig,
  recentLimit: data.recentLimit,
  logger,
});
const { engine, recent } = recovered;
let offset = recovered.logOffset;
let since = recovered.replayed;
let lastAt = Date.now();
let written = recovered.snapshotOffset;

async function write(id: number | null): Promise<void> {
  const started = performance.now();
  const snapshot = {
    logOffset: offset,
    lastSeq: engine.lastSeq,
    takenAt: Date.now(),
    engine: engine.snapshot(),
    recent: recent.entries(),
  };
  const captureMs = performance.now() - started;
  since = 0;
  lastAt = Date.now();
  const answer = {
    t: "written",
    id,
    logOffset: offset,
    lastSeq: snapshot.lastSeq,
    bytes: snapshot.engine.length,
    captureMs,
  } as const;
  try {
    await store.save(snapshot);
    written = offset;
    port.postMessage({ ...answer, ok: true, ms: performance.now() - started } satisfies SnapshotWritten);
  } catch (err) {
    const error = String((err as Error)?.message ?? err);
    port.postMessage({
      ...answer,
      ok: false,
      ms: performance.now() - started,
      error,
    } satisfies SnapshotWritten);
  }
}

/**
 * Caught up, the thread rests this long before it waits for the next publish: it follows the
 * journal a few milliseconds of batches at a time, not with a wake-up per batch (each of which
 * also costs the service's thread a futex wake in its notify, and this thread a journal read).
 */
const FOLLOW_PAUSE_MS = 10;

/** Until the service publishes more, a request arrives, or the time cadence is due. */
function waitForMore(seen: number): Promise<void> {
  const more = new Promise<void>((resolve) => setTimeout(resolve, FOLLOW_PAUSE_MS)).then(() => {
    const timeout = since > 0 ? Math.max(0, data.everyMs - (Date.now() - lastAt)) : Number.POSITIVE_INFINITY;
    const waited = waitAsync(wakeCounter, 0, seen, timeout);
    return waited.async ? waited.value.then(() => {}) : undefined;
  });
  return Promise.race([
    more,
    new Promise<void>((resolve) => {
      onMessage = resolve;
    }),
  ]).finally(() => {
    onMessage = null;
  });
}

for (;;) {
  const seen = Atomics.load(wakeCounter, 0);
  const request = requests[0];
  // A request's offset caps the replay (that snapshot is stamped exactly where it was asked for),
  // and so does the cadence: behind by more than everyCommands, one is written every everyCommands.
  const upTo = Math.min(
    durable(),
    request ? Math.max(request.offset, offset) : Number.POSITIVE_INFINITY,
    offset + Math.max(1, data.everyCommands - since),
  );
  if (offset < upTo) {
    const before = offset;
    ({ records: offset } = await replayLog(log, upTo, {
      engine,
      from: offset,
      readBatch: 4_096,
      verify: "throw",
      strict: true,
      onApplied: (_at, record, result) =>
        recent.remember(record.envelopeId, replyOf(record.envelopeId, record.command, result)),
    }));
    since += offset - before;
  }
  if (request && offset >= request.offset) {
    requests.shift();
    if (written === offset) {
      const answer = {
        t: "written",
        id: request.id,
        ok: true,
        logOffset: offset,
        lastSeq: engine.lastSeq,
      } as const;
      port.postMessage({ ...answer, bytes: 0, captureMs: 0, ms: 0 } satisfies SnapshotWritten);
    } else await write(request.id);
    continue;
  }
  if (since > 0 && (since >= data.everyCommands || Date.now() - lastAt >= data.everyMs)) {
    await write(null);
    continue;
  }
  const next = requests[0];
  if (next && next.offset <= offset) continue;
  if (offset < Math.min(durable(), next?.offset ?? Number.POSITIVE_INFINITY)) continue;
  await waitForMore(seen);
}
