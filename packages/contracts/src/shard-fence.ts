/**
 * Fencing a shard's stale incarnations in its log (packages/engine README "Shard processes",
 * Fencing). Every incarnation of shard S takes an epoch at start (above every epoch in S's log and
 * in Redis), appends a fence — a log record (ShardLogBatch) holding the one record
 * `{kind: "fence", epoch, prev, from}` — as its first, and stamps `epoch` on every log record it
 * writes. A process that was paused while a new incarnation took over may still land an append
 * after that fence: its log records carry the older epoch.
 *
 * The rule every reader applies (replay, the persister's shard views, reconcile, audits): the
 * effective epoch at a point of the log is the highest fence epoch before it; a fence counts only if
 * it raises it; a log record counts only if its epoch is not below it. Fences apply nothing. Log
 * records are never removed: skipped ones still take their offset.
 */
import type { ShardLogBatch } from "./pipeline.ts";

type Fence = Extract<ShardLogBatch["records"][number]["input"], { kind: "fence" }>;

/** The fence a log record is, or null. */
export const fenceOf = (batch: ShardLogBatch): Fence | null => {
  const input = batch.records[0]?.input;
  return input?.kind === "fence" ? input : null;
};

export interface FenceFilter {
  /** The effective epoch so far. */
  readonly epoch: number;
  /** Whether `batch` (the next log record in order) counts; a fence updates the epoch and does not. */
  admit(batch: ShardLogBatch): boolean;
}

export function createFenceFilter(epoch = 0): FenceFilter {
  let current = epoch;
  return {
    get epoch() {
      return current;
    },
    admit(batch) {
      const fence = fenceOf(batch);
      if (fence !== null) {
        if (fence.epoch > current) current = fence.epoch;
        return false;
      }
      return (batch.epoch ?? 0) >= current;
    },
  };
}

type Read = (from: number, max: number) => Promise<{ offset: number; record: ShardLogBatch }[]>;

/**
 * The effective epoch at offset `at` (what a filter that read [0, at) would hold), for a reader
 * that starts mid-log (the persister after a restart). Reads back to the newest fence before `at`:
 * its epoch, the epoch it replayed to (`prev`, exact for [0, from)) and any fence that slipped in
 * between its replay's end and itself give the highest fence epoch of [0, at). Costs the log
 * records since the newest fence, once.
 */
export async function fenceEpochAt(read: Read, at: number, chunk = 2_000): Promise<number> {
  let hi = at;
  while (hi > 0) {
    const lo = Math.max(0, hi - chunk);
    const entries = await readRange(read, lo, hi);
    for (let i = entries.length - 1; i >= 0; i--) {
      const fence = fenceOf(entries[i].record);
      if (fence === null) continue;
      let epoch = Math.max(fence.epoch, fence.prev);
      for (const e of await readRange(read, fence.from, entries[i].offset))
        epoch = Math.max(epoch, fenceOf(e.record)?.epoch ?? 0);
      return epoch;
    }
    hi = lo;
  }
  return 0;
}

async function readRange(read: Read, from: number, to: number) {
  const out: { offset: number; record: ShardLogBatch }[] = [];
  let at = from;
  while (at < to) {
    const got = await read(at, Math.min(5_000, to - at));
    if (got.length === 0) throw new Error(`log read at ${at} returned nothing (reading to ${to})`);
    for (const e of got) if (e.offset < to) out.push(e);
    at = got[got.length - 1].offset + 1;
  }
  return out;
}
