/**
 * `npm run bench:persister`: one recorded engine run (runWorkload: every fill kind, cancels,
 * rejections, money movements) fed through the persister into fresh databases, Postgres and PGlite
 * side by side, and, with `--roots A,B`, the persister of other checkouts over the same log in the
 * same run (ABBA order), each ending with the same rows (checked). JSON lines on stdout, the last one
 * the summary.
 *
 *   --orders 20000      commands of the workload (≈ one log record each)
 *   --batch 1000,100    batch sizes (1000 = catching up, the default of main.ts; 100 = keeping up)
 *   --dbs postgres,pglite
 *   --runs 2            runs per (db, batch, root); roots alternate A B, B A, …
 *   --roots DIR,DIR     checkouts whose packages/persister to run (default: this one)
 *   --no-check          skip the comparison of every projected table between roots
 *
 * CPU: `cpu` is this process (the persister; with PGlite also the database, same thread),
 * `postgres` the run's Postgres backends (/proc/<pid>/stat of the database's connections).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Db } from "@ox/db";
import type { createPersister as CreatePersister } from "@ox/persister";
import {
  copyOrigin,
  dumpProjections,
  freshDb,
  quiet,
  runWorkload,
  seedOrigin,
  tempJournal,
} from "@ox/persister/testing";
import { sql } from "drizzle-orm";

const { values: flags } = parseArgs({
  options: {
    orders: { type: "string", default: "20000" },
    batch: { type: "string", default: "1000,100" },
    dbs: { type: "string", default: "postgres,pglite" },
    runs: { type: "string", default: "2" },
    roots: { type: "string" },
    "no-check": { type: "boolean", default: false },
  },
});
const here = resolve(import.meta.dir, "../../..");
const roots = (flags.roots ?? here).split(",").map((r) => resolve(r));
const batches = flags.batch.split(",").map(Number);
const dbs = flags.dbs.split(",") as Array<"postgres" | "pglite">;
const runs = Number(flags.runs);
const load = () => loadavg().map((l) => +l.toFixed(2));
const loadStart = load();

const persisters = new Map<string, typeof CreatePersister>();
for (const root of roots) {
  const mod = (await import(join(root, "packages/persister/src/index.ts"))) as {
    createPersister: typeof CreatePersister;
  };
  persisters.set(root, mod.createPersister);
}

const dir = mkdtempSync(join(tmpdir(), "ox-persister-bench-"));
const log = await tempJournal(dir);
const source = await freshDb("pglite");
const origin = await seedOrigin(source.db, 50);
await runWorkload({ origin, log, orders: Number(flags.orders), appendBatch: 500 });
const records = await log.endOffset();
let events = 0;
const byType: Record<string, number> = {};
for (const { record } of await log.read(0, records)) {
  events += record.events.length;
  for (const e of record.events) byType[e.type] = (byType[e.type] ?? 0) + 1;
}
console.log(JSON.stringify({ workload: { records, events, byType } }));

const TICK_MS = 10; // USER_HZ 100
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}
async function backends(db: Db): Promise<Map<number, number>> {
  const r = (await db.execute(
    sql`select pid from pg_stat_activity where datname = current_database()`,
  )) as unknown as { rows: Array<{ pid: number }> };
  return new Map(r.rows.map(({ pid }) => [pid, procCpuMs(pid)]));
}

interface Result {
  db: string;
  batch: number;
  root: string;
  run: number;
  seconds: number;
  eventsPerSec: number;
  recordsPerSec: number;
  cpuMsPer1000Events: number;
  postgresCpuMsPer1000Events: number | null;
  batches: number;
  rows: number;
  load1: number;
}
const results: Result[] = [];
const mismatches: string[] = [];

for (const kind of dbs) {
  for (const batch of batches) {
    const reference = new Map<string, string>();
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? roots : [...roots].reverse();
      for (const root of order) {
        const handle = await freshDb(kind);
        await copyOrigin(source.db, handle.db);
        const createPersister = persisters.get(root) as typeof CreatePersister;
        const persister = createPersister({ log, db: handle.db, logger: quiet, batchSize: batch });
        const pgBefore = kind === "postgres" ? await backends(handle.db) : null;
        let rows = 0;
        let n = 0;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        while (true) {
          const r = await persister.runOnce();
          if (!r) break;
          rows += r.rows;
          n++;
        }
        const ms = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        let pgMs: number | null = null;
        if (pgBefore) {
          pgMs = 0;
          for (const [pid, now] of await backends(handle.db)) pgMs += now - (pgBefore.get(pid) ?? 0);
        }
        const result: Result = {
          db: kind,
          batch,
          root,
          run,
          seconds: +(ms / 1000).toFixed(3),
          eventsPerSec: Math.round((events * 1000) / ms),
          recordsPerSec: Math.round((records * 1000) / ms),
          cpuMsPer1000Events: +((cpu.user + cpu.system) / 1000 / (events / 1000)).toFixed(1),
          postgresCpuMsPer1000Events: pgMs === null ? null : +(pgMs / (events / 1000)).toFixed(1),
          batches: n,
          rows,
          load1: load()[0] ?? 0,
        };
        results.push(result);
        console.log(JSON.stringify(result));
        if (!flags["no-check"] && run === 0) {
          const dump = JSON.stringify(await dumpProjections(handle.db));
          reference.set(root, dump);
          const first = reference.get(roots[0] as string);
          if (first !== undefined && dump !== first) mismatches.push(`${kind} batch ${batch}: ${root}`);
        }
        await handle.close();
      }
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const summary = [];
for (const kind of dbs)
  for (const batch of batches)
    for (const root of roots) {
      const rs = results.filter((r) => r.db === kind && r.batch === batch && r.root === root);
      summary.push({
        db: kind,
        batch,
        root,
        medianEventsPerSec: median(rs.map((r) => r.eventsPerSec)),
        medianCpuMsPer1000Events: median(rs.map((r) => r.cpuMsPer1000Events)),
        medianPostgresCpuMsPer1000Events:
          kind === "postgres" ? median(rs.map((r) => r.postgresCpuMsPer1000Events ?? 0)) : null,
      });
    }
console.log(
  JSON.stringify({
    summary,
    records,
    events,
    identical: flags["no-check"] ? null : mismatches.length === 0,
    mismatches,
    loadavg: { start: loadStart, end: load() },
  }),
);
await source.close();
await log.close();
rmSync(dir, { recursive: true, force: true });
if (mismatches.length) process.exit(1);
