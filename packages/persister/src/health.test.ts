import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPersisterHealth } from "@ox/bus";
import { freshDb, quiet, runWorkload, seedOrigin, tempJournal } from "@ox/persister/testing";
import { createPersister } from "./persister.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("persister health (lag against the log's end, read at every call)", () => {
  test("states: ok when caught up, lagging past maxLag while moving, stuck when not moving with lag", async () => {
    let now = 0;
    let offset = 0;
    let end = 0;
    const probe = createPersisterHealth({
      offset: () => offset,
      endOffset: () => end,
      maxLag: 100,
      stuckAfterMs: 1_000,
      now: () => now,
    });
    expect((await probe.read()).state).toBe("ok");
    end = 500;
    now = 10;
    expect(await probe.read()).toMatchObject({ state: "lagging", lag: 500, endOffset: 500 });
    offset = 450;
    now = 900;
    expect(await probe.read()).toMatchObject({ state: "ok", lag: 50, stalledMs: 0 });
    now = 1_899;
    expect((await probe.read()).state).toBe("ok");
    now = 1_900;
    expect(await probe.read()).toMatchObject({ state: "stuck", lag: 50, stalledMs: 1_000 });
    offset = 500;
    expect(await probe.read()).toMatchObject({ state: "ok", lag: 0 });
  });

  test("a persister that cannot commit is stuck, with the lag against the log's end; it recovers to ok", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ox-persister-health-"));
    dirs.push(dir);
    const db = await freshDb("pglite");
    const log = await tempJournal(dir);
    try {
      const origin = await seedOrigin(db.db, 3);
      let failing = false;
      const persister = createPersister({
        log,
        db: db.db,
        logger: quiet,
        batchSize: 50,
        pollMs: 5,
        stuckAfterMs: 300,
        beforeCommit: () => {
          if (failing) throw new Error("simulated: Postgres refuses the commit");
        },
      });
      await runWorkload({ origin, log, orders: 60 });
      // Every commit fails (Postgres refusing, or a record it cannot take) from the start.
      failing = true;
      const end = await log.endOffset();
      persister.start();
      const first = await persister.health();
      expect(first.lag).toBeGreaterThan(0);
      expect(first.endOffset).toBe(end);
      await Bun.sleep(400);
      const stuck = await persister.health();
      expect(stuck).toMatchObject({ state: "stuck", endOffset: end, lag: first.lag });
      failing = false;
      for (let i = 0; i < 300 && (await persister.health()).lag > 0; i++) await Bun.sleep(100);
      expect(await persister.health()).toMatchObject({ state: "ok", lag: 0, offset: end });
      await persister.stop();
    } finally {
      await log.close();
      await db.close();
    }
  }, 120_000);
});
