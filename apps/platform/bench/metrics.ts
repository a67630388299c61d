/**
 * `npm run bench:metrics`: what recording Prometheus metrics costs on the order path. One run
 * alternates the same order phase of `bench:e2e` (server in its own process, load from separate wrk
 * processes) with METRICS=on and METRICS=off (no ox_ metric recorded: HTTP middleware, engine round
 * trip and batches, persister, stream, business), in ABBA order so a drift of the shared machine
 * falls on both sides. Prints one JSON object: every run, the medians per side, the overhead, and
 * the load average at start and end.
 * Flags: --rounds N (ABBA blocks, default 1 = 4 runs), --seconds N (default 8), --warmup N (default 2),
 * --connections N (default 64), --mode embedded|distributed (default embedded).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawn } from "bun";

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string", default: "1" },
    seconds: { type: "string", default: "8" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "64" },
    mode: { type: "string", default: "embedded" },
  },
});
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

interface Phase {
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  load1: number;
  cpuMsPer1000: Record<string, number>;
}
interface Run {
  metrics: "on" | "off";
  ordersPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  load1: number;
  serverCpuMsPer1000: number;
}

async function once(metrics: "on" | "off"): Promise<Run> {
  const proc = spawn(
    [
      process.execPath,
      join(import.meta.dir, "e2e.ts"),
      "--json",
      "--orders-only",
      "--modes",
      flags.mode,
      "--connections",
      flags.connections,
      "--seconds",
      flags.seconds,
      "--warmup",
      flags.warmup,
      "--server-env",
      `METRICS=${metrics}`,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`bench:e2e (METRICS=${metrics}) failed:\n${out}`);
  const result = JSON.parse(out.trim().split("\n").at(-1) as string) as { phases: Phase[] };
  const phase = result.phases[0];
  if (!phase) throw new Error(`no phase in ${out}`);
  // Embedded: one server process; distributed: the four processes together.
  const serverCpu = Object.entries(phase.cpuMsPer1000)
    .filter(([k]) => ["server", "api", "engine", "persister", "stream"].includes(k))
    .reduce((sum, [, v]) => sum + v, 0);
  const run: Run = {
    metrics,
    ordersPerSec: phase.perSec,
    p50Ms: phase.p50Ms,
    p99Ms: phase.p99Ms,
    errors: phase.errors,
    load1: phase.load1,
    serverCpuMsPer1000: round(serverCpu, 1),
  };
  console.error(`  METRICS=${metrics}: ${JSON.stringify(run)}`);
  return run;
}

const start = loadavg();
const runs: Run[] = [];
for (let r = 0; r < Number(flags.rounds); r++)
  for (const side of ["on", "off", "off", "on"] as const) runs.push(await once(side));

const side = (m: "on" | "off") => {
  const rs = runs.filter((r) => r.metrics === m);
  return {
    runs: rs.length,
    ordersPerSec: round(median(rs.map((r) => r.ordersPerSec)), 0),
    p50Ms: round(median(rs.map((r) => r.p50Ms))),
    p99Ms: round(median(rs.map((r) => r.p99Ms))),
    serverCpuMsPer1000: round(median(rs.map((r) => r.serverCpuMsPer1000)), 1),
  };
};
const on = side("on");
const off = side("off");
console.log(
  JSON.stringify({
    settings: {
      mode: flags.mode,
      connections: Number(flags.connections),
      seconds: Number(flags.seconds),
      warmup: Number(flags.warmup),
      rounds: Number(flags.rounds),
      order: "ABBA (on, off, off, on) per round",
    },
    loadavg: { start, end: loadavg() },
    runs,
    on,
    off,
    overhead: {
      throughputPct: round(((off.ordersPerSec - on.ordersPerSec) / off.ordersPerSec) * 100, 1),
      p99Ms: round(on.p99Ms - off.p99Ms, 2),
      serverCpuMsPer1000: round(on.serverCpuMsPer1000 - off.serverCpuMsPer1000, 1),
    },
  }),
);
