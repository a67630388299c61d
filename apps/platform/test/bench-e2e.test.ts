/**
 * Smoke test of `npm run bench:e2e`: the benchmark runs (echo, embedded, distributed, batch; then
 * cluster mode with one shard pair on its own) in its quick form and its --json output is one object on the last line with every field it promises.
 * It checks the shape and that orders went through, never the speed (numbers on a shared machine
 * are for the bench's own report, not for a test).
 */
import { expect, test } from "bun:test";
import { spawn } from "bun";
import { shapeProblems } from "../bench/lib.ts";
import { repoRoot } from "./crash-cluster.ts";

test("bench:e2e --quick --json prints one result object with every phase", async () => {
  const proc = spawn([process.execPath, "apps/platform/bench/e2e.ts", "--quick", "--json"], {
    cwd: repoRoot,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  if (code !== 0) console.error(err);
  expect(code).toBe(0);
  const lines = out.trim().split("\n");
  expect(lines).toHaveLength(1); // --json prints nothing but the result
  const result = JSON.parse(lines[0] as string);
  expect(shapeProblems(result)).toEqual([]);
  expect(err).toContain("persister caught up"); // progress lines go to stderr

  const numbers = (o: Record<string, unknown>, keys: string[]) => {
    for (const k of keys) expect([k, typeof o[k], Number.isFinite(o[k])]).toEqual([k, "number", true]);
  };
  numbers(result.echo, ["perSec", "p50Ms", "p99Ms"]);
  expect(result.echo.perSec).toBeGreaterThan(0);
  expect(result.phases.map((p: { mode: string }) => p.mode)).toEqual(["embedded", "distributed"]);
  for (const phase of result.phases) {
    // On a failure below, the phase's own counts say why (errors by kind, statuses).
    if (phase.errors !== 0 || !(phase.perSec > 0)) console.error(JSON.stringify(phase));
    numbers(phase, ["connections", "perSec", "p50Ms", "p99Ms", "p999Ms", "errors"]);
    expect(phase.connections).toBe(16);
    expect(phase.errors).toBe(0);
    expect(phase.perSec).toBeGreaterThan(0);
    expect(phase.p99Ms).toBeGreaterThanOrEqual(phase.p50Ms);
    expect(phase.byStatus["201"]).toBeGreaterThan(0);
  }
  const [embedded, distributed] = result.phases;
  // server: every thread of the one process; serverMain: its main thread alone.
  expect(Object.keys(embedded.cpuMsPer1000).sort()).toEqual(["loadgen", "server", "serverMain"]);
  expect(Object.keys(embedded.cpuCores).sort()).toEqual(["loadgen", "server", "serverMain"]);
  expect(embedded.cpuCores.server).toBeGreaterThan(0);
  expect(embedded.cpuCores.serverMain).toBeGreaterThan(0);
  expect(Object.keys(distributed.cpuMsPer1000).sort()).toEqual(
    [
      "api",
      "engine",
      "kafka",
      "loadgen",
      "persister",
      "postgres",
      "postgresServer",
      "redis",
      "stream",
    ].sort(),
  );
  for (const role of ["api", "engine", "persister", "redis", "kafka", "postgresServer"])
    expect(distributed.cpuMsPer1000[role]).toBeGreaterThan(0);
  if (!(result.batch?.ordersPerSec > 0)) console.error(JSON.stringify(result.batch), err);
  expect(result.batch.mode).toBe("embedded");
  numbers(result.batch, ["ordersPerSec", "p99Ms"]);
  expect(result.batch.ordersPerSec).toBeGreaterThan(0);
  expect(result.server.root).toBe(repoRoot);
  for (const k of ["start", "end"]) expect(result.loadavg[k]).toHaveLength(3);
  expect(result.notes.join(" ")).toContain("postgresServer");
  numbers(result.persisterCatchUpMs, ["embedded", "distributed"]);
});

test("bench:e2e --modes cluster: one phase per topology through npm run cluster, CPU per shard process", async () => {
  const proc = spawn(
    [
      process.execPath,
      "apps/platform/bench/e2e.ts",
      "--quick",
      "--json",
      "--orders-only",
      "--modes",
      "cluster",
      "--shards",
      "1",
      "--api",
      "2",
    ],
    { cwd: repoRoot, stdout: "pipe", stderr: "pipe" },
  );
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  if (code !== 0) console.error(err);
  expect(code).toBe(0);
  const result = JSON.parse(out.trim());
  expect(shapeProblems(result)).toEqual([]);
  expect(result.phases).toHaveLength(1);
  const [phase] = result.phases;
  if (phase.errors !== 0 || !(phase.perSec > 0)) console.error(JSON.stringify(phase));
  expect(phase).toMatchObject({ mode: "cluster", shards: 1, risk: 1, api: 2, connections: 16, errors: 0 });
  expect(phase.byStatus["201"]).toBeGreaterThan(0);
  expect(Object.keys(phase.cpuMsPer1000).sort()).toEqual(
    [
      "api",
      "kafka",
      "loadgen",
      "match.0",
      "persister",
      "postgres",
      "postgresServer",
      "redis",
      "risk.0",
      "stream",
      "supervisor",
    ].sort(),
  );
  for (const role of ["api", "match.0", "risk.0", "persister"])
    expect(phase.cpuMsPer1000[role]).toBeGreaterThan(0);
  expect(typeof result.persisterCatchUpMs["cluster 1x1x2"]).toBe("number");
}, 300_000);

test("bench:e2e --server-root refuses a directory that is no checkout of the platform", async () => {
  const proc = spawn(
    [process.execPath, "apps/platform/bench/e2e.ts", "--quick", "--json", "--server-root", "/tmp"],
    { cwd: repoRoot, stdout: "pipe", stderr: "pipe" },
  );
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  expect(await proc.exited).not.toBe(0);
  expect(out).toBe("");
  expect(err).toContain("--server-root /tmp: no apps/platform/bench/embedded-server.ts");
});
