import { type Command, createEngine, type Engine } from "../src/index.ts";
import { Histogram } from "./histogram.ts";
import { preparePeer } from "./peer.ts";
import type { Tape } from "./tape.ts";
import { generate } from "./workload.ts";

/**
 * One runtime's measurement; run.sh runs it under Bun and under Node and report.ts combines them.
 *
 * Method. The workload is generated up front into compact tapes; each batch of 4 096 commands is
 * rebuilt into objects before its clock starts (the engine is timed, not the harness).
 * Throughput: one clock read per batch, commands/s = commands / Σ batch time; repeated `--runs`
 * times on fresh engines, the median goes to the JSON line and the range to stderr.
 * Latency: a fresh engine replays setup and warm-up, then every measured command is timed on its
 * own; the clock's own cost (median of back-to-back reads, calibrated here) is subtracted and the
 * result goes into a 1 ns-bucket histogram for p50/p99/p99.9. The peer gets the same batch timing.
 */

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const measuredCount = arg("--commands", 2_000_000);
const warmupCount = arg("--warmup", 300_000);
const seed = arg("--seed", 42);
const runs = arg("--runs", 3);
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const runtime = isBun ? "bun" : "node";
const log = (msg: string) => process.stderr.write(`[${runtime}] ${msg}\n`);

const bunNs = isBun ? (globalThis as unknown as { Bun: { nanoseconds(): number } }).Bun.nanoseconds : null;
const now: () => number = bunNs ?? (() => Number(process.hrtime.bigint()));

function timerOverhead(): number {
  const h = new Histogram();
  for (let i = 0; i < 200_000; i++) {
    const a = now();
    h.record(now() - a);
  }
  return h.percentile(0.5);
}

const BATCH = 4096;
const batch: Command[] = new Array(BATCH);
const DONE: Command = { type: "CLOSE_MARKET", ts: 0, marketId: "" };

function replay(e: Engine, tape: Tape): void {
  for (let i = 0; i < tape.count; i += BATCH) {
    const n = tape.fill(i, Math.min(tape.count, i + BATCH), batch);
    for (let j = 0; j < n; j++) e.apply(batch[j]);
  }
}

function prepared(): Engine {
  const e = createEngine();
  for (const c of JSON.parse(JSON.stringify(w.setup)) as Command[]) e.apply(c);
  replay(e, w.warmup);
  return e;
}

/** Process CPU µs spent inside the timed batches of the last timedRun. */
let timedCpuMicros = 0;

/** Σ of the batch times (ns) over the measured tape. */
function timedRun(e: Engine): number {
  let total = 0;
  timedCpuMicros = 0;
  for (let i = 0; i < measured.count; i += BATCH) {
    const n = measured.fill(i, Math.min(measured.count, i + BATCH), batch);
    const cpu0 = process.cpuUsage();
    const t0 = now();
    for (let j = 0; j < n; j++) {
      const c = batch[j];
      batch[j] = DONE; // the batch must not keep applied commands alive for the young-generation GC
      e.apply(c);
    }
    total += now() - t0;
    const cpu = process.cpuUsage(cpu0);
    timedCpuMicros += cpu.user + cpu.system;
  }
  return total;
}

log(`generating seed=${seed} warmup=${warmupCount} measured=${measuredCount}`);
const w = generate(seed, warmupCount, measuredCount, (n) => {
  log(`  generated ${n}`);
});
const measured = w.measured;
log(`setup ${w.setup.length} commands; measured mix ${JSON.stringify(w.codes)}`);

const rates: number[] = [];
for (let r = 0; r < runs; r++) {
  const engine = prepared();
  const rate = measured.count / (timedRun(engine) / 1e9);
  rates.push(rate);
  // On a shared machine wall time includes other processes; the process CPU time of the timed
  // batches (all threads, so GC helpers count) is logged beside it.
  const perCpuSecond = measured.count / (timedCpuMicros / 1e6);
  log(
    `throughput run ${r + 1}/${runs}: ${Math.round(rate).toLocaleString("en")} commands/s ` +
      `(${Math.round(perCpuSecond).toLocaleString("en")} per process CPU-second), last seq ${engine.lastSeq}`,
  );
}
const sorted = [...rates].sort((a, b) => a - b);
const commandsPerSec = sorted[Math.floor(sorted.length / 2)];
log(
  `  median ${Math.round(commandsPerSec).toLocaleString("en")}, range ${Math.round(sorted[0]).toLocaleString("en")}` +
    `..${Math.round(sorted[sorted.length - 1]).toLocaleString("en")} commands/s`,
);

log("latency run");
const engine = prepared();
const overhead = timerOverhead();
const hist = new Histogram();
for (let i = 0; i < measured.count; i += BATCH) {
  const n = measured.fill(i, Math.min(measured.count, i + BATCH), batch);
  for (let j = 0; j < n; j++) {
    const c = batch[j];
    batch[j] = DONE;
    const t0 = now();
    engine.apply(c);
    hist.record(now() - t0 - overhead);
  }
}
const p50Ns = hist.percentile(0.5);
const p99Ns = hist.percentile(0.99);
const p999Ns = hist.percentile(0.999);
log(`  p50 ${p50Ns} ns, p99 ${p99Ns} ns, p99.9 ${p999Ns} ns (timer overhead ${overhead} ns subtracted)`);

log("peer run (nodejs-order-book)");
const peer = preparePeer(measured, w.warmup);
peer.warm.run(0, peer.warm.count);
let peerTotal = 0;
for (let i = 0; i < peer.measured.count; i += BATCH) {
  const end = Math.min(peer.measured.count, i + BATCH);
  const t0 = now();
  peer.measured.run(i, end);
  peerTotal += now() - t0;
}
const peerCommandsPerSec = peer.measured.count / (peerTotal / 1e9);
log(`  ${Math.round(peerCommandsPerSec).toLocaleString("en")} commands/s`);

process.stdout.write(
  `${JSON.stringify({
    runtime,
    commandsPerSec: Math.round(commandsPerSec),
    p50Ns,
    p99Ns,
    p999Ns,
    peerCommandsPerSec: Math.round(peerCommandsPerSec),
    ratio: Math.round((commandsPerSec / peerCommandsPerSec) * 100) / 100,
    timerOverheadNs: overhead,
    commands: measured.count,
  })}\n`,
);
