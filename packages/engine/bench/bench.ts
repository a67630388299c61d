import { type Command, createEngine, type Engine } from "../src/index.ts";
import { Histogram } from "./histogram.ts";
import { preparePeer } from "./peer.ts";
import { generate } from "./workload.ts";

/**
 * One runtime's measurement; run.sh runs it under Bun and under Node and report.ts combines them.
 *
 * Method. Throughput: the measured commands are applied in batches of 4 096 with one clock read
 * per batch, so the clock costs < 0.1 % of the time; commands/s = commands / Σ batch time.
 * Latency: a second fresh engine replays the same setup and warm-up, then every measured command
 * is timed on its own; the clock's own cost (median of back-to-back reads, calibrated here) is
 * subtracted and the result goes into a 1 ns-bucket histogram for p50/p99/p99.9. The peer gets
 * the same batch timing over the translated flow.
 */

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const measuredCount = arg("--commands", 2_000_000);
const warmupCount = arg("--warmup", 300_000);
const seed = arg("--seed", 42);
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

function prepared(cmds: Command[][]): Engine {
  const e = createEngine();
  for (const list of cmds) for (const c of list) e.apply(c);
  return e;
}

const BATCH = 4096;

log(`generating seed=${seed} warmup=${warmupCount} measured=${measuredCount}`);
const w = generate(seed, warmupCount, measuredCount, (n) => {
  log(`  generated ${n}`);
});
const measured = w.measured;
log(`setup ${w.setup.length} commands; measured mix ${JSON.stringify(w.codes)}`);

log("throughput run");
let engine = prepared([w.setup, w.warmup]);
let total = 0;
for (let i = 0; i < measured.length; i += BATCH) {
  const end = Math.min(measured.length, i + BATCH);
  const t0 = now();
  for (let j = i; j < end; j++) engine.apply(measured[j]);
  total += now() - t0;
}
const commandsPerSec = measured.length / (total / 1e9);
log(`  ${Math.round(commandsPerSec).toLocaleString("en")} commands/s, last seq ${engine.lastSeq}`);

log("latency run");
engine = prepared([w.setup, w.warmup]);
const overhead = timerOverhead();
const hist = new Histogram();
for (let j = 0; j < measured.length; j++) {
  const c = measured[j];
  const t0 = now();
  engine.apply(c);
  hist.record(now() - t0 - overhead);
}
const p50Ns = hist.percentile(0.5);
const p99Ns = hist.percentile(0.99);
const p999Ns = hist.percentile(0.999);
log(`  p50 ${p50Ns} ns, p99 ${p99Ns} ns, p99.9 ${p999Ns} ns (timer overhead ${overhead} ns subtracted)`);
engine = createEngine();

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
    commands: measured.length,
  })}\n`,
);
