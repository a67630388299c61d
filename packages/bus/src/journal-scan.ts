import type { FileHandle } from "node:fs/promises";
import { HEADER_BYTES, MAGIC, parseRecord } from "./journal-format.ts";

/** Every INDEX_EVERY-th record's file position is kept, so read(from) seeks close to `from`. */
export const INDEX_EVERY = 1024;
const CHUNK_BYTES = 8 << 20;

export interface ScanResult {
  /** Records up to the last complete append. */
  count: number;
  /** File position just after that append: everything beyond is a torn or corrupt tail. */
  endPos: number;
  /** index[i] = file position of record i × INDEX_EVERY. */
  index: number[];
  /** Why the scan stopped before the end of the file, if it did. */
  stoppedBy?: "incomplete" | "corrupt";
}

/** Reads the whole journal once, in large chunks, checking every record's CRC. */
export async function scanJournal(
  file: FileHandle,
  size: number,
  maxRecordBytes: number,
): Promise<ScanResult> {
  const index: number[] = [];
  let count = 0; // records seen, committed or not
  let committed = { count: 0, endPos: MAGIC.length };
  let filePos = MAGIC.length;
  let stoppedBy: ScanResult["stoppedBy"];
  let buf = Buffer.allocUnsafe(CHUNK_BYTES);
  while (filePos < size && !stoppedBy) {
    const want = Math.min(buf.length, size - filePos);
    const { bytesRead } = await file.read(buf, 0, want, filePos);
    const chunk = buf.subarray(0, bytesRead);
    let at = 0;
    for (;;) {
      const parsed = parseRecord(chunk, at, true);
      if (parsed === "corrupt") {
        stoppedBy = "corrupt";
        break;
      }
      if (parsed === "incomplete") {
        const length = chunk.length - at >= HEADER_BYTES ? chunk.readUInt32LE(at) & 0x7fffffff : 0;
        const needed = HEADER_BYTES + length;
        if (filePos + at + needed > size) stoppedBy = "incomplete";
        else if (length > maxRecordBytes)
          stoppedBy = "corrupt"; // a damaged length field
        else if (needed > buf.length) buf = Buffer.allocUnsafe(needed); // a record larger than a chunk
        break;
      }
      if (count % INDEX_EVERY === 0) index[count / INDEX_EVERY] = filePos + at;
      count++;
      at = parsed.payloadEnd;
      if (parsed.commit) committed = { count, endPos: filePos + at };
    }
    filePos += at;
  }
  index.length = Math.ceil(committed.count / INDEX_EVERY);
  return { count: committed.count, endPos: committed.endPos, index, stoppedBy };
}
