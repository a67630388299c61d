/**
 * Snapshots written by the snapshot worker (snapshot-worker.ts) on the file journal: every one of
 * them, decoded, must be what a replay of the journal from zero up to the offset it is stamped with
 * gives — the same engine bytes, lastSeq and dedupe window — across a crash and a restart (the
 * second worker starts from the first one's snapshot), and snapshotNow() stamps the durable end.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandReply, LogRecord } from "@ox/contracts/pipeline";
import { type Command, createEngine, restoreEngine } from "@ox/engine";
import {
  createHarness,
  embeddedAdapters,
  eventually,
  type Harness,
  processThreads,
  readAll,
  stateOf,
  workload,
} from "@ox/engine-service/testing";
import { replyOf } from "./reply.ts";
import { createFileSnapshotStore, decodeSnapshot } from "./snapshot-store.ts";

const RECENT = 50;

/** The journal replayed from zero, with the engine's bytes and the dedupe window at each offset asked for. */
function replayAt(records: LogRecord[], offsets: Set<number>) {
  const engine = createEngine();
  const recent: [string, CommandReply][] = [];
  const at = new Map<number, { bytes: Uint8Array; lastSeq: number; recent: [string, CommandReply][] }>();
  const take = (n: number) =>
    at.set(n, { bytes: engine.snapshot(), lastSeq: engine.lastSeq, recent: recent.slice(-RECENT) });
  if (offsets.has(0)) take(0);
  records.forEach((record, i) => {
    const result = engine.apply(record.command);
    expect(result.code).toBe(record.code);
    recent.push([record.envelopeId, replyOf(record.envelopeId, record.command, result)]);
    if (offsets.has(i + 1)) take(i + 1);
  });
  return { at, engine };
}

describe("snapshot worker", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(embeddedAdapters("ox-snapshot-worker-"));
  });
  afterEach(async () => {
    await h.cleanup();
  });

  const start = () =>
    h.start({
      snapshots: createFileSnapshotStore({ dir: h.snapshotDir, keep: 1_000 }),
      snapshotEveryCommands: 37,
      batchMax: 16,
      recentLimit: RECENT,
    });
  const sendAll = async (commands: Iterable<Command>) => {
    const ids: string[] = [];
    for (const command of commands) ids.push(await h.client.send(command));
    for (const id of ids) await h.client.reply(id);
    return ids;
  };
  const snapshots = () =>
    readdirSync(h.snapshotDir)
      .filter((f) => f.endsWith(".bin"))
      .map((f) => decodeSnapshot(readFileSync(join(h.snapshotDir, f)), f));

  test("each snapshot is the journal's replay from zero at its offset, across a crash and a restart", async () => {
    const commands = [...workload({ users: 6, markets: 3, orders: 700, seed: 5 })];
    /**
     * In chunks, each sent once the worker has caught up with the one before (it follows the
     * journal on its own time): a snapshot every 37 commands then, not one after a long catch-up.
     */
    const sendInChunks = async (service: Awaited<ReturnType<typeof start>>, from: number, to: number) => {
      for (let at = from; at < to; at += 50) {
        await sendAll(commands.slice(at, Math.min(at + 50, to)));
        const end = service.stats().logOffset;
        await eventually(() => service.stats().snapshotOffset > end - 37, `a snapshot near ${end}`);
      }
    };
    const first = await start();
    await sendInChunks(first, 0, 400);
    await first.halt(); // a crash: whatever the worker wrote so far stays
    const second = await start(); // its worker starts from the newest snapshot the first one wrote
    await sendInChunks(second, 400, commands.length);
    const live = stateOf(second.engine);
    await second.stop(); // the final snapshot, at the journal's end
    const records = await h.readLog();
    expect(records.length).toBe(commands.length);

    const written = snapshots();
    const offsets = new Set(written.map((s) => s.logOffset));
    // The cadence's snapshots before the crash, after it, and the final one at the end.
    expect([...offsets].filter((o) => o < 400).length).toBeGreaterThan(3);
    expect([...offsets].filter((o) => o > 400 && o < records.length).length).toBeGreaterThan(3);
    expect(offsets.has(records.length)).toBe(true);
    const { at, engine } = replayAt(records, offsets);
    for (const s of written) {
      const expected = at.get(s.logOffset);
      if (!expected) throw new Error(`no replay at ${s.logOffset}`);
      expect({ offset: s.logOffset, lastSeq: s.lastSeq }).toEqual({
        offset: s.logOffset,
        lastSeq: expected.lastSeq,
      });
      expect(Buffer.from(s.engine).equals(Buffer.from(expected.bytes))).toBe(true);
      expect(s.recent).toEqual(expected.recent);
    }
    const last = written.find((s) => s.logOffset === records.length);
    expect(stateOf(restoreEngine(last?.engine ?? new Uint8Array()))).toEqual(stateOf(engine));
    expect(stateOf(engine)).toEqual(live);
  });

  test("snapshotNow() writes one stamped with the durable end, and a restart starts from it; nice", async () => {
    const commands = [...workload({ users: 4, markets: 2, orders: 150, seed: 9 })];
    const threads = processThreads;
    const workers = () => threads().filter((t) => t.name === "Worker");
    const before = new Set(workers().map((t) => t.tid));
    // The main thread keeps whatever nice the test runner was started with (CI: 0; `nice npm test`: more).
    const mainNice = threads().find((t) => t.tid === process.pid)?.nice;
    const service = await h.start({
      snapshots: createFileSnapshotStore({ dir: h.snapshotDir }),
      snapshotEveryCommands: 1_000_000,
      snapshotWorker: { journalPath: h.adapters.journalPath as string, nice: 19 },
    });
    await sendAll(commands);
    await service.snapshotNow();
    // The worker has answered, so it set its priority first: its own thread's, not the process's.
    expect(workers().filter((t) => !before.has(t.tid))).toEqual([
      { tid: expect.any(Number), name: "Worker", nice: 19 },
    ]);
    expect(threads().find((t) => t.tid === process.pid)?.nice).toBe(mainNice);
    expect(service.stats().snapshotOffset).toBe(commands.length);
    expect(snapshots().map((s) => s.logOffset)).toEqual([commands.length]);
    const live = stateOf(service.engine);
    await service.halt();
    const again = await h.start();
    expect(again.stats().snapshotOffset).toBe(commands.length);
    expect(stateOf(again.engine)).toEqual(live);
    const log = await h.adapters.log();
    expect((await readAll(log)).length).toBe(commands.length);
    await log.close();
  });
});
