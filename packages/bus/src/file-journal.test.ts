import { describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventLogContract } from "@ox/bus/testing";
import pino from "pino";
import { createFileJournal } from "./file-journal.ts";
import { encodeBatch, encodeTexts } from "./journal-format.ts";

eventLogContract("file journal", async () => {
  const dir = await mkdtemp(join(tmpdir(), "journal-contract-"));
  return {
    open: () => createFileJournal({ path: join(dir, "events.journal") }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe("file journal encoding and index", () => {
  test("encodeTexts writes what encodeBatch of the UTF-8 buffers does (multi-byte text too)", () => {
    const texts = ['{"a":1}', "", '{"name":"₹ खरीद 🚀"}', "x".repeat(5000)];
    expect(encodeTexts(texts).equals(encodeBatch(texts.map((t) => Buffer.from(t, "utf8"))))).toBe(true);
  });

  test("small appends grouped into one write keep the read index right across its boundaries", async () => {
    const dir = await mkdtemp(join(tmpdir(), "journal-index-"));
    const path = join(dir, "events.journal");
    try {
      const journal = await createFileJournal<{ n: number; s: string }>({
        path,
        logger: pino({ level: "silent" }),
      });
      // Appends of 1..13 records issued together: groups of several appends, some of which hold
      // the 1024th, 2048th, … record in their middle.
      let n = 0;
      const appends: Promise<void>[] = [];
      for (let size = 1; n < 5000; size = (size % 13) + 1) {
        const batch = Array.from({ length: size }, () => ({ n: n++, s: n % 7 === 0 ? "₹é🚀" : "a" }));
        appends.push(journal.append(batch));
        if (appends.length % 50 === 0) await Promise.all(appends);
      }
      await Promise.all(appends);
      expect(journal.stats().writes).toBeLessThan(appends.length);
      const check = async (j: typeof journal) => {
        for (const from of [0, 1023, 1024, 1025, 2047, 2048, 3071, 3072, 4095, 4096, n - 2]) {
          const got = await j.read(from, 2);
          expect(got.map((e) => [e.offset, e.record.n])).toEqual([
            [from, from],
            [from + 1, from + 1],
          ]);
        }
      };
      await check(journal);
      await journal.close();
      const reopened = await createFileJournal<{ n: number; s: string }>({
        path,
        logger: pino({ level: "silent" }),
      });
      expect(await reopened.endOffset()).toBe(n);
      await check(reopened);
      expect((await reopened.read(7 * 300 - 1, 1))[0].record.s).toBe("₹é🚀");
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
