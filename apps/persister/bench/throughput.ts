/** Persister throughput and rebuild time on Postgres: `bun apps/persister/bench/throughput.ts [orders]`. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPersister } from "../src/persister.ts";
import { freshDb, quiet, runWorkload, seedOrigin, tempJournal } from "../src/test-kit.ts";

const orders = Number(process.argv[2] ?? 50_000);
const dir = mkdtempSync(join(tmpdir(), "ox-persister-bench-"));
const log = await tempJournal(dir);
for (const kind of ["postgres", "pglite"] as const) {
  const handle = await freshDb(kind);
  const origin = await seedOrigin(handle.db, 50);
  if (kind === "postgres") await runWorkload({ origin, log, orders, appendBatch: 500 });
  else {
    // Same log, origin ids differ: ledger rows for unknown wallets are skipped, projections are not.
  }
  let rows = 0;
  const t0 = performance.now();
  const persister = createPersister({ log, db: handle.db, logger: quiet, batchSize: 1_000 });
  const end = await log.endOffset();
  while (true) {
    const r = await persister.runOnce();
    if (!r) break;
    rows += r.rows;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      db: kind,
      records: end,
      rows,
      seconds: +s.toFixed(2),
      rowsPerSec: Math.round(rows / s),
      recordsPerSec: Math.round(end / s),
    }),
  );
  await handle.close();
}
await log.close();
rmSync(dir, { recursive: true, force: true });
