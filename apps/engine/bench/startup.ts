/**
 * Startup time of the engine service with 1 million logged commands (issue 4).
 *   bun apps/engine/bench/startup.ts [--commands 1000000] [--json]
 * Writes the log once (the engine applies the workload, one LogRecord per command, batches of 500),
 * then measures three starts: full replay (no snapshot), snapshot at 90 % + replay of the rest, and
 * snapshot at the end. Uses the embedded file journal in a temp dir.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventLog } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import { createEngine } from "@ox/engine";
import { createFileSnapshotStore, createRecentReplies, recover } from "@ox/engine-service";
import { workload } from "@ox/engine-service/testing";
import pino from "pino";
import { openBenchLog } from "./bench-log.ts";

const args = process.argv.slice(2);
const flag = (name: string) => args.indexOf(`--${name}`);
const total = flag("commands") >= 0 ? Number(args[flag("commands") + 1]) : 1_000_000;
const json = flag("json") >= 0;
const logger = pino({ level: "silent" });
const dir = mkdtempSync(join(tmpdir(), "ox-engine-bench-"));
const say = (...parts: unknown[]) => {
  if (!json) console.log(...parts);
};

async function writeLog(log: EventLog<LogRecord>, snapshotAt: number, snapshotDir: string) {
  const engine = createEngine();
  const recent = createRecentReplies(10_000);
  const users = 1_000;
  const markets = 20;
  const orders = total - users * 2 - markets;
  let batch: LogRecord[] = [];
  let written = 0;
  const started = performance.now();
  for (const command of workload({ users, markets, orders, seed: 1 })) {
    const result = engine.apply(command);
    const envelopeId = `env-${written + batch.length}`;
    batch.push({ envelopeId, command, code: result.code, events: result.events });
    if (batch.length === 500) {
      await log.append(batch);
      written += batch.length;
      batch = [];
      if (written === snapshotAt) {
        await createFileSnapshotStore({ dir: snapshotDir }).save({
          logOffset: written,
          lastSeq: engine.lastSeq,
          takenAt: Date.now(),
          engine: engine.snapshot(),
          recent: recent.entries(),
        });
      }
    }
  }
  if (batch.length > 0) await log.append(batch);
  written += batch.length;
  return { engine, written, ms: Math.round(performance.now() - started) };
}

async function timeStart(label: string, snapshotDir: string, verify = true) {
  const log = await openBenchLog(dir);
  const started = performance.now();
  const recovered = await recover({
    log,
    snapshots: createFileSnapshotStore({ dir: snapshotDir }),
    recentLimit: 10_000,
    logger,
    verify,
  });
  const ms = Math.round(performance.now() - started);
  await log.close();
  say(
    `${label}: ${ms} ms (snapshot offset ${recovered.snapshotOffset}, replayed ${recovered.replayed}, lastSeq ${recovered.engine.lastSeq})`,
  );
  return { ms, replayed: recovered.replayed, lastSeq: recovered.engine.lastSeq };
}

const snapshots90 = join(dir, "snap-90");
const snapshotsEnd = join(dir, "snap-end");
const log = await openBenchLog(dir);
const snapshotAt = Math.floor((total * 0.9) / 500) * 500;
const written = await writeLog(log, snapshotAt, snapshots90);
say(`wrote ${written.written} commands (${written.engine.lastSeq} events) in ${written.ms} ms`);
await createFileSnapshotStore({ dir: snapshotsEnd }).save({
  logOffset: written.written,
  lastSeq: written.engine.lastSeq,
  takenAt: Date.now(),
  engine: written.engine.snapshot(),
  recent: [],
});
await log.close();

const readStarted = performance.now();
const reader = await openBenchLog(dir);
for (let at = 0; at < written.written; ) at += (await reader.read(at, 10_000)).length;
await reader.close();
const readMs = Math.round(performance.now() - readStarted);
say(`reopen + read the whole log (decode only): ${readMs} ms`);
const unverified = await timeStart(
  "full replay, no snapshot, without event verification",
  join(dir, "none"),
  false,
);
const full = await timeStart("full replay, no snapshot", join(dir, "none"));
const partial = await timeStart("snapshot at 90 % + replay", snapshots90);
const fromEnd = await timeStart("snapshot at the end", snapshotsEnd);
if (json)
  console.log(
    JSON.stringify({
      commands: written.written,
      events: written.engine.lastSeq,
      writeMs: written.ms,
      unverifiedReplayMs: unverified.ms,
      fullReplayMs: full.ms,
      snapshot90Ms: partial.ms,
      snapshotEndMs: fromEnd.ms,
    }),
  );
rmSync(dir, { recursive: true, force: true });
