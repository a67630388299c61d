/**
 * A shard's snapshots read from outside the shard process (`npm run reconcile`): the file store's
 * snapshots (`DATA_DIR/shards/<S>/snapshots`, apps/engine/src/shard-main.ts) newest first, each as
 * the log offset it covers and the shard's own snapshot bytes (MatchingShard / RiskShard restore()).
 * The body is the shell shard-service.ts writes (encodeShardShell: the shard's snapshot, its next
 * input index, fence epoch and parked commands); a reconcile needs the shard's part, the input
 * index and the epoch.
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
      const shell = decodeShardShell(snap.engine);
      if (shell === null || shell.doc.shard !== shard) continue;
      return {
        logOffset: snap.logOffset,
        state: shell.state,
        nextIndex: shell.doc.nextIndex ?? 0,
        epoch: shell.doc.epoch ?? 0,
        file: join(dir, name),
      };
    } catch {
      // corrupt or half-written: an older one, or offset 0
    }
  }
  return null;
}

/** The shell's own fields (the shard's snapshot bytes travel beside them). */
export interface ShardShellDoc<P = unknown> {
  v: "shard-shell/2";
  shard: string;
  nextIndex: number;
  /** The commands taken and not completed yet (parked BUYs), by input index. */
  pending: [number, P][];
  /** The effective fence epoch at the snapshot's offset (@ox/contracts shard-fence.ts); absent: 0. */
  epoch?: number;
}

const NEWLINE = 10;

/**
 * The snapshot body of a shard process (the store's `engine` bytes), `shard-shell/2`: the shell's
 * fields as one line of JSON, a newline, then the shard's snapshot() bytes as they are. (The first
 * version held those bytes as a JSON string inside the document: a second copy, escaped, of the
 * largest part, which cost more than the shard's own encoding.)
 */
export function encodeShardShell(doc: ShardShellDoc, state: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(`${JSON.stringify(doc)}\n`);
  const out = new Uint8Array(head.length + state.length);
  out.set(head, 0);
  out.set(state, head.length);
  return out;
}

/** A shell of either version (`shard-shell/1`: one JSON document, the state a string in it); null if neither. */
export function decodeShardShell<P = unknown>(
  bytes: Uint8Array,
): { doc: Omit<ShardShellDoc<P>, "v"> & { v: string }; state: Uint8Array } | null {
  const nl = bytes.indexOf(NEWLINE);
  // JSON.stringify never writes a raw newline: a v2 head ends at the first one; v1 has none.
  const head = JSON.parse(new TextDecoder().decode(nl >= 0 ? bytes.subarray(0, nl) : bytes)) as
    | (ShardShellDoc<P> & { state?: undefined })
    | (Omit<ShardShellDoc<P>, "v"> & { v: "shard-shell/1"; state: string });
  if (head.v === "shard-shell/2" && nl >= 0) return { doc: head, state: bytes.subarray(nl + 1) };
  if (head.v === "shard-shell/1" && typeof head.state === "string") {
    const { state, ...doc } = head;
    return { doc, state: new TextEncoder().encode(state) };
  }
  return null;
}
