/** Pipelined appends on a fail-stop log: order of release, failure, and the sequential fallback. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createFileJournal,
  createMemoryPubSub,
  createMemoryPubSubHub,
  createMemoryQueue,
  createMemoryStream,
  type EventLog,
} from "@ox/bus";
import type { LoggedRecord } from "@ox/contracts/pipeline";
import { createHarness, eventually, type Harness, silentLogger, sleep } from "@ox/engine-service/testing";

const user = (userId: string) => ({ type: "CREATE_USER" as const, userId, ts: 1 });

/**
 * The real journal, but the first append's promise is held until `release()`: the bytes are
 * written in order, only its acknowledgement is late (a slow fdatasync). `failFirst`: the held
 * append then rejects, and so does every later one, as a fail-stop log's would.
 */
function holdFirstAppend(log: EventLog<LoggedRecord>, options: { failStop: boolean; failFirst?: boolean }) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let calls = 0;
  let resolved = 0;
  let failed = false;
  const held: EventLog<LoggedRecord> = {
    ...log,
    failStop: options.failStop,
    async append(records) {
      const first = ++calls === 1;
      if (options.failFirst && (first || failed)) {
        await gate;
        failed = true;
        throw Object.assign(new Error("journal write failed (injected)"), { fatal: true });
      }
      const written = log.append(records);
      if (first) await gate;
      await written;
      resolved++;
    },
  };
  return { log: held, release, calls: () => calls, resolved: () => resolved };
}

describe("engine service: pipelined appends on a fail-stop log", () => {
  let h: Harness;
  let journals: EventLog<LoggedRecord>[] = [];
  /** A journal handle of the test's own, closed after it (a handle left to the GC is an error). */
  const openJournal = async () => {
    const journal = await h.adapters.log();
    journals.push(journal);
    return journal;
  };
  beforeEach(async () => {
    const stream = createMemoryStream();
    const hub = createMemoryPubSubHub();
    const dir = mkdtempSync(join(tmpdir(), "ox-journal-"));
    h = await createHarness({
      name: "embedded",
      queue: (consumer = "engine-0") => createMemoryQueue({ stream, consumer }),
      log: () => createFileJournal<LoggedRecord>({ path: join(dir, "events.journal"), logger: silentLogger }),
      pubsub: () => createMemoryPubSub({ hub }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    });
  });
  afterEach(async () => {
    await h.cleanup();
    for (const journal of journals) await journal.close().catch(() => {});
    journals = [];
  });

  test("the next batch is applied while an append is in flight, but replied only after it", async () => {
    const journal = await openJournal();
    expect(journal.failStop).toBe(true);
    const slow = holdFirstAppend(journal, { failStop: true });
    const service = await h.start({ log: slow.log });
    const a = await h.client.send(user("a"));
    await eventually(() => slow.calls() === 1, "first append issued");
    const b = await h.client.send(user("b"));
    await eventually(() => slow.resolved() === 1, "second batch applied and durable");
    expect(service.engine.lastSeq).toBe(2);
    let answered = false;
    const stats = service.query("stats", []).then((s) => {
      answered = true;
      return s;
    });
    await sleep(50);
    expect(h.client.replies.has(b)).toBe(false); // durable, but the batch before it is not
    expect(h.client.replies.has(a)).toBe(false);
    expect(answered).toBe(false); // a read waits for everything applied to be durable
    expect(service.stats().logOffset).toBe(0);
    slow.release();
    await h.client.reply(b);
    expect([...h.client.replies.keys()]).toEqual([a, b]);
    expect(await stats).toMatchObject({ lastSeq: 2, logOffset: 2 });
    await eventually(async () => (await h.adapters.queue("probe").depth()) === 0, "acked");
  });

  test("a failed append stops the service; nothing applied after it is replied or acked", async () => {
    const failing = holdFirstAppend(await openJournal(), { failStop: true, failFirst: true });
    const service = await h.start({ log: failing.log });
    const a = await h.client.send(user("a"));
    await eventually(() => failing.calls() === 1, "first append issued");
    const b = await h.client.send(user("b"));
    await eventually(() => failing.calls() === 2, "second batch applied during the first append");
    failing.release();
    await expect(service.done).rejects.toMatchObject({ fatal: true });
    await sleep(50);
    expect(h.client.replies.has(a)).toBe(false);
    expect(h.client.replies.has(b)).toBe(false);
    expect(await h.adapters.queue("probe").depth()).toBe(2);
    expect(service.stats().logOffset).toBe(0);
  });

  test("a log that is not fail-stop (Kafka) is sequential: nothing is applied while an append is in flight", async () => {
    const slow = holdFirstAppend(await openJournal(), { failStop: false });
    const service = await h.start({ log: slow.log });
    const a = await h.client.send(user("a"));
    await eventually(() => slow.calls() === 1, "first append issued");
    const b = await h.client.send(user("b"));
    await sleep(100);
    expect(slow.calls()).toBe(1);
    expect(service.engine.lastSeq).toBe(1);
    slow.release();
    await h.client.reply(b);
    expect([...h.client.replies.keys()]).toEqual([a, b]);
    expect(slow.calls()).toBe(2);
  });
});
