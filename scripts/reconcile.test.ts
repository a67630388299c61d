import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileJournal } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import { createPersister } from "@ox/persister";
import { freshDb, quiet, runWorkload, seedOrigin } from "@ox/persister/testing";
import { sql } from "drizzle-orm";

const dataDir = mkdtempSync(join(tmpdir(), "ox-reconcile-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test("npm run reconcile: clean after the persister, exit 1 with the difference after tampering", async () => {
  const handle = await freshDb("postgres");
  try {
    mkdirSync(join(dataDir, "journal"));
    const log = await createFileJournal<LogRecord>({
      path: join(dataDir, "journal", "events.journal"),
      logger: quiet,
    });
    const origin = await seedOrigin(handle.db, 4);
    await runWorkload({ origin, log, orders: 150, seed: 5 });
    await createPersister({ log, db: handle.db, logger: quiet }).catchUp();
    await log.close();
    const run = () => {
      const { REDIS_URL: _r, KAFKA_BROKERS: _k, ...rest } = process.env;
      const env = { ...rest, DATABASE_URL: handle.url, DATA_DIR: dataDir };
      const r = spawnSync(process.execPath, [join(import.meta.dir, "reconcile.ts")], {
        env,
        encoding: "utf8",
      });
      const last = r.stdout.trim().split("\n").at(-1);
      return { status: r.status, report: last ? JSON.parse(last) : r.stderr };
    };
    const clean = run();
    expect(clean.report).toMatchObject({ ok: true, engineSource: "replay", users: 4, differences: [] });
    expect(clean.status).toBe(0);

    await handle.db.execute(
      sql`update positions set yes_qty = yes_qty + 3 where (user_id, market_id) in (select user_id, market_id from positions limit 1)`,
    );
    const dirty = run();
    expect(dirty.status).toBe(1);
    expect(dirty.report.ok).toBe(false);
    expect(dirty.report.differences.length).toBeGreaterThan(0);
  } finally {
    await handle.close();
  }
}, 60_000);
