/**
 * The read-only handle on the journal (journal-reader.ts) against the writer's own reads
 * (FileJournal): the same records for sequential reads on from the last one,
 * reads from earlier offsets (through its index), records larger than its buffer, and a file that
 * is not a journal or is shorter than the writer says.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createFileJournal } from "./file-journal.ts";
import { openJournalReader } from "./journal-reader.ts";

const quiet = pino({ level: "silent" });

const dir = mkdtempSync(join(tmpdir(), "ox-journal-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Rec = { n: number; pad?: string };

describe("journal reader", () => {
  test("sequential and earlier reads, big records: what the writer's read() gives", async () => {
    const path = join(dir, "a.journal");
    const writer = await createFileJournal<Rec>({ path, logger: quiet });
    const reader = await openJournalReader(path);
    if (!reader) throw new Error("no reader");
    let n = 0;
    const append = async (count: number, pad = 0) => {
      const batch = Array.from({ length: count }, () => ({ n: n++, ...(pad && { pad: "x".repeat(pad) }) }));
      await writer.append(batch);
    };
    await append(10);
    expect(await reader.read(0, 10)).toEqual((await writer.read(0, 10)).map((e) => e.record));
    // On from the last read, after more appends (one record bigger than the reader's buffer).
    await append(1500);
    await append(2, 600_000);
    await append(1200);
    const end = await writer.endOffset();
    expect(end).toBe(2712);
    for (let from = 10; from < end; from += 500) {
      const upTo = Math.min(end, from + 500);
      expect(await reader.read(from, upTo)).toEqual(
        (await writer.read(from, upTo - from)).map((e) => e.record),
      );
    }
    // Earlier offsets (a retried batch, a restart): through the index, not from the start.
    for (const from of [0, 1023, 1024, 1500, 1510, 2047, 2048, 2700])
      expect(await reader.read(from, Math.min(from + 3, end))).toEqual(
        (await writer.read(from, 3)).map((e) => e.record),
      );
    expect(await reader.read(5, 5)).toEqual([]);
    await reader.close();
    // A new reader starting late in the file (a persister resuming from its stored offset).
    const late = await openJournalReader(path);
    expect((await late?.read(2600, 2605))?.map((r) => (r as Rec).n)).toEqual([2600, 2601, 2602, 2603, 2604]);
    await late?.close();
    await writer.close();
  });

  test("not a journal: null; records the file does not hold: an error, not a wait", async () => {
    const other = join(dir, "other.txt");
    writeFileSync(other, "hello, not a journal");
    expect(await openJournalReader(other)).toBeNull();
    expect(await openJournalReader(join(dir, "missing.journal"))).toBeNull();

    const path = join(dir, "b.journal");
    const writer = await createFileJournal<Rec>({ path, logger: quiet });
    await writer.append([{ n: 0 }, { n: 1 }]);
    const reader = await openJournalReader(path);
    expect(await reader?.read(0, 2)).toEqual([{ n: 0 }, { n: 1 }]);
    expect(reader?.read(0, 3)).rejects.toThrow(/record 2 is not in the file/);
    await reader?.close();
    await writer.close();
  });
});
