import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { CommandReply } from "@ox/contracts/pipeline";

/** Everything needed to restart the engine shell without replaying the whole log. */
export interface ServiceSnapshot {
  /** The log offset the snapshot covers up to (exclusive): replay starts here. */
  logOffset: number;
  lastSeq: number;
  takenAt: number;
  /** engine.snapshot() bytes, opaque to the shell. */
  engine: Uint8Array;
  /** Recent replies by envelope id (the dedupe window). */
  recent: [string, CommandReply][];
}

export interface SnapshotStore {
  /** Durable when it resolves (written to a temp file, fsync'd, renamed, directory fsync'd). */
  save(snapshot: ServiceSnapshot): Promise<void>;
  /** The newest readable snapshot; a corrupt newest one falls back to the one before. */
  loadLatest(): Promise<ServiceSnapshot | null>;
}

export class SnapshotCorruptError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`snapshot ${file} is unreadable: ${reason}`);
    this.name = "SnapshotCorruptError";
  }
}

const MAGIC = Buffer.from("OXSNAP1\n");
const NAME = /^snapshot-(\d{16})\.bin$/;

/**
 * The file's bytes as three parts (header and meta, the engine's bytes as given, the CRC trailer):
 * the engine state, megabytes for a full book, is checksummed in place and written as it is,
 * never copied into one buffer on the engine's thread.
 */
export function encodeSnapshotParts(s: ServiceSnapshot): [Buffer, Uint8Array, Buffer] {
  const meta = Buffer.from(
    JSON.stringify({ logOffset: s.logOffset, lastSeq: s.lastSeq, takenAt: s.takenAt, recent: s.recent }),
  );
  const head = Buffer.allocUnsafe(MAGIC.length + 8 + meta.length);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(meta.length, MAGIC.length);
  head.writeUInt32LE(s.engine.length, MAGIC.length + 4);
  meta.copy(head, MAGIC.length + 8);
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32LE(crc32(s.engine, crc32(head)), 0);
  return [head, s.engine, trailer];
}

export function encodeSnapshot(s: ServiceSnapshot): Buffer {
  return Buffer.concat(encodeSnapshotParts(s));
}

export function decodeSnapshot(bytes: Buffer, file = "<memory>"): ServiceSnapshot {
  const fail = (reason: string) => new SnapshotCorruptError(file, reason);
  if (bytes.length < MAGIC.length + 12 || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    throw fail("bad magic");
  const body = bytes.subarray(0, bytes.length - 4);
  if (crc32(body) !== bytes.readUInt32LE(bytes.length - 4)) throw fail("checksum mismatch");
  const metaLength = bytes.readUInt32LE(MAGIC.length);
  const engineLength = bytes.readUInt32LE(MAGIC.length + 4);
  const metaStart = MAGIC.length + 8;
  if (metaStart + metaLength + engineLength !== body.length) throw fail("length mismatch");
  const meta = JSON.parse(bytes.subarray(metaStart, metaStart + metaLength).toString("utf8"));
  const engine = new Uint8Array(bytes.subarray(metaStart + metaLength, body.length));
  return {
    logOffset: meta.logOffset,
    lastSeq: meta.lastSeq,
    takenAt: meta.takenAt,
    recent: meta.recent,
    engine,
  };
}

export interface FileSnapshotStoreOptions {
  dir: string;
  /** How many snapshots to keep (newest first); older ones are deleted after a save. */
  keep?: number;
}

/** A store in a directory: another thread can open the same one (the snapshot worker). */
export interface FileSnapshotStore extends SnapshotStore {
  readonly dir: string;
  readonly keep: number;
}

export function createFileSnapshotStore(options: FileSnapshotStoreOptions): FileSnapshotStore {
  const { dir } = options;
  const keep = Math.max(1, options.keep ?? 3);
  const ready = mkdir(dir, { recursive: true });

  const list = async () => {
    await ready;
    const names = (await readdir(dir)).filter((name) => NAME.test(name));
    return names.sort().reverse(); // zero-padded offsets: lexical order is numeric order
  };

  const fsyncDir = async () => {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  };

  return {
    dir,
    keep,
    async save(snapshot) {
      await ready;
      const name = `snapshot-${String(snapshot.logOffset).padStart(16, "0")}.bin`;
      const tmp = join(dir, `${name}.${process.pid}.tmp`);
      const handle = await open(tmp, "w");
      try {
        const parts = encodeSnapshotParts(snapshot);
        const total = parts.reduce((n, p) => n + p.length, 0);
        let written = 0;
        while (written < total) {
          // writev may write less than asked (a full disk, a signal): the rest goes on from there.
          let skip = written;
          const rest = parts.flatMap((p) => {
            if (skip >= p.length) {
              skip -= p.length;
              return [];
            }
            const tail = p.subarray(skip);
            skip = 0;
            return [tail];
          });
          const { bytesWritten } = await handle.writev(rest, written);
          if (bytesWritten === 0)
            throw new Error(`snapshot write made no progress at ${written} of ${total}`);
          written += bytesWritten;
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, join(dir, name));
      await fsyncDir();
      for (const old of (await list()).slice(keep)) await rm(join(dir, old), { force: true });
    },
    async loadLatest() {
      let lastError: unknown = null;
      for (const name of await list()) {
        try {
          return decodeSnapshot(await readFile(join(dir, name)), name);
        } catch (error) {
          lastError = error;
        }
      }
      if (lastError) throw lastError; // snapshots exist but none is readable: never silently start empty
      return null;
    },
  };
}
