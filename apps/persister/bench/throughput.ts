/**
 * Persister throughput on Postgres and PGlite:
 * `bun apps/persister/bench/throughput.ts [orders=50000] [batchSize=1000] [runs=1]`.
 * One engine run writes the log; every run persists all of it into a fresh database that starts
 * from the same origin (users, wallets, outbox), so every ledger row is posted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createPersister } from "@ox/persister";
import { copyOrigin, freshDb, quiet, runWorkload, seedOrigin, tempJournal } from "@ox/persister/testing";

const orders = Number(process.argv[2] ?? 50_000);
const batchSize = Number(process.argv[3] ?? 1_000);
const runs = Number(process.argv[4] ?? 1);
const dir = mkdtempSync(join(tmpdir(), "ox-persister-bench-"));
const log = await tempJournal(dir);
const source = await freshDb("pglite");
const origin = await seedOrigin(source.db, 50);
await runWorkload({ origin, log, orders, appendBatch: 500 });
const end = await log.endOffset();

for (const kind of ["postgres", "pglite"] as const) {
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const handle = await freshDb(kind);
    await copyOrigin(source.db, handle.db);
    const persister = createPersister({ log, db: handle.db, logger: quiet, batchSize });
    let rows = 0;
    const t0 = performance.now();
    while (true) {
      const r = await persister.runOnce();
      if (!r) break;
      rows += r.rows;
    }
    const s = (performance.now() - t0) / 1000;
    rates.push(Math.round(rows / s));
    console.log(
      JSON.stringify({
        db: kind,
        batchSize,
        records: end,
        rows,
        seconds: +s.toFixed(2),
        rowsPerSec: Math.round(rows / s),
        recordsPerSec: Math.round(end / s),
        load1: +(loadavg()[0] ?? 0).toFixed(2),
      }),
    );
    await handle.close();
  }
  if (runs > 1) {
    const sorted = [...rates].sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        db: kind,
        medianRowsPerSec: sorted[Math.floor(runs / 2)],
        min: sorted[0],
        max: sorted.at(-1),
      }),
    );
  }
}
await source.close();
await log.close();
rmSync(dir, { recursive: true, force: true });
