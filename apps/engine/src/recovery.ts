import { isDeepStrictEqual } from "node:util";
import type { EventLog } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import type { Engine } from "@ox/engine";
import type { Logger } from "pino";
import type { EngineFactory } from "./engine-factory.ts";
import { createRecentReplies, type RecentReplies } from "./recent-replies.ts";
import { replyOf } from "./reply.ts";
import type { SnapshotStore } from "./snapshot-store.ts";

/** The log and the engine disagree: replaying a logged command produced different events. A bug, never a business error. */
export class ReplayDivergedError extends Error {
  constructor(
    readonly offset: number,
    readonly envelopeId: string,
    detail: string,
  ) {
    super(`replay diverged at log offset ${offset} (envelope ${envelopeId}): ${detail}`);
    this.name = "ReplayDivergedError";
  }
}

export interface Recovered {
  engine: Engine;
  recent: RecentReplies;
  /** Next log offset: everything before it is applied. */
  logOffset: number;
  snapshotOffset: number;
  replayed: number;
  elapsedMs: number;
}

export interface RecoverOptions {
  log: EventLog<LogRecord>;
  snapshots: SnapshotStore;
  factory: EngineFactory;
  recentLimit: number;
  logger: Logger;
  /** Records read per log call during replay. */
  readBatch?: number;
  /** Compare re-produced events with the logged ones (on by default; a mismatch is fatal). */
  verify?: boolean;
}

// Events are flat records of primitives: compare field by field (far cheaper than serialising both
// sides); anything nested falls back to structural equality.
function sameEvents(a: readonly object[], b: readonly object[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Record<string, unknown>;
    const y = b[i] as Record<string, unknown>;
    let fields = 0;
    for (const key in x) {
      const value = x[key];
      if (value === undefined) continue;
      fields++;
      if (value !== y[key] && !(typeof value === "object" && isDeepStrictEqual(value, y[key]))) return false;
    }
    for (const key in y) if (y[key] !== undefined) fields--;
    if (fields !== 0) return false;
  }
  return true;
}

/** Newest snapshot → restore → re-apply every logged command after it, checking each against the log. */
export async function recover(options: RecoverOptions): Promise<Recovered> {
  const started = performance.now();
  const { log, factory, logger } = options;
  const readBatch = options.readBatch ?? 10_000;
  const verify = options.verify ?? true;
  const snapshot = await options.snapshots.loadLatest();
  const engine = snapshot ? factory.restore(snapshot.engine) : factory.create();
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

  let offset = snapshotOffset;
  while (offset < end) {
    const entries = await log.read(offset, Math.min(readBatch, end - offset));
    if (entries.length === 0) throw new Error(`event log returned nothing at offset ${offset} < end ${end}`);
    for (const { offset: at, record } of entries) {
      if (at !== offset) throw new Error(`event log skipped from offset ${offset} to ${at}`);
      const result = engine.apply(record.command);
      if (verify && (result.code !== record.code || !sameEvents(result.events, record.events))) {
        throw new ReplayDivergedError(at, record.envelopeId, `code ${result.code} vs logged ${record.code}`);
      }
      recent.remember(record.envelopeId, replyOf(record.envelopeId, record.command, result));
      offset += 1;
    }
  }
  const elapsedMs = Math.round(performance.now() - started);
  const replayed = offset - snapshotOffset;
  logger.info(
    { snapshotOffset, replayed, logOffset: offset, lastSeq: engine.lastSeq, elapsedMs },
    "engine recovered",
  );
  return { engine, recent, logOffset: offset, snapshotOffset, replayed, elapsedMs };
}
