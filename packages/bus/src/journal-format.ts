import { crc32 } from "node:zlib";

/**
 * The file journal's bytes. A file starts with MAGIC; then records, each
 *   u32 LE  payload length | COMMIT_BIT   (COMMIT_BIT marks the last record of one append() call)
 *   u32 LE  CRC32 of the 4 length bytes and the payload
 *   payload (UTF-8 of the codec's text)
 * Only whole appends count: records after the last COMMIT_BIT are a torn batch and are dropped.
 */
export const MAGIC = Buffer.from("OXJRNL01", "latin1");
export const HEADER_BYTES = 8;
const COMMIT_BIT = 0x80000000;
export const LENGTH_MASK = 0x7fffffff;

export function encodeBatch(payloads: Buffer[]): Buffer {
  const total = payloads.reduce((sum, p) => sum + HEADER_BYTES + p.length, 0);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  payloads.forEach((payload, i) => {
    const lengthField = (payload.length | (i === payloads.length - 1 ? COMMIT_BIT : 0)) >>> 0;
    out.writeUInt32LE(lengthField, at);
    payload.copy(out, at + HEADER_BYTES);
    out.writeUInt32LE(crc32(payload, crc32(out.subarray(at, at + 4))), at + 4);
    at += HEADER_BYTES + payload.length;
  });
  return out;
}

/**
 * encodeBatch of the UTF-8 of `texts`, written straight into the one output buffer (no Buffer per
 * record, no copy): the journal's append encodes every record of a batch through this.
 */
export function encodeTexts(texts: readonly string[]): Buffer {
  let total = 0;
  const lengths = new Array<number>(texts.length);
  for (let i = 0; i < texts.length; i++) {
    lengths[i] = Buffer.byteLength(texts[i], "utf8");
    total += HEADER_BYTES + lengths[i];
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    const length = lengths[i];
    out.writeUInt32LE((length | (i === texts.length - 1 ? COMMIT_BIT : 0)) >>> 0, at);
    const payloadStart = at + HEADER_BYTES;
    out.write(texts[i], payloadStart, length, "utf8");
    const end = payloadStart + length;
    out.writeUInt32LE(crc32(out.subarray(payloadStart, end), crc32(out.subarray(at, at + 4))), at + 4);
    at = end;
  }
  return out;
}

export interface ParsedRecord {
  /** Position of the record's header in the buffer. */
  at: number;
  payloadStart: number;
  payloadEnd: number;
  commit: boolean;
}

/**
 * Parses the record at `at`: the record, "incomplete" if the buffer ends inside it, or "corrupt".
 * `verify` false skips the CRC (for records already verified, e.g. on read).
 */
export function parseRecord(
  buf: Buffer,
  at: number,
  verify: boolean,
): ParsedRecord | "incomplete" | "corrupt" {
  if (buf.length - at < HEADER_BYTES) return "incomplete";
  const lengthField = buf.readUInt32LE(at);
  const length = lengthField & LENGTH_MASK;
  const payloadStart = at + HEADER_BYTES;
  const payloadEnd = payloadStart + length;
  if (payloadEnd > buf.length) return "incomplete";
  if (verify) {
    const expected = buf.readUInt32LE(at + 4);
    if (crc32(buf.subarray(payloadStart, payloadEnd), crc32(buf.subarray(at, at + 4))) !== expected) {
      return "corrupt";
    }
  }
  return { at, payloadStart, payloadEnd, commit: (lengthField & COMMIT_BIT) !== 0 };
}
