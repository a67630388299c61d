/**
 * The embedded storage worker (src/persister-thread.ts): PGlite and the persister on their own
 * thread, the platform's thread writing and reading the same database through messages. The same
 * workload persisted there and by an in-process persister gives the same rows; lag and health
 * cross the thread; a clean close keeps every write and a restart resumes from the stored offset.
 */
import { afterAll, expect, spyOn, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consumerOffsets, DEFAULT_PERSISTER_NAME } from "@ox/db";
import { processThreads } from "@ox/engine-service/testing";
import { createPersister } from "@ox/persister";
import {
  copyOrigin,
  dumpProjections,
  freshDb,
  quiet,
  runWorkload,
  seedOrigin,
  tempJournal,
} from "@ox/persister/testing";
import { startPersisterThread } from "../src/persister-thread.ts";

const dir = mkdtempSync(join(tmpdir(), "ox-persister-thread-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Journal = Awaited<ReturnType<typeof tempJournal>> & { readPayloads: (...a: never[]) => unknown };

// The worker reads the journal file itself (@ox/bus journal-reader.ts), or through this thread when it is
// given no path or a path it cannot open: both ways give the same rows.
for (const [how, journalPath, readsHere] of [
  ["read by the worker from the file", "events.journal", false],
  ["read through the platform's thread (no file for the worker)", "no-such/events.journal", true],
] as const)
  test(`the journal into the worker's PGlite (${how}): the rows of an in-process persister; lag, health and restart`, async () => {
    await scenario(mkdtempSync(join(dir, "case-")), journalPath, readsHere);
  });

async function scenario(dir: string, journalPath: string, readsHere: boolean) {
  const start = (log: Awaited<ReturnType<typeof tempJournal>>) =>
    startPersisterThread({
      data: { pgDir: join(dir, "pg"), logLevel: "silent", lingerMs: 0, journalPath: join(dir, journalPath) },
      log,
      logger: quiet,
    });
  const reference = await freshDb("pglite");
  const log = (await tempJournal(dir)) as Journal;
  const platformReads = spyOn(log, "readPayloads");
  const thread = await start(log);
  // The API's writes (users, wallets, deposits, the outbox: transactions among them) through messages.
  const origin = await seedOrigin(thread.db, 5);
  await copyOrigin(thread.db, reference.db);
  await runWorkload({ origin, log, orders: 300, seed: 11 });
  const end = await log.endOffset();
  expect(end).toBeGreaterThan(300);

  // Not started yet: the whole journal is lag, read on the worker against this thread's journal.
  const lagging = await thread.persister.health();
  expect([lagging.offset, lagging.endOffset, lagging.lag]).toEqual([0, end, end]);

  thread.persister.start();
  const t0 = Date.now();
  while ((await thread.persister.health()).lag > 0 && Date.now() - t0 < 60_000) await Bun.sleep(50);
  expect(await thread.persister.health()).toMatchObject({ offset: end, lag: 0, state: "ok" });
  expect(thread.persister.status()).toMatchObject({ offset: end, records: end });

  expect(platformReads.mock.calls.length > 0).toBe(readsHere);

  await createPersister({ log, db: reference.db, logger: quiet }).catchUp();
  const expected = await dumpProjections(reference.db);
  expect(await dumpProjections(thread.db)).toEqual(expected);

  // Close cleanly, reopen the same directory: every write is there and nothing is left to do.
  await thread.persister.stop();
  await thread.close();
  // Its database is gone with it: a statement now fails instead of waiting for ever.
  expect(
    await thread.db
      .select()
      .from(consumerOffsets)
      .then(
        () => "answered",
        (e: Error) => String((e.cause as Error | undefined)?.message),
      ),
  ).toMatch(/worker/);
  const again = await start(log);
  try {
    expect(await dumpProjections(again.db)).toEqual(expected);
    expect(await again.persister.catchUp()).toBe(0);
    // A refused statement crosses with its SQLSTATE (the persister's quarantine and the API's
    // error mapping read it).
    const err = await again.db
      .insert(consumerOffsets)
      .values({ name: DEFAULT_PERSISTER_NAME, offset: 0, updatedAt: 0 })
      .then(
        () => null,
        (e: unknown) => e as { cause?: { code?: string; constraint?: string } },
      );
    expect(err?.cause?.code).toBe("23505");
  } finally {
    await again.close();
    await log.close();
    await reference.close();
  }
}

test("cpuProfileDir: the worker profiles its own thread and writes the profile at close", async () => {
  const caseDir = mkdtempSync(join(dir, "prof-"));
  const log = await tempJournal(caseDir);
  const thread = await startPersisterThread({
    data: {
      pgDir: join(caseDir, "pg"),
      logLevel: "silent",
      lingerMs: 0,
      cpuProfileDir: join(caseDir, "prof"),
    },
    log,
    logger: quiet,
  });
  await thread.close();
  await log.close();
  const files = readdirSync(join(caseDir, "prof"));
  expect(files).toEqual([expect.stringMatching(/^worker\.\d+\.\d+\.cpuprofile$/)]);
  const profile = JSON.parse(readFileSync(join(caseDir, "prof", files[0] as string), "utf8"));
  expect(profile.nodes.length).toBeGreaterThan(0);
  expect(profile.samples.length).toBe(profile.timeDeltas.length);
});

test.skipIf(process.platform !== "linux")(
  "nice: the storage thread runs at the lower priority, the platform's thread at its own",
  async () => {
    const caseDir = mkdtempSync(join(dir, "nice-"));
    const log = await tempJournal(caseDir);
    const threads = processThreads;
    const workers = () => threads().filter((t) => t.name === "Worker");
    const before = new Set(workers().map((t) => t.tid));
    // The main thread keeps whatever nice the test runner was started with (CI: 0; `nice npm test`: more).
    const mainNice = threads().find((t) => t.tid === process.pid)?.nice;
    const thread = await startPersisterThread({
      data: { pgDir: join(caseDir, "pg"), logLevel: "silent", lingerMs: 0, nice: 19 },
      log,
      logger: quiet,
    });
    try {
      expect(workers().filter((t) => !before.has(t.tid))).toEqual([
        { tid: expect.any(Number), name: "Worker", nice: 19 },
      ]);
      expect(threads().find((t) => t.tid === process.pid)?.nice).toBe(mainNice);
      // Still a working database and persister.
      expect(await thread.persister.catchUp()).toBe(0);
    } finally {
      await thread.close();
      await log.close();
    }
  },
);
