/**
 * Issue 10, distributed mode: api, engine, persister and stream as real processes (crash-cluster.ts:
 * private Redis, fresh database, unique Kafka topic) under a small order load. Each process's own
 * GET /metrics passes `promtool check metrics` and carries its own families.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Cluster, type Role, startCluster } from "./crash-cluster.ts";
import { type PacedMarket, setUpPacedMarket, startPacedLoad } from "./paced-orders.ts";
import { promtool, sampleOf } from "./promtool.ts";

const ADMIN = "+919310000001";
const runId = `met${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "ox-metrics-dist-"));
let cluster: Cluster;
let market: PacedMarket;

beforeAll(async () => {
  cluster = await startCluster({
    dir,
    runId,
    jwtSecret: "metrics-test-secret-metrics-test-secret-01",
    adminPhone: ADMIN,
    extraEnv: { RATE_LIMITS: "off" },
  });
  await Promise.all([cluster.add("persister"), cluster.add("engine")]);
  await Promise.all([cluster.add("api"), cluster.add("stream")]);
  const api = cluster.proc("api");
  market = await setUpPacedMarket({
    base: () => api.baseUrl as string,
    adminPhone: ADMIN,
    userPhones: ["+919310000101", "+919310000102"],
  });
}, 180_000);

afterAll(async () => {
  await cluster?.close();
  if (!process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
});

/** A family only that process registers, so a wrong port (another process's metrics) fails the test. */
const OWN_FAMILY: Record<Role, string> = {
  api: "ox_http_requests_total",
  engine: "ox_engine_commands_total",
  persister: "ox_persister_lag_records",
  stream: "ox_stream_sockets",
};

test("each distributed process's GET /metrics passes promtool check metrics and carries its own families", async () => {
  const load = startPacedLoad(market, 5);
  await Bun.sleep(2_000);
  await load.stop();
  expect(load.other).toEqual([]);
  expect(load.answeredAt.length).toBeGreaterThan(4);

  for (const role of ["api", "engine", "persister", "stream"] as const) {
    const proc = cluster.proc(role);
    const res = await fetch(proc.metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    const checked = promtool(["check", "metrics"], text);
    expect({ role, output: checked.output, code: checked.code }).toEqual({ role, output: "", code: 0 });
    expect(text).toContain(`\n# TYPE ${OWN_FAMILY[role]} `);
    for (const other of Object.entries(OWN_FAMILY).filter(([r]) => r !== role))
      expect(text).not.toContain(`\n# TYPE ${other[1]} `);
    // Default process metrics in every process.
    expect(sampleOf(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
  }
  // The engine counted the orders the load got answered (and maybe the market's setup, not orders).
  const engine = await (await fetch(cluster.proc("engine").metricsUrl)).text();
  expect(sampleOf(engine, 'ox_orders_total{code="OK"}')).toBe(load.answeredAt.length);
}, 120_000);
