/**
 * Snapshots off the order path's thread, for a service on the file journal: a worker
 * (snapshot-worker.ts) keeps its own engine by following the journal and writes the snapshots
 * itself. This thread's whole part per batch is one store into shared memory (the durable end)
 * and a notify; per snapshot, one message back. Same Snapshotter interface as the in-thread one.
 */
import { Worker } from "node:worker_threads";
import type { EngineConfig } from "@ox/engine";
import pino, { type Logger } from "pino";
import type { FileSnapshotStore } from "./snapshot-store.ts";
import type { SnapshotWorkerData, SnapshotWritten } from "./snapshot-worker.ts";
import type { Snapshotter } from "./snapshotter.ts";

export interface ThreadSnapshotterOptions {
  journalPath: string;
  /** The worker thread's nice value (Linux); absent: the process's. */
  nice?: number;
  store: FileSnapshotStore;
  logger: Logger;
  everyCommands: number;
  everyMs: number;
  engineConfig: EngineConfig;
  recentLimit: number;
  /** Every record before it is in the log (the service's logOffset). */
  durableOffset: () => number;
  observe?: (seconds: number, ok: boolean) => void;
  /** The worker died or found the log disagreeing with its replay: the service must stop. */
  onFatal: (error: unknown) => void;
}

export function createThreadSnapshotter(options: ThreadSnapshotterOptions): Snapshotter {
  const { logger } = options;
  const shared = new SharedArrayBuffer(16);
  const wakeCounter = new Int32Array(shared, 0, 1);
  const durableEnd = new BigInt64Array(shared, 8, 1);
  let worker: Worker | null = null;
  let closing = false;
  let lastOffset = 0;
  let nextId = 1;
  const waiting = new Map<number, () => void>();

  const publish = () => {
    Atomics.store(durableEnd, 0, BigInt(options.durableOffset()));
    Atomics.add(wakeCounter, 0, 1);
    Atomics.notify(wakeCounter, 0);
  };

  const written = (w: SnapshotWritten) => {
    if (w.ok) lastOffset = Math.max(lastOffset, w.logOffset);
    if (w.bytes > 0 || !w.ok) {
      options.observe?.(w.ms / 1000, w.ok);
      const fields = { logOffset: w.logOffset, lastSeq: w.lastSeq, bytes: w.bytes };
      if (w.ok)
        logger.info(
          { ...fields, captureMs: Math.round(w.captureMs), ms: Math.round(w.ms) },
          "snapshot written",
        );
      else logger.error({ ...fields, err: w.error }, "snapshot failed; the log still has everything");
    }
    if (w.id !== null) {
      waiting.get(w.id)?.();
      waiting.delete(w.id);
    }
  };

  const relog = (line: string) => {
    const { level, msg, ...fields } = JSON.parse(line);
    const label = pino.levels.labels[level] as pino.Level | undefined;
    if (label) logger[label](fields, msg);
  };

  const start = () => {
    publish();
    const workerData: SnapshotWorkerData = {
      journalPath: options.journalPath,
      snapshotDir: options.store.dir,
      keep: options.store.keep,
      engineConfig: options.engineConfig,
      recentLimit: options.recentLimit,
      everyCommands: options.everyCommands,
      everyMs: options.everyMs,
      logLevel: logger.level as SnapshotWorkerData["logLevel"],
      nice: options.nice,
      shared,
    };
    const w = new Worker(new URL("./snapshot-worker.ts", import.meta.url), { workerData });
    w.on("message", (message: SnapshotWritten | { t: "log"; line: string }) => {
      if (message.t === "written") written(message);
      else if (message.t === "log") relog(message.line);
    });
    const gone = (error: unknown) => {
      if (closing) return;
      closing = true;
      for (const resolve of waiting.values()) resolve();
      waiting.clear();
      logger.error({ err: error }, "the snapshot worker stopped");
      options.onFatal(error);
    };
    w.on("error", gone);
    w.on("exit", (code) => gone(new Error(`the snapshot worker exited (code ${code})`)));
    worker = w;
  };

  /** A snapshot at exactly the durable end as of now; resolves when written (or failed). */
  const now = (): Promise<void> => {
    const w = worker;
    if (!w || closing) return Promise.resolve();
    const id = nextId++;
    const offset = options.durableOffset();
    const done = new Promise<void>((resolve) => waiting.set(id, resolve));
    w.postMessage({ t: "snapshot", id, offset });
    return done;
  };

  return {
    restored(snapshotOffset) {
      lastOffset = snapshotOffset;
      // The worker recovers on its own from the same snapshot and log; a second restore (the
      // rebuild after a failed append) cannot happen on a fail-stop log.
      if (!worker) start();
    },
    applied: publish,
    maybe() {},
    due: () => false,
    now,
    async final() {
      if (options.durableOffset() > lastOffset) await now();
    },
    lastOffset: () => lastOffset,
    async close() {
      const w = worker;
      if (closing || !w) return;
      closing = true;
      // The worker closes its journal handle and exits; terminate() only if it does not.
      const exited = new Promise<void>((resolve) => w.once("exit", () => resolve()));
      w.postMessage({ t: "close" });
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
      await w.terminate();
    },
  };
}
