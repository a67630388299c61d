import type { Engine } from "@ox/engine";
import type { Logger } from "pino";
import type { RecentReplies } from "./recent-replies.ts";
import type { SnapshotStore } from "./snapshot-store.ts";

export interface Snapshotter {
  restored(snapshotOffset: number, replayed: number): void;
  applied(commands: number): void;
  /** Starts a snapshot in the background when N commands or T ms have passed since the last one. */
  maybe(): void;
  /** Whether maybe() would start one now. */
  due(): boolean;
  now(): Promise<void>;
  /** Waits for one in progress, then writes one more if anything was applied since. */
  final(): Promise<void>;
  lastOffset(): number;
  /** Nothing more is snapshotted (stop after final(), halt, a fatal error). */
  close(): Promise<void>;
}

export interface SnapshotterOptions {
  store: SnapshotStore;
  logger: Logger;
  clock: { now(): number };
  everyCommands: number;
  everyMs: number;
  /** Called between batches, when every applied command is in the log. */
  capture: () => {
    engine: Pick<Engine, "lastSeq" | "snapshot">;
    recent: RecentReplies;
    logOffset: number;
  };
  /** Each finished snapshot: seconds from capture to written, and whether it was written. */
  observe?: (seconds: number, ok: boolean) => void;
}

export function createSnapshotter(options: SnapshotterOptions): Snapshotter {
  const { store, logger, clock } = options;
  let since = 0;
  let lastAt = clock.now();
  let lastOffset = 0;
  let inProgress: Promise<void> | null = null;

  const take = (): Promise<void> => {
    if (inProgress) return inProgress;
    const started = performance.now();
    // The capture is synchronous, so the bytes match logOffset exactly; the write runs in the background.
    const { engine, recent, logOffset } = options.capture();
    const snapshot = {
      logOffset,
      lastSeq: engine.lastSeq,
      takenAt: clock.now(),
      engine: engine.snapshot(),
      recent: recent.entries(),
    };
    since = 0;
    lastAt = clock.now();
    inProgress = store
      .save(snapshot)
      .then(() => {
        lastOffset = logOffset;
        const elapsed = performance.now() - started;
        const ms = Math.round(elapsed);
        options.observe?.(elapsed / 1000, true);
        logger.info(
          { logOffset, lastSeq: snapshot.lastSeq, bytes: snapshot.engine.length, ms },
          "snapshot written",
        );
      })
      .catch((err) => {
        options.observe?.((performance.now() - started) / 1000, false);
        logger.error({ err, logOffset }, "snapshot failed; the log still has everything");
      })
      .finally(() => {
        inProgress = null;
      });
    return inProgress;
  };

  const due = () =>
    !inProgress && since > 0 && (since >= options.everyCommands || clock.now() - lastAt >= options.everyMs);
  return {
    restored(snapshotOffset, replayed) {
      lastOffset = snapshotOffset;
      since = replayed;
      lastAt = clock.now();
    },
    applied(commands) {
      since += commands;
    },
    maybe() {
      if (due()) void take();
    },
    due,
    now: take,
    async final() {
      if (inProgress) await inProgress;
      if (since > 0) await take();
    },
    lastOffset: () => lastOffset,
    close: async () => {},
  };
}
