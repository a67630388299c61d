import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { createPgliteDb } from "./client.ts";

const dir = mkdtempSync(join(tmpdir(), "ox-pglite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** WAL segments in the data directory (each 16 MiB). */
const segments = (pgDir: string) =>
  readdirSync(join(pgDir, "pg_wal")).filter((f) => /^[0-9A-F]{24}$/.test(f)).length;

test("the embedded database runs without full-page writes and zero-filled WAL segments (fsync is off)", async () => {
  const handle = await createPgliteDb({ dataDir: join(dir, "settings"), migrate: false });
  try {
    const show = async (name: string) =>
      ((await handle.db.execute(sql.raw(`show ${name}`))) as unknown as { rows: Record<string, string>[] })
        .rows[0]?.[name];
    expect(await show("fsync")).toBe("off");
    expect(await show("full_page_writes")).toBe("off");
    expect(await show("wal_init_zero")).toBe("off");
  } finally {
    await handle.close();
  }
}, 60_000);

test("checkpointIfDue keeps the WAL directory bounded while writes go on; without it, it grows", async () => {
  const run = async (name: string, checkpoint: boolean) => {
    const pgDir = join(dir, name);
    const handle = await createPgliteDb({ dataDir: pgDir, migrate: false });
    try {
      await handle.db.execute(sql`create table t (id bigserial primary key, v text)`);
      const initial = segments(pgDir);
      let checkpoints = 0;
      // Some 8 segments of WAL in 10 rounds.
      for (let round = 0; round < 10; round++) {
        await handle.db.execute(
          sql`insert into t (v) select repeat('x', 200) from generate_series(1, 40000)`,
        );
        if (checkpoint && (await handle.checkpointIfDue(8 * 1024 * 1024))) checkpoints++;
      }
      return { initial, final: segments(pgDir), checkpoints, again: await handle.checkpointIfDue(8 << 20) };
    } finally {
      await handle.close();
    }
  };
  const without = await run("unchecked", false);
  const withIt = await run("checked", true);
  expect(without.final).toBeGreaterThanOrEqual(without.initial + 6);
  expect(withIt.checkpoints).toBeGreaterThanOrEqual(5);
  // Right after a checkpoint nothing is due; the old segments were reused, not added to.
  expect(withIt.again).toBe(false);
  expect(withIt.final).toBeLessThanOrEqual(withIt.initial + 2);
}, 120_000);

test("kill -9 inside a transaction, between checkpoints: a restart has every committed row and none of the killed one", async () => {
  const pgDir = join(dir, "crash");
  const child = (crashAt: number) =>
    spawnSync(process.execPath, [join(import.meta.dir, "pglite-crash-child.fixture.ts")], {
      env: { ...process.env, PG_DIR: pgDir, CRASH_AT: String(crashAt), ROUNDS: "6" },
      encoding: "utf8",
    });
  // Each run commits rounds 1 … CRASH_AT - 1 again (a round is 2 000 new rows) and dies in CRASH_AT.
  let committed = 0;
  for (const crashAt of [4, 1, 6, 3]) {
    const r = child(crashAt);
    expect({ signal: r.signal, stderr: r.stderr.slice(0, 500) }).toEqual({
      signal: "SIGKILL",
      stderr: expect.any(String),
    });
    committed += (crashAt - 1) * 2000;
  }
  const done = child(0);
  expect(done.status).toBe(0);
  // Rounds of 2 000 rows (~0.6 MiB of WAL each) against a 1 MiB threshold: checkpoints happened.
  expect(JSON.parse(done.stdout.trim()).checkpoints).toBeGreaterThanOrEqual(2);
  committed += 6 * 2000;

  const handle = await createPgliteDb({ dataDir: pgDir, migrate: false });
  try {
    const one = async (q: string) =>
      ((await handle.db.execute(sql.raw(q))) as unknown as { rows: Array<{ n: number }> }).rows[0]?.n;
    expect(await one("select count(*)::int as n from t")).toBe(committed);
    // No round has a part of its rows: each committed whole or not at all.
    expect(
      await one(
        "select count(*)::int as n from (select round, count(*) c from t group by 1, xmin) g where c <> 2000",
      ),
    ).toBe(0);
    // The primary key's index agrees with the table.
    await handle.db.execute(sql`set enable_seqscan = off`);
    expect(await one("select count(*)::int as n from t where id > 0")).toBe(committed);
  } finally {
    await handle.close();
  }
}, 300_000);
