import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { EventLog } from "./ports.ts";

interface Ev {
  n: number;
  text?: string;
}

/** Opens one log (the same file or topic partition each time) and removes it at the end. */
export interface LogHandle {
  open(): Promise<EventLog<Ev>>;
  cleanup(): Promise<void>;
}

const evs = (from: number, to: number): Ev[] =>
  Array.from({ length: to - from }, (_, i) => ({ n: from + i }));

/** The EventLog contract: dense offsets, durable appends, whole batches in order, reopenable. */
export function eventLogContract(name: string, newLog: () => Promise<LogHandle>) {
  describe(`EventLog contract: ${name}`, () => {
    let handle: LogHandle;
    const opened: EventLog<Ev>[] = [];
    const open = async () => {
      const log = await handle.open();
      opened.push(log);
      return log;
    };
    beforeEach(async () => {
      handle = await newLog();
    });
    afterEach(async () => {
      for (const log of opened.splice(0)) await log.close();
      await handle.cleanup();
    });

    test("an empty log has end 0 and reads nothing", async () => {
      const log = await open();
      expect(await log.endOffset()).toBe(0);
      expect(await log.read(0, 10)).toEqual([]);
    });

    test("appends get dense offsets from 0; reads page through them", async () => {
      const log = await open();
      await log.append([{ n: 0, text: "₹ héllo \n \u0000" }, ...evs(1, 3)]);
      await log.append(evs(3, 250));
      expect(await log.endOffset()).toBe(250);
      const first = await log.read(0, 2);
      expect(first).toEqual([
        { offset: 0, record: { n: 0, text: "₹ héllo \n \u0000" } },
        { offset: 1, record: { n: 1 } },
      ]);
      const seen: number[] = [];
      for (let from = 0; ; ) {
        const page = await log.read(from, 64);
        if (page.length === 0) break;
        for (const e of page) expect(e.record.n).toBe(e.offset);
        seen.push(...page.map((e) => e.offset));
        from = page[page.length - 1].offset + 1;
      }
      expect(seen).toEqual([...Array(250).keys()]);
      expect((await log.read(100, 3)).map((e) => e.offset)).toEqual([100, 101, 102]);
      expect(await log.read(250, 10)).toEqual([]);
      expect(await log.read(1000, 10)).toEqual([]);
      expect(await log.read(248, 10)).toHaveLength(2);
    });

    test("concurrent appends all land, each batch whole and in order", async () => {
      const log = await open();
      const batches = Array.from({ length: 20 }, (_, b) => evs(b * 100, b * 100 + 1 + (b % 7) * 10));
      await Promise.all(batches.map((batch) => log.append(batch)));
      const total = batches.reduce((sum, b) => sum + b.length, 0);
      expect(await log.endOffset()).toBe(total);
      const all = await log.read(0, total + 10);
      expect(all.map((e) => e.offset)).toEqual([...Array(total).keys()]);
      // each batch's records are contiguous, in their order
      for (const batch of batches) {
        const start = all.findIndex((e) => e.record.n === batch[0].n);
        expect(all.slice(start, start + batch.length).map((e) => e.record)).toEqual(batch);
      }
    });

    test("a reopened log has every appended record and continues the offsets", async () => {
      const first = await open();
      await first.append(evs(0, 10));
      await first.close();
      const second = await open();
      expect(await second.endOffset()).toBe(10);
      await second.append(evs(10, 15));
      expect((await second.read(0, 100)).map((e) => e.record.n)).toEqual([...Array(15).keys()]);
    });
  });
}
