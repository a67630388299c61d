import { type Command, createEngine, type Engine } from "../src/index.ts";
import { ShardedEngine } from "../src/shards/cluster.ts";
import type { Tape } from "./tape.ts";
import { generate } from "./workload.ts";

/**
 * `npm run bench:engine -- --shards N [--risk M]`: the standard workload (workload.ts) through N
 * matching shards × M risk shards (M defaults to N) beside the single engine, same tape, same
 * process, alternating runs. The shards run IN ONE PROCESS (ShardedEngine, in-memory transport,
 * every command settled before the next): this measures what the split costs per command — the
 * parking, the envelopes, the per-link sequence numbers and dedupe, the routing — not the
 * parallelism of shards in their own processes, which is not built yet. Prints one JSON line.
 */

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const shards = arg("--shards", 2);
const risk = arg("--risk", shards);
const measuredCount = arg("--commands", 500_000);
const warmupCount = arg("--warmup", 300_000);
const seed = arg("--seed", 42);
const runs = arg("--runs", 3);
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "node";
const log = (msg: string) => process.stderr.write(`[shards ${runtime}] ${msg}\n`);

interface Target {
  apply(c: Command): unknown;
}

const BATCH = 4096;
const batch: Command[] = new Array(BATCH);
const DONE: Command = { type: "CLOSE_MARKET", ts: 0, marketId: "" };

function replay(t: Target, tape: Tape): void {
  for (let i = 0; i < tape.count; i += BATCH) {
    const n = tape.fill(i, Math.min(tape.count, i + BATCH), batch);
    for (let j = 0; j < n; j++) t.apply(batch[j]);
  }
}

function timed(t: Target, tape: Tape): { wallNs: number; cpuMicros: number } {
  let wallNs = 0;
  let cpuMicros = 0;
  for (let i = 0; i < tape.count; i += BATCH) {
    const n = tape.fill(i, Math.min(tape.count, i + BATCH), batch);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < n; j++) {
      const c = batch[j];
      batch[j] = DONE;
      t.apply(c);
    }
    wallNs += Number(process.hrtime.bigint() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpuMicros += cpu.user + cpu.system;
  }
  return { wallNs, cpuMicros };
}

log(`generating seed=${seed} warmup=${warmupCount} measured=${measuredCount}`);
const w = generate(seed, warmupCount, measuredCount, () => {});

function single(): Target {
  const e: Engine = createEngine();
  return { apply: (c) => e.apply(c) };
}

function sharded(): Target & { cluster: ShardedEngine } {
  const cluster = new ShardedEngine(
    { version: 1, matchingShards: shards, riskShards: risk },
    { record: false },
  );
  return { cluster, apply: (c) => cluster.applyNow(c) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result: Record<string, { commandsPerSec: number[]; perCpuSecond: number[] }> = {
  single: { commandsPerSec: [], perCpuSecond: [] },
  sharded: { commandsPerSec: [], perCpuSecond: [] },
};
let envelopes = 0;
for (let r = 0; r < runs; r++) {
  for (const kind of ["single", "sharded"] as const) {
    const cluster = kind === "sharded" ? sharded() : null;
    const t: Target = cluster ?? single();
    for (const c of JSON.parse(JSON.stringify(w.setup)) as Command[]) t.apply(c);
    replay(t, w.warmup);
    const { wallNs, cpuMicros } = timed(t, w.measured);
    const rate = w.measured.count / (wallNs / 1e9);
    const perCpu = w.measured.count / (cpuMicros / 1e6);
    result[kind].commandsPerSec.push(Math.round(rate));
    result[kind].perCpuSecond.push(Math.round(perCpu));
    if (cluster !== null)
      envelopes = cluster.cluster
        .shards()
        .reduce((sum, s) => sum + [...s.links.sent.values()].reduce((a, b) => a + b, 0), 0);
    log(
      `run ${r + 1}/${runs} ${kind}: ${Math.round(rate).toLocaleString("en")} commands/s, ${Math.round(perCpu).toLocaleString("en")} per CPU-second`,
    );
  }
}
const s = median(result.single.perCpuSecond);
const x = median(result.sharded.perCpuSecond);
process.stdout.write(
  `${JSON.stringify({
    runtime,
    topology: `${shards} matching × ${risk} risk`,
    inProcess: true,
    note: "all shards in ONE process over an in-memory transport, each command settled before the next: the per-command cost of the split, not shard parallelism (shards as processes are not built)",
    commands: w.measured.count,
    single: { commandsPerSec: median(result.single.commandsPerSec), perCpuSecond: s, runs: result.single },
    sharded: { commandsPerSec: median(result.sharded.commandsPerSec), perCpuSecond: x, runs: result.sharded },
    cpuPerCommandVsSingle: Math.round((s / x) * 1000) / 1000,
    envelopesPerCommand:
      Math.round((envelopes / (w.setup.length + w.warmup.count + w.measured.count)) * 100) / 100,
  })}\n`,
);
