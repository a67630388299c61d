/**
 * A shard's snapshots read from outside the shard process (`npm run reconcile`): the file store's
 * snapshots (`DATA_DIR/shards/<S>/snapshots`, apps/engine/src/shard-main.ts) newest first, each as
 * the log offset it covers and the shard's own snapshot bytes (MatchingShard / RiskShard restore()).
 * The body is the shell document shard-service.ts writes (`shard-shell/1`: the shard's snapshot as
 * text, its next input index, fence epoch and parked commands); a reconcile needs the shard's part,
 * the input index and the epoch.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeSnapshot } from "./snapshot-store.ts";

const NAME = /^snapshot-(\d{16})\.bin$/;

export interface ShardSnapshot {
  /** Log records [0, logOffset) are in the snapshot: replay starts at logOffset. */
  logOffset: number;
  /** The shard's snapshot() bytes (MatchingShard.restore / RiskShard.restore). */
  state: Uint8Array;
  /** The shard service's next command input index (its parked commands hold earlier ones). */
  nextIndex: number;
  /** The fence epoch the shard held (shard-fence.ts). */
  epoch: number;
  file: string;
}

/** Where shard S's snapshots are under a shard process's DATA_DIR. */
export const shardSnapshotDir = (dataDir: string, shard: string) =>
  join(dataDir, "shards", shard, "snapshots");

/**
 * The newest readable snapshot of `shard` in `dir` that covers at most `maxOffset` records (a
 * reconcile replays only up to what the persister wrote); null when there is none (no directory, no
 * file, or every candidate unreadable or of another shard: the caller replays from offset 0).
 */
export async function latestShardSnapshot(
  dir: string,
  shard: string,
  maxOffset = Number.POSITIVE_INFINITY,
): Promise<ShardSnapshot | null> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => NAME.test(n));
  } catch {
    return null;
  }
  // Zero-padded offsets: lexical order is numeric order.
  for (const name of names.sort().reverse()) {
    if (Number(NAME.exec(name)?.[1]) > maxOffset) continue;
    try {
      const snap = decodeSnapshot(await readFile(join(dir, name)), name);
      if (snap.logOffset > maxOffset) continue;
      const doc = JSON.parse(new TextDecoder().decode(snap.engine)) as {
        v?: string;
        shard?: string;
        state?: string;
        nextIndex?: number;
        epoch?: number;
      };
      if (doc.v !== "shard-shell/1" || doc.shard !== shard || typeof doc.state !== "string") continue;
      return {
        logOffset: snap.logOffset,
        state: new TextEncoder().encode(doc.state),
        nextIndex: doc.nextIndex ?? 0,
        epoch: doc.epoch ?? 0,
        file: join(dir, name),
      };
    } catch {
      // corrupt or half-written: an older one, or offset 0
    }
  }
  return null;
}
