import { isDeepStrictEqual } from "node:util";
import type { EventLog } from "@ox/bus";
import { type LoggedRecord, type LogRecord, recordsOf } from "@ox/contracts/pipeline";
import { createEngine, type Engine, type Result } from "@ox/engine";

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

export interface ReplayOptions {
  /** The state to replay onto (a restored snapshot); a fresh engine by default. */
  engine?: Engine;
  /** First log offset to apply (the snapshot's offset); 0 by default. */
  from?: number;
  /** Records read per log call. */
  readBatch?: number;
  /**
   * `record` (default): note the first diverging offset and go on; `throw`: a divergence is fatal
   * (ReplayDivergedError); `off`: do not compare.
   */
  verify?: "record" | "throw" | "off";
  /**
   * A short log (nothing to read before `upTo`, or a gap in offsets) is an error when strict;
   * otherwise replay stops where the log stops.
   */
  strict?: boolean;
  /**
   * Called after each applied command record (the engine service rebuilds its recent replies from
   * it), with the offset of the log record it is in (a LogBatch holds several).
   */
  onApplied?(offset: number, record: LogRecord, result: Result): void;
}

export interface Replayed {
  engine: Engine;
  /** Next log offset: every record before it is applied. */
  records: number;
  /** First offset whose replay gave other events than the log holds (a non-deterministic engine or a damaged log). */
  divergedAt: number | null;
}

/**
 * Events are flat records of primitives: compare field by field (far cheaper than serialising both
 * sides); anything nested falls back to structural equality. Undefined fields count as absent.
 */
export function sameEvents(a: readonly object[], b: readonly object[]): boolean {
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

/**
 * The one log replay: feed the logged commands of log records [from, upTo) to an engine (each
 * command record of a LogBatch in order), checking each result against what the log recorded. The engine service recovers with it (snapshot + tail, strict,
 * divergence fatal); reconcile and the crash checks rebuild the state the persisted rows describe.
 */
export async function replayLog(
  log: EventLog<LoggedRecord>,
  upTo: number,
  options: ReplayOptions = {},
): Promise<Replayed> {
  const engine = options.engine ?? createEngine();
  const readBatch = options.readBatch ?? 5_000;
  const verify = options.verify ?? "record";
  const strict = options.strict ?? false;
  let divergedAt: number | null = null;
  let offset = options.from ?? 0;
  while (offset < upTo) {
    const entries = await log.read(offset, Math.min(readBatch, upTo - offset));
    if (entries.length === 0) {
      if (strict) throw new Error(`event log returned nothing at offset ${offset} < end ${upTo}`);
      break;
    }
    for (const { offset: at, record: logged } of entries) {
      if (strict && at !== offset) throw new Error(`event log skipped from offset ${offset} to ${at}`);
      for (const record of recordsOf(logged)) {
        const result = engine.apply(record.command);
        if (verify !== "off" && (result.code !== record.code || !sameEvents(result.events, record.events))) {
          if (verify === "throw") {
            throw new ReplayDivergedError(
              at,
              record.envelopeId,
              `code ${result.code} vs logged ${record.code}`,
            );
          }
          divergedAt ??= at;
        }
        options.onApplied?.(at, record, result);
      }
      offset = at + 1;
    }
  }
  return { engine, records: offset, divergedAt };
}
