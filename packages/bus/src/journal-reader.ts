/**
 * A read-only handle on a file journal from another thread (embedded mode: the storage worker's
 * persister, the engine's snapshot worker). The journal's owner stays the only writer; it tells
 * the reader how many records are durable (its endOffset), and the reader reads them from the file
 * itself, so the order path's thread neither reads the file nor copies the bytes. Records are
 * parsed with the journal's own format (journal-format.ts); the file was checked (CRC, torn tail
 * cut) by the writer when it opened, before any reader started, and it is only ever appended to.
 */
import { type FileHandle, open } from "node:fs/promises";
import { HEADER_BYTES, LENGTH_MASK, MAGIC as MAGIC_BYTES } from "./journal-format.ts";

const MAGIC = MAGIC_BYTES.toString("latin1");
/** Every INDEX_EVERY-th record's position is kept, so a read from an earlier offset seeks near it. */
const INDEX_EVERY = 1024;

export interface JournalReader {
  /** Records `from` … `upTo - 1` (all durable: upTo is at most the writer's endOffset), decoded. */
  read(from: number, upTo: number): Promise<unknown[]>;
  close(): Promise<void>;
}

/** Null when the file is not a journal (the caller reads through the writer's thread instead). */
export async function openJournalReader(path: string): Promise<JournalReader | null> {
  let file: FileHandle;
  try {
    file = await open(path, "r");
  } catch {
    return null;
  }
  const magic = Buffer.alloc(MAGIC.length);
  await file.read(magic, 0, MAGIC.length, 0);
  if (magic.toString("latin1") !== MAGIC) {
    await file.close();
    return null;
  }
  /** index[k] = file position of record k × INDEX_EVERY, for every such record seen so far. */
  const index: number[] = [MAGIC.length];
  // The furthest record whose position is known: `frontier` records start before `frontierPos`.
  let frontier = 0;
  let frontierPos = MAGIC.length;
  let buf = Buffer.allocUnsafe(256 << 10);

  return {
    async read(from, upTo) {
      const out: unknown[] = [];
      if (from < 0 || from >= upTo) return out;
      // Start at the frontier when reading on from it (the persister's usual read), else at the
      // indexed record at or before `from`.
      let n: number;
      let pos: number;
      if (from >= frontier) {
        n = frontier;
        pos = frontierPos;
      } else {
        const k = Math.floor(from / INDEX_EVERY);
        n = k * INDEX_EVERY;
        pos = index[k] as number;
      }
      while (n < upTo) {
        const { bytesRead } = await file.read(buf, 0, buf.length, pos);
        const chunk = buf.subarray(0, bytesRead);
        let at = 0;
        for (; n < upTo; n++) {
          if (chunk.length - at < HEADER_BYTES) break;
          const end = at + HEADER_BYTES + (chunk.readUInt32LE(at) & LENGTH_MASK);
          if (end > chunk.length) break;
          if (n >= from) out.push(JSON.parse(chunk.toString("utf8", at + HEADER_BYTES, end)));
          at = end;
          if (n + 1 > frontier) {
            frontier = n + 1;
            frontierPos = pos + at;
            if (frontier % INDEX_EVERY === 0) index[frontier / INDEX_EVERY] = frontierPos;
          }
        }
        if (n < upTo && at === 0) {
          // A durable record not (wholly) in the file as this handle sees it: never expected.
          if (bytesRead < buf.length) throw new Error(`journal ${path}: record ${n} is not in the file`);
          buf = Buffer.allocUnsafe(buf.length * 2); // a record larger than the buffer
        }
        pos += at;
      }
      return out;
    },
    close: () => file.close(),
  };
}
