/**
 * The helpers of `npm run bench:e2e` (apps/platform/bench/lib.ts): the exact merge of several wrk
 * processes' latency distributions, CPU time out of /proc/<pid>/stat, the --json shape check, and
 * that the load generator really is another process than the server it loads. No speed is asserted.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  coresUsed,
  cpuDelta,
  cpuMsOf,
  cpuMsOfStat,
  listenerPids,
  mergeWrk,
  parseWrkOutput,
  per1000,
  pidsHoldingSockets,
  ppidOfStat,
  processTree,
  quantile,
  runWrk,
  shapeProblems,
  socketInodes,
  type WrkOut,
} from "../bench/lib.ts";

const dir = mkdtempSync(join(tmpdir(), "ox-bench-lib-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("quantile: the smallest value whose cumulative weight reaches q", () => {
  const samples: [number, number][] = [
    [30, 1],
    [10, 1],
    [20, 2],
  ]; // unsorted on purpose: 10 (25 %), 20 (75 %), 30 (100 %)
  expect(quantile(samples, 0.25)).toBe(10);
  expect(quantile(samples, 0.26)).toBe(20);
  expect(quantile(samples, 0.5)).toBe(20);
  expect(quantile(samples, 0.75)).toBe(20);
  expect(quantile(samples, 0.99)).toBe(30);
  expect(quantile(samples, 1)).toBe(30);
  expect(quantile([], 0.5)).toBe(0);
});

/** A generator whose latencies are uniform over 1..n ms (quantile points every 1 %). */
function uniform(requests: number, maxMs: number, status: Record<string, number>, durationUs = 1e6): WrkOut {
  const quantilesUs: [number, number][] = [];
  for (let q = 1; q <= 100; q++) quantilesUs.push([q, Math.round((q / 100) * maxMs * 1_000)]);
  return {
    durationUs,
    requests,
    status,
    errors: { connect: 0, read: 1, write: 0, timeout: 2 },
    quantilesUs,
    sent: { requests, items: requests * 2 },
  };
}

test("mergeWrk weighs each generator by its requests and sorts answers into ok, refused and errors", () => {
  // 900 fast requests (0..10 ms) and 100 slow ones (0..100 ms): p50 lies in the fast generator,
  // p99 in the slow one; a plain average of the two generators' p50 would say 27.5 ms.
  const fast = uniform(900, 10, { "201": 800, "404": 90, "500": 10 });
  const slow = uniform(100, 100, { "201": 95, "422": 5 }, 2e6);
  const m = mergeWrk([fast, slow], 5_000_000);
  expect(m.requests).toBe(1000);
  expect(m.rejected).toBe(95);
  expect(m.errors).toBe(10 + 2 * 3); // the 500s plus each generator's read and timeout errors
  expect(m.byStatus).toEqual({ "201": 895, "404": 90, "500": 10, "422": 5 });
  expect(m.durationSec).toBe(2); // the longest generator
  expect(m.perSec).toBe(Math.round(990 / 2));
  expect(m.loadgenCpuMs).toBe(5_000);
  expect(m.itemsPerRequest).toBe(2);
  expect(m.p50Ms).toBeGreaterThan(4);
  expect(m.p50Ms).toBeLessThan(7);
  expect(m.p99Ms).toBeGreaterThan(80);
  expect(m.p999Ms).toBeGreaterThanOrEqual(m.p99Ms);
  expect(m.p99Ms).toBeGreaterThanOrEqual(m.p50Ms);
});

test("parseWrkOutput finds the WRKJSON line among wrk's own output", () => {
  const out = uniform(10, 5, { "201": 10 });
  expect(parseWrkOutput(`Running 1s test\nWRKJSON ${JSON.stringify(out)}\n  2 threads`)).toEqual(out);
  expect(() => parseWrkOutput("Running 1s test\n")).toThrow(/no result/);
});

test("cpu time from /proc/<pid>/stat: utime + stime in ms, a command with spaces and parentheses", () => {
  // Fields after "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  const stat = "4242 (bun (a) b) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 9 0";
  expect(cpuMsOfStat(stat)).toBe((250 + 31) * 10);
  expect(ppidOfStat(stat)).toBe(17);
  // A real process: this one has used some CPU, and a pid that does not exist counts 0.
  expect(cpuMsOf(process.pid)).toBeGreaterThan(0);
  expect(cpuMsOf(2 ** 30)).toBe(0);
  expect(processTree(process.pid)).toContain(process.pid);
});

test("cpuDelta per group (a pid new in between counts from zero) and per1000", () => {
  const before = { api: new Map([[1, 100]]), postgres: new Map([[5, 40]]) };
  const after = {
    api: new Map([[1, 350]]),
    postgres: new Map([
      [5, 60],
      [6, 30],
    ]),
  };
  const cpu = cpuDelta(before, after);
  expect(cpu).toEqual({ api: 250, postgres: 50 });
  expect(per1000(cpu, 500)).toEqual({ api: 500, postgres: 100 });
  expect(per1000(cpu, 0)).toEqual({ api: 0, postgres: 0 });
  expect(coresUsed(cpu, 0.5)).toEqual({ api: 0.5, postgres: 0.1 });
});

const goodResult = () => ({
  echo: { perSec: 1000, p50Ms: 1, p99Ms: 2 },
  phases: [
    {
      mode: "embedded",
      connections: 16,
      perSec: 100,
      p50Ms: 1,
      p99Ms: 3,
      p999Ms: 4,
      errors: 0,
      cpuMsPer1000: { server: 900, loadgen: 10 },
    },
  ],
  batch: { mode: "embedded", ordersPerSec: 2000, p99Ms: 9 },
  loadavg: { start: [1, 2, 3], end: [1, 2, 3] },
  notes: [],
});

test("shapeProblems accepts the promised shape and names what is missing or wrong", () => {
  expect(shapeProblems(goodResult())).toEqual([]);
  expect(shapeProblems({ ...goodResult(), batch: null, batchUnavailable: "404" })).toEqual([]);
  expect(shapeProblems({ ...goodResult(), batch: null })).toEqual(["batch is null without batchUnavailable"]);
  const bad = goodResult() as any;
  delete bad.echo.p99Ms;
  bad.phases[0].mode = "sharded";
  bad.phases[0].cpuMsPer1000.api = Number.NaN;
  bad.loadavg.end = [1];
  expect(shapeProblems(bad)).toEqual([
    "echo.p99Ms is not a number",
    "phases[0].mode is sharded",
    "phases[0].cpuMsPer1000.api is not a number",
    "loadavg.end is not [1, 5, 15] minute numbers",
  ]);
  expect(shapeProblems(null)).toEqual(["result is not an object"]);
});

test("shapeProblems: a cluster phase names its topology and has CPU per shard process", () => {
  const cluster = () => {
    const r = goodResult() as any;
    r.phases[0] = {
      ...r.phases[0],
      mode: "cluster",
      shards: 2,
      risk: 2,
      api: 2,
      cpuMsPer1000: {
        api: 300,
        "match.0": 90,
        "match.1": 80,
        "risk.0": 70,
        "risk.1": 60,
        persister: 80,
        stream: 20,
      },
    };
    return r;
  };
  expect(shapeProblems(cluster())).toEqual([]);
  const bad = cluster();
  delete bad.phases[0].risk;
  delete bad.phases[0].cpuMsPer1000["match.0"];
  expect(shapeProblems(bad)).toEqual([
    "phases[0].risk is not a number",
    "phases[0].cpuMsPer1000 has no match.0",
  ]);
});

test("the load generator is other processes: the server's peers belong to the wrk pids, not to this one", async () => {
  // A server in this (the test's) process; on each new connection it looks up which process holds
  // the client's end of the socket (/proc/net/tcp by the client's port, then /proc/<pid>/fd).
  const owners = new Set<number>();
  const seenPorts = new Set<number>();
  let answered = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req, srv) {
      const port = srv.requestIP(req)?.port;
      if (port && !seenPorts.has(port)) {
        seenPorts.add(port);
        for (const pid of pidsHoldingSockets(socketInodes(port, false))) owners.add(pid);
      }
      answered++;
      return Response.json({ order: await req.json() }, { status: 201 });
    },
  });
  try {
    expect(listenerPids(server.port as number)).toEqual([process.pid]);
    const conf = join(dir, "echo.conf");
    writeFileSync(conf, "market m\n");
    let started: number[] = [];
    const m = await runWrk({
      url: `http://127.0.0.1:${server.port}`,
      mode: "echo",
      connections: 2,
      seconds: 1,
      configs: [conf, conf],
      onStart: (pids) => {
        started = pids;
      },
    });
    expect(m.generatorPids).toEqual(started);
    expect(m.generatorPids).toHaveLength(2);
    expect(m.generatorPids).not.toContain(process.pid);
    expect(m.requests).toBeGreaterThan(0);
    expect(m.byStatus["201"]).toBe(m.requests);
    expect(answered).toBeGreaterThanOrEqual(m.requests);
    expect(seenPorts.size).toBeGreaterThanOrEqual(2); // one connection per generator
    expect([...owners].sort()).toEqual([...m.generatorPids].sort());
    expect(m.itemsPerRequest).toBe(1);
  } finally {
    server.stop(true);
  }
});
