import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { dirname } from "node:path";
import { jsonCodec } from "./codec.ts";
import { encodeTexts, MAGIC, parseRecord } from "./journal-format.ts";
import { INDEX_EVERY, scanJournal } from "./journal-scan.ts";
import { defaultLogger, type Logger } from "./logger.ts";
import type { Codec, EventLog, LogEntry } from "./ports.ts";

export interface FileJournalOptions<T> {
  path: string;
  codec?: Codec<T>;
  /**
   * Largest append() and largest group write, in bytes. A crash can tear at most one write, so on
   * open a bad tail longer than this is not a torn write but damage, and opening fails.
   */
  maxWriteBytes?: number;
  logger?: Logger;
}

/** The journal's file is damaged before its tail; opening it would silently lose records. */
export class JournalCorruptError extends Error {
  constructor(
    readonly path: string,
    readonly position: number,
    readonly badBytes: number,
  ) {
    super(`journal ${path} is damaged at byte ${position} (${badBytes} bytes after it)`);
  }
}

/**
 * A write or fsync failed: the file's state is unknown, so this handle refuses every later append
 * (`fatal`: retrying on it cannot succeed). A restart reopens the file and recovery settles the tail.
 */
export class JournalFailedError extends Error {
  readonly fatal = true;
  constructor(
    readonly path: string,
    options: { cause: unknown },
  ) {
    super(`journal ${path} failed; reopen it`, options);
    this.name = "JournalFailedError";
  }
}

interface PendingAppend {
  bytes: Buffer;
  count: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * EventLog in an append-only file, for embedded mode. Concurrent append() calls are group-committed:
 * one write for all of them (the file is opened O_DSYNC: the write returns once durable, as with an
 * fdatasync after it), and none resolves before that write has returned. On open the file
 * is scanned once (CRC of every record), a torn tail is truncated, and a sparse index of record
 * positions is rebuilt. One process owns a journal at a time; readers share its instance.
 */
export interface FileJournal<T> extends EventLog<T> {
  /** Group writes (each one O_DSYNC write) since open, and records they carried. */
  stats(): { writes: number; records: number };
  /**
   * read() without the decode: records `from`… as the codec's UTF-8 text, concatenated in `bytes`,
   * record i ending at `ends[i]`. For a reader on another thread (the embedded persister's worker),
   * which decodes them there: the owner's thread only reads the file and copies bytes.
   */
  readPayloads(from: number, max: number): Promise<JournalPayloads>;
}

export interface JournalPayloads {
  bytes: Uint8Array;
  ends: number[];
}

export async function createFileJournal<T>(options: FileJournalOptions<T>): Promise<FileJournal<T>> {
  const { path } = options;
  const codec = options.codec ?? jsonCodec<T>();
  const maxWriteBytes = options.maxWriteBytes ?? 8 << 20;
  const log = (options.logger ?? defaultLogger).child({ journal: path });
  // O_DSYNC: a write returns once its data is durable, as write + fdatasync would, so a group
  // commit is one operation on the thread pool instead of two (each costs this thread a promise
  // and a hand-off).
  const file = await open(
    path,
    constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC,
  );
  let size = (await file.stat()).size;
  if (size < MAGIC.length) {
    await file.truncate(0);
    await file.write(MAGIC);
    await file.datasync();
    await syncDirectory(dirname(path));
    size = MAGIC.length;
  }
  const magic = Buffer.alloc(MAGIC.length);
  await file.read(magic, 0, MAGIC.length, 0);
  if (!magic.equals(MAGIC)) {
    await file.close();
    throw new Error(`${path} is not a journal`);
  }
  const startedAt = performance.now();
  const scan = await scanJournal(file, size, maxWriteBytes);
  if (scan.endPos < size) {
    const badBytes = size - scan.endPos;
    if (badBytes > maxWriteBytes) {
      await file.close();
      throw new JournalCorruptError(path, scan.endPos, badBytes);
    }
    log.warn(
      { position: scan.endPos, badBytes, reason: scan.stoppedBy ?? "torn batch" },
      "truncating torn tail",
    );
    await file.truncate(scan.endPos);
    await file.datasync();
  }
  log.info({ records: scan.count, ms: Math.round(performance.now() - startedAt) }, "journal opened");

  const index = scan.index;
  let count = scan.count; // durable records
  let endPos = scan.endPos; // durable bytes
  let pending: PendingAppend[] = [];
  let writing = false;
  let failed: Error | undefined;
  let refused: Error | undefined; // an append too large: this and every later one are refused
  const stats = { writes: 0, records: 0 };
  let closed = false;
  let idle: Promise<void> = Promise.resolve();
  let markIdle = () => {};

  const writeGroups = async () => {
    writing = true;
    idle = new Promise((resolve) => {
      markIdle = resolve;
    });
    while (pending.length > 0 && !failed) {
      let bytes = 0;
      let take = 0;
      while (take < pending.length && (take === 0 || bytes + pending[take].bytes.length <= maxWriteBytes)) {
        bytes += pending[take++].bytes.length;
      }
      const group = pending.slice(0, take);
      pending = pending.slice(take);
      try {
        const buffer =
          group.length === 1
            ? group[0].bytes
            : Buffer.concat(
                group.map((g) => g.bytes),
                bytes,
              );
        for (let written = 0; written < buffer.length; ) {
          written += (await file.write(buffer, written, buffer.length - written)).bytesWritten;
        }
        let records = 0;
        let at = endPos;
        for (const g of group) {
          // Only an append that holds an indexed record (every INDEX_EVERY-th) is walked.
          const n = count + records;
          if (Math.ceil(n / INDEX_EVERY) * INDEX_EVERY < n + g.count) indexRecords(g.bytes, at, n);
          records += g.count;
          at += g.bytes.length;
        }
        count += records;
        stats.writes++;
        stats.records += records;
        endPos += buffer.length;
        for (const g of group) g.resolve();
      } catch (error) {
        // After a failed write or fsync the file's state is unknown: refuse everything until reopened.
        failed = new JournalFailedError(path, { cause: error });
        for (const g of [...group, ...pending]) g.reject(failed);
        pending = [];
      }
    }
    writing = false;
    markIdle();
  };

  const indexRecords = (buffer: Buffer, basePos: number, baseCount: number) => {
    let at = 0;
    for (let n = baseCount; at < buffer.length; n++) {
      const parsed = parseRecord(buffer, at, false);
      if (typeof parsed === "string") throw new Error("unreachable: our own batch does not parse");
      if (n % INDEX_EVERY === 0) index[n / INDEX_EVERY] = basePos + at;
      at = parsed.payloadEnd;
    }
  };

  /** Calls `emit` with the payload of each durable record from `from` on (at most `max`), in order. */
  const scanFrom = async (
    from: number,
    max: number,
    emit: (chunk: Buffer, start: number, end: number) => void,
  ): Promise<void> => {
    const upTo = Math.min(count, from + max);
    if (from < 0 || from >= upTo) return;
    let pos = index[Math.floor(from / INDEX_EVERY)];
    let n = Math.floor(from / INDEX_EVERY) * INDEX_EVERY;
    let buf = Buffer.allocUnsafe(Math.min(Math.max(64 << 10, (upTo - n) * 256), 16 << 20));
    while (n < upTo) {
      const { bytesRead } = await file.read(buf, 0, Math.min(buf.length, endPos - pos), pos);
      const chunk = buf.subarray(0, bytesRead);
      let at = 0;
      for (; n < upTo; n++) {
        const parsed = parseRecord(chunk, at, false);
        if (parsed === "corrupt") throw new Error("unreachable: corrupt without verification");
        if (parsed === "incomplete") break;
        if (n >= from) emit(chunk, parsed.payloadStart, parsed.payloadEnd);
        at = parsed.payloadEnd;
      }
      if (at === 0 && n < upTo) buf = Buffer.allocUnsafe(buf.length * 2); // a record larger than buf
      pos += at;
    }
  };

  return {
    failStop: true,
    append(records) {
      if (closed) return Promise.reject(new Error("journal is closed"));
      if (failed) return Promise.reject(failed);
      if (refused) return Promise.reject(refused);
      if (records.length === 0) return Promise.resolve();
      const bytes = encodeTexts(records.map((r) => codec.encode(r)));
      if (bytes.length > maxWriteBytes) {
        // Fail-stop even here: an append issued after this one must not land without it. The
        // appends before it still land.
        refused = new JournalFailedError(path, {
          cause: new Error(`append of ${bytes.length} bytes exceeds maxWriteBytes ${maxWriteBytes}`),
        });
        return Promise.reject(refused);
      }
      return new Promise<void>((resolve, reject) => {
        pending.push({ bytes, count: records.length, resolve, reject });
        // Appends made in the same tick, or while a group is being written, join one group.
        if (!writing) queueMicrotask(() => !writing && void writeGroups());
      });
    },
    async endOffset() {
      return count;
    },
    stats: () => ({ ...stats }),
    async read(from, max) {
      const out: LogEntry<T>[] = [];
      await scanFrom(from, max, (chunk, start, end) => {
        out.push({ offset: from + out.length, record: codec.decode(chunk.toString("utf8", start, end)) });
      });
      return out;
    },
    async readPayloads(from, max) {
      // Copied out as they come: the scan reuses its read buffer from one file read to the next.
      let bytes = Buffer.allocUnsafe(64 << 10);
      const ends: number[] = [];
      let total = 0;
      await scanFrom(from, max, (chunk, start, end) => {
        const need = total + end - start;
        if (need > bytes.length) {
          const grown = Buffer.allocUnsafe(Math.max(need, bytes.length * 2));
          bytes.copy(grown, 0, 0, total);
          bytes = grown;
        }
        chunk.copy(bytes, total, start, end);
        total = need;
        ends.push(total);
      });
      return { bytes: bytes.subarray(0, total), ends };
    },
    async close() {
      if (closed) return;
      closed = true;
      while (writing || pending.length > 0) {
        if (!writing) await writeGroups();
        else await idle;
      }
      await file.close();
    },
  };
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
