/**
 * Smoke test of `npm run bench:flood`: a very short run prints one JSON line with both settings,
 * every promised field a number, and with RATE_LIMITS on the flooder's requests refused with 429.
 * It checks the shape and the limiter's effect, never the latencies (numbers on a shared machine are
 * for the bench's own report, not for a test).
 */
import { expect, test } from "bun:test";
import { spawn } from "bun";
import { repoRoot } from "./crash-cluster.ts";

test("bench:flood prints off/on victim latencies and the flood the limiter refused", async () => {
  const proc = spawn(
    [
      process.execPath,
      "apps/platform/bench/flood.ts",
      "--seconds",
      "1",
      "--flood-rate",
      "100",
      "--victim-rate",
      "5",
    ],
    { cwd: repoRoot, stdout: "pipe", stderr: "pipe" },
  );
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  if (code !== 0) console.error(err);
  expect(code).toBe(0);
  const lines = out.trim().split("\n");
  expect(lines).toHaveLength(1);
  const result = JSON.parse(lines[0] as string);
  for (const mode of ["off", "on"]) {
    for (const k of ["victimP50Ms", "victimP99Ms", "floodAccepted", "floodRefused", "victimRequests"])
      expect([mode, k, Number.isFinite(result[mode][k])]).toEqual([mode, k, true]);
    expect(result[mode].victimP99Ms).toBeGreaterThanOrEqual(result[mode].victimP50Ms);
    expect(result[mode].victimRequests).toBeGreaterThan(0);
    expect(result[mode].victimStatuses["429"] ?? 0).toBe(0); // the victim is never limited
  }
  expect(result.off.floodRefused).toBe(0);
  expect(result.off.floodAccepted).toBeGreaterThan(20); // the 1-s flood of 100/s got in unrefused
  expect(result.on.floodRefused).toBeGreaterThan(0);
  expect(result.on.floodStatuses["429"]).toBe(result.on.floodRefused);
  expect(result.on.floodAccepted).toBeLessThan(result.off.floodAccepted);
  expect(result.loadavg).toHaveLength(3);
}, 300_000);
