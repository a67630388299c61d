/**
 * `npm run bench:metrics`: what recording Prometheus metrics costs on the order path. One run
 * alternates the same order phase of `bench:e2e` (server in its own process, load from separate wrk
 * processes) with METRICS=on and METRICS=off (no ox_ metric recorded: HTTP middleware, engine round
 * trip and batches, persister, stream, business), in ABBA order so a drift of the shared machine
 * falls on both sides (after one uncounted run). Prints one JSON object: every run, the medians per side, the overhead, and
 * the load average at start and end. On a shared, loaded machine the runs' spread is larger than
 * the difference, so first it also times, in this process, exactly what one order records (the
 * API's HTTP middleware on a Hono app with vs without it, the round-trip histogram, the engine's
 * per-record counters): nanoseconds per order to set against the server CPU per order.
 * Flags: --rounds N (ABBA blocks, default 1 = 4 runs), --seconds N (default 8), --warmup N (default 2),
 * --connections N (default 64), --mode embedded|distributed (default embedded), --micro-only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createApiMetrics } from "@ox/api";
import type { LogRecord } from "@ox/contracts/pipeline";
import { createEngineMetrics } from "@ox/engine-service";
import { createMetricsRegistry } from "@ox/metrics";
import { spawn } from "bun";
import { Hono } from "hono";

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string", default: "1" },
    seconds: { type: "string", default: "8" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "64" },
    mode: { type: "string", default: "embedded" },
    "micro-only": { type: "boolean", default: false },
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

/** Nanoseconds per call of `fn` (async or not) over `n` calls, best of `blocks` (the least disturbed). */
async function nsPerCall(n: number, blocks: number, fn: () => unknown): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let b = 0; b < blocks; b++) {
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < n; i++) {
      const r = fn();
      if (r instanceof Promise) await r;
    }
    best = Math.min(best, (Bun.nanoseconds() - t0) / n);
  }
  return best;
}

/** What one order records, timed in this process. */
async function micro() {
  const registry = createMetricsRegistry({ defaults: false });
  const api = createApiMetrics(registry);
  const engine = createEngineMetrics(registry);
  const handler = (c: { json: (b: unknown, s: 201) => Response }) => c.json({ order: { id: "o1" } }, 201);
  const withMetrics = new Hono();
  withMetrics.use("*", api.http as never);
  withMetrics.post("/api/v1/orders/:id?", handler as never);
  const without = new Hono();
  without.post("/api/v1/orders/:id?", handler as never);
  const req = () => new Request("http://x/api/v1/orders", { method: "POST" });
  const record = {
    envelopeId: "e1",
    command: { type: "PLACE_ORDER" },
    code: "OK",
    events: [{ type: "TRADE", kind: "MINT", qty: 1, takerPricePaise: 400 }],
  } as unknown as LogRecord;
  const records = [record];
  // ABAB blocks of the two Hono apps, best block each.
  let httpOn = Number.POSITIVE_INFINITY;
  let httpOff = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 4; i++) {
    httpOn = Math.min(httpOn, await nsPerCall(20_000, 1, () => withMetrics.fetch(req())));
    httpOff = Math.min(httpOff, await nsPerCall(20_000, 1, () => without.fetch(req())));
  }
  const roundTrip = await nsPerCall(500_000, 4, () => api.engineRoundTrip("PLACE_ORDER", 0.002, true));
  const engineRecord = await nsPerCall(500_000, 4, () => engine.batch(records, 0.0001, 0.001));
  const scrape = await nsPerCall(200, 3, () => registry.metrics());
  const perOrder = Math.max(0, httpOn - httpOff) + roundTrip + engineRecord;
  return {
    httpRequestNs: { withMetrics: round(httpOn, 0), without: round(httpOff, 0) },
    httpMiddlewareNs: round(httpOn - httpOff, 0),
    roundTripObserveNs: round(roundTrip, 0),
    /** One batch of one PLACE_ORDER record with one trade (batch histograms + counters). */
    engineBatchOfOneNs: round(engineRecord, 0),
    perOrderNs: round(perOrder, 0),
    /** Rendering this registry's exposition once (no process metrics), per scrape not per order. */
    scrapeUs: round(scrape / 1000, 0),
  };
}

const start = loadavg();
const microResult = await micro();
console.error(`  micro: ${JSON.stringify(microResult)}`);
const runs: Run[] = [];
// One run first, not counted: in earlier runs the first server of a series was the slowest.
const warmupRun = flags["micro-only"] ? null : await once("on");
if (!flags["micro-only"])
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
const cpuPerOrderNs = off.serverCpuMsPer1000 * 1000; // ms per 1 000 orders = µs per order; ×1000 = ns
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
    micro: {
      ...microResult,
      // What the recording is of the server CPU one order costs (the off side's median).
      ...(runs.length > 0 && {
        perOrderPctOfServerCpu: round((microResult.perOrderNs / cpuPerOrderNs) * 100, 2),
      }),
    },
    ...(runs.length > 0 && {
      warmupRun,
      runs,
      on,
      off,
      overhead: {
        throughputPct: round(((off.ordersPerSec - on.ordersPerSec) / off.ordersPerSec) * 100, 1),
        p99Ms: round(on.p99Ms - off.p99Ms, 2),
        serverCpuMsPer1000: round(on.serverCpuMsPer1000 - off.serverCpuMsPer1000, 1),
      },
    }),
  }),
);
