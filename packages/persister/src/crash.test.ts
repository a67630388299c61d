import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consumerOffsets } from "@ox/db";
import {
  copyOrigin,
  dumpProjections,
  freshDb,
  quiet,
  runWorkload,
  seedOrigin,
  tempJournal,
} from "@ox/persister/testing";
import { createPersister } from "./persister.ts";

const dir = mkdtempSync(join(tmpdir(), "ox-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bun = process.execPath;
const child = join(import.meta.dir, "crash-child.fixture.ts");

test("kill -9 between the inserts and the commit, again and again: restart gives exactly the rows of an uninterrupted run", async () => {
  const reference = await freshDb("postgres");
  const crashed = await freshDb("postgres");
  try {
    const origin = await seedOrigin(reference.db, 5);
    await copyOrigin(reference.db, crashed.db);
    const log = await tempJournal(dir);
    await runWorkload({ origin, log, orders: 300, seed: 11 });
    await createPersister({ log, db: reference.db, logger: quiet, batchSize: 10 }).catchUp();

    const end = await log.endOffset();
    const offset = async () => (await crashed.db.select().from(consumerOffsets))[0]?.offset ?? 0;
    let kills = 0;
    for (const crashAt of [1, 2, 5, 1, 3, 8, 1]) {
      const before = await offset();
      const r = spawnSync(bun, [child], {
        env: {
          ...process.env,
          DATABASE_URL: crashed.url,
          JOURNAL_DIR: dir,
          CRASH_AT: String(crashAt),
          BATCH_SIZE: "10",
        },
        encoding: "utf8",
      });
      expect({ signal: r.signal, stderr: r.stderr.slice(0, 500) }).toEqual({
        signal: "SIGKILL",
        stderr: expect.any(String),
      });
      kills++;
      // Batches before the killed one are committed; the killed one left nothing behind.
      expect(await offset()).toBe(Math.min(end, before + (crashAt - 1) * 10));
    }
    const done = spawnSync(bun, [child], {
      env: { ...process.env, DATABASE_URL: crashed.url, JOURNAL_DIR: dir, CRASH_AT: "0" },
      encoding: "utf8",
    });
    expect(done.status).toBe(0);
    expect(await dumpProjections(crashed.db)).toEqual(await dumpProjections(reference.db));
    expect(await offset()).toBe(end);
    console.log(`[persister:crash] survived ${kills} kills`);
    await log.close();
  } finally {
    await reference.close();
    await crashed.close();
  }
}, 120_000);
