import type { EventLog } from "@ox/bus";
import type { LoggedRecord } from "@ox/contracts/pipeline";
import { createEngine, type Engine, type EngineConfig, restoreEngine } from "@ox/engine";
import { ReplayDivergedError, replayLog } from "@ox/engine-client";
import type { Logger } from "pino";
import { createRecentReplies, type RecentReplies } from "./recent-replies.ts";
import { replyOf } from "./reply.ts";
import type { SnapshotStore } from "./snapshot-store.ts";

export { ReplayDivergedError };

export interface Recovered {
  engine: Engine;
  recent: RecentReplies;
  /** Next log offset: everything before it is applied. */
  logOffset: number;
  snapshotOffset: number;
  /** Log records replayed after the snapshot. */
  replayed: number;
  /** Commands in them (a LogBatch holds several): what the snapshot cadence counts. */
  replayedCommands: number;
  elapsedMs: number;
}

export interface RecoverOptions {
  log: EventLog<LoggedRecord>;
  snapshots: SnapshotStore;
  /** The engine's configuration (its idempotency window, packages/engine/SEMANTICS.md); default `{}`. */
  engineConfig?: EngineConfig;
  recentLimit: number;
  logger: Logger;
  /** Log records read per log call during replay. */
  readBatch?: number;
  /** Compare re-produced events with the logged ones (on by default; a mismatch is fatal). */
  verify?: boolean;
}

/** Newest snapshot → restore → re-apply every logged command after it, checking each against the log. */
export async function recover(options: RecoverOptions): Promise<Recovered> {
  const started = performance.now();
  const { log, logger } = options;
  const config = options.engineConfig ?? {};
  const readBatch = options.readBatch ?? 10_000;
  const verify = options.verify ?? true;
  const snapshot = await options.snapshots.loadLatest();
  const engine = snapshot ? restoreEngine(snapshot.engine, config) : createEngine(config);
  const recent = createRecentReplies(options.recentLimit, snapshot?.recent ?? []);
  const snapshotOffset = snapshot?.logOffset ?? 0;
  if (snapshot && engine.lastSeq !== snapshot.lastSeq) {
    throw new Error(
      `snapshot at offset ${snapshotOffset} restored to lastSeq ${engine.lastSeq}, expected ${snapshot.lastSeq}`,
    );
  }
  const end = await log.endOffset();
  if (end < snapshotOffset) {
    throw new Error(
      `event log ends at ${end} but the snapshot covers up to ${snapshotOffset}: wrong log or a lost log`,
    );
  }

  let replayedCommands = 0;
  const { records: offset } = await replayLog(log, end, {
    engine,
    from: snapshotOffset,
    readBatch,
    verify: verify ? "throw" : "off",
    strict: true,
    onApplied: (_at, record, result) => {
      replayedCommands++;
      recent.remember(record.envelopeId, replyOf(record.envelopeId, record.command, result));
    },
  });
  const elapsedMs = Math.round(performance.now() - started);
  const replayed = offset - snapshotOffset;
  logger.info(
    { snapshotOffset, replayed, logOffset: offset, lastSeq: engine.lastSeq, elapsedMs },
    "engine recovered",
  );
  return { engine, recent, logOffset: offset, snapshotOffset, replayed, replayedCommands, elapsedMs };
}
