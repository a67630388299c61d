import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { appendFile, mkdtemp, open, rm, stat, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileJournal, JournalCorruptError } from "./file-journal.ts";
import { encodeBatch } from "./journal-format.ts";

interface Ev {
  n: number;
}
const evs = (from: number, to: number): Ev[] =>
  Array.from({ length: to - from }, (_, i) => ({ n: from + i }));

describe("file journal: torn writes, damage, group commit, size", () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "journal-"));
    path = join(dir, "events.journal");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const write = async (batches: Ev[][]) => {
    const j = await createFileJournal<Ev>({ path });
    for (const b of batches) await j.append(b);
    await j.close();
    return (await stat(path)).size;
  };
  const reopen = async (maxWriteBytes?: number) => {
    const j = await createFileJournal<Ev>({ path, maxWriteBytes });
    const all = await j.read(0, 1_000_000);
    return { j, ns: all.map((e) => e.record.n), end: await j.endOffset() };
  };
  const flipByte = async (position: number) => {
    const f = await open(path, "r+");
    const b = Buffer.alloc(1);
    await f.read(b, 0, 1, position);
    b[0] ^= 0x5a;
    await f.write(b, 0, 1, position);
    await f.close();
  };

  test("a record cut in the middle is dropped with its batch; the journal continues after it", async () => {
    const size = await write([evs(0, 5), evs(5, 8)]);
    await truncate(path, size - 3);
    const { j, ns, end } = await reopen();
    expect(ns).toEqual(evs(0, 5).map((e) => e.n));
    expect(end).toBe(5);
    await j.append(evs(5, 7));
    expect((await j.read(0, 100)).map((e) => e.record.n)).toEqual(evs(0, 7).map((e) => e.n));
    await j.close();
  });

  test("whole records after the last complete append (a torn batch) are dropped", async () => {
    await write([evs(0, 3)]);
    // the first two records of a three-record batch, without its commit-marked last record
    const batch = encodeBatch(evs(3, 6).map((e) => Buffer.from(JSON.stringify(e))));
    const lastRecordBytes = 8 + Buffer.byteLength(JSON.stringify({ n: 5 }));
    await appendFile(path, batch.subarray(0, batch.length - lastRecordBytes));
    const { j, ns } = await reopen();
    expect(ns).toEqual([0, 1, 2]);
    await j.close();
  });

  test("a garbage tail is truncated, whatever its length field says", async () => {
    const size = await write([evs(0, 4)]);
    await appendFile(path, Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const { j, ns } = await reopen();
    expect(ns).toEqual([0, 1, 2, 3]);
    await j.close();
    expect((await stat(path)).size).toBe(size);
  });

  test("a checksum failure in the last batch drops that batch", async () => {
    const size = await write([evs(0, 4), evs(4, 6)]);
    await flipByte(size - 2); // inside the payload of the last record
    const { j, ns } = await reopen();
    expect(ns).toEqual([0, 1, 2, 3]);
    await j.close();
  });

  test("damage far from the tail is refused, not silently truncated", async () => {
    await write([evs(0, 10), evs(10, 2000)]);
    await flipByte(8 + 8 + 2); // the payload of record 0
    const opening = createFileJournal<Ev>({ path, maxWriteBytes: 4096 });
    expect(opening).rejects.toBeInstanceOf(JournalCorruptError);
    await opening.catch(() => undefined);
  });

  test("fail-stop: an append too large is refused, and so is every later one; earlier ones land", async () => {
    const j = await createFileJournal<Ev>({ path, maxWriteBytes: 4096 });
    expect(j.failStop).toBe(true);
    const outcome = (p: Promise<void>) =>
      p.then(
        () => "landed",
        (e: { fatal?: boolean }) => e.fatal,
      );
    const appends = [j.append(evs(0, 3)), j.append(evs(3, 1000)), j.append(evs(1000, 1001))];
    expect(await Promise.all(appends.map(outcome))).toEqual(["landed", true, true]);
    expect(await j.endOffset()).toBe(3);
    await j.close();
    const reopened = await reopen();
    expect(reopened.ns).toEqual([0, 1, 2]);
    await reopened.j.close();
  });

  test("concurrent appends are group-committed: far fewer writes than appends", async () => {
    const j = await createFileJournal<Ev>({ path });
    await Promise.all(evs(0, 1000).map((e) => j.append([e])));
    const { writes, records } = j.stats();
    console.log(`group commit: 1000 concurrent appends in ${writes} write+fsync groups`);
    expect(records).toBe(1000);
    expect(writes).toBeLessThan(100);
    expect((await j.read(0, 2000)).map((e) => e.offset)).toEqual([...Array(1000).keys()]);
    await j.close();
  });

  test("a journal of 1M records reopens quickly and reads from anywhere", async () => {
    const j = await createFileJournal<Ev>({ path });
    const t0 = performance.now();
    for (let from = 0; from < 1_000_000; from += 20_000) await j.append(evs(from, from + 20_000));
    const writeMs = performance.now() - t0;
    await j.close();
    const t1 = performance.now();
    const again = await createFileJournal<Ev>({ path });
    const reopenMs = performance.now() - t1;
    const size = (await stat(path)).size;
    console.log(
      `journal: 1M records (${(size / 1e6).toFixed(1)} MB) written in ${writeMs.toFixed(0)} ms, reopened in ${reopenMs.toFixed(0)} ms`,
    );
    expect(await again.endOffset()).toBe(1_000_000);
    const t2 = performance.now();
    const page = await again.read(777_777, 3);
    const readMs = performance.now() - t2;
    console.log(`journal: read(777777, 3) in ${readMs.toFixed(2)} ms`);
    expect(page.map((e) => e.record.n)).toEqual([777_777, 777_778, 777_779]);
    expect((await again.read(999_999, 10)).map((e) => e.offset)).toEqual([999_999]);
    expect(reopenMs).toBeLessThan(3_000);
    await again.close();
  });
});
