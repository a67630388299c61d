/**
 * Issue 10, distributed mode: api, engine, persister and stream as real processes (crash-cluster.ts:
 * private Redis, fresh database, unique Kafka topic) under a small order load. Each process's own
 * GET /metrics passes `promtool check metrics` and carries its own families; and the real Prometheus
 * binary (Debian's package, private port and data dir), scraping the four processes every second
 * with the checked-in alert rules loaded, reports through its HTTP query API the order rate that
 * was really sent.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Subprocess, spawn } from "bun";
import { type Cluster, freePort, type Role, repoRoot, startCluster } from "./crash-cluster.ts";
import { type PacedMarket, setUpPacedMarket, startPacedLoad } from "./paced-orders.ts";
import { promtool, sampleOf } from "./promtool.ts";

const ADMIN = "+919310000001";
const runId = `met${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "ox-metrics-dist-"));
let cluster: Cluster;
let market: PacedMarket;
let prometheus: Subprocess | undefined;

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
  prometheus?.kill("SIGKILL");
  await prometheus?.exited;
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

/** One instant query against Prometheus's HTTP API; the vector's samples as [labels, value]. */
async function query(base: string, expr: string, time?: number): Promise<[Record<string, string>, number][]> {
  const url = new URL("/api/v1/query", base);
  url.searchParams.set("query", expr);
  if (time !== undefined) url.searchParams.set("time", String(time / 1000));
  const body = (await (await fetch(url)).json()) as {
    status: string;
    error?: string;
    data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
  return body.data.result.map((r) => [r.metric, Number(r.value[1])]);
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await Bun.sleep(250);
  }
}

test("a real Prometheus scraping the four processes reads back the order rate that was sent; the alert rules evaluate cleanly", async () => {
  // A private Prometheus: free port, data dir and config in the test's temp dir, 1 s scrapes, the
  // same job names as infra/prometheus/prometheus.yml (the alert rules select on them).
  const port = await freePort();
  const promDir = join(dir, "prometheus");
  mkdirSync(join(promDir, "data"), { recursive: true });
  const target = (url: string) => new URL(url).host;
  const jobs = (["api", "engine", "persister", "stream"] as const).map(
    (role) => `  - job_name: ox-${role}
    static_configs:
      - targets: ["${target(cluster.proc(role).metricsUrl)}"]`,
  );
  const configFile = join(promDir, "prometheus.yml");
  writeFileSync(
    configFile,
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${join(repoRoot, "infra/prometheus/rules")}/*.yml
scrape_configs:
${jobs.join("\n")}
`,
  );
  const logFile = join(promDir, "prometheus.log");
  prometheus = spawn(
    [
      "prometheus",
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(promDir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=1h",
    ],
    { stdout: "ignore", stderr: Bun.file(logFile) },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await until("prometheus ready", async () => (await fetch(`${base}/-/ready`)).status === 200);
    await until("every target scraped and up", async () => {
      const up = await query(base, "up");
      return up.length === 4 && up.every(([, v]) => v === 1);
    });

    // 15 s of 4 pairs (8 orders) a second, then the rate over the load's last 10 s.
    const load = startPacedLoad(market, 4);
    await Bun.sleep(15_000);
    const endAt = Date.now();
    await load.stop();
    expect(load.other).toEqual([]);
    const windowMs = 10_000;
    const sentPerSecond = load.answeredAt.filter((t) => t > endAt - windowMs && t <= endAt).length / 10;
    expect(sentPerSecond).toBeGreaterThan(2);
    // Let the scrape after `endAt` land before asking about `endAt`.
    await Bun.sleep(2_500);

    const [rate] = await query(base, 'sum(rate(ox_orders_total{code="OK"}[10s]))', endAt);
    expect(rate).toBeDefined();
    const seen = (rate as [Record<string, string>, number])[1];
    console.log(JSON.stringify({ sentPerSecond, prometheusOrderRate: seen }));
    expect(seen).toBeGreaterThan(0);
    // Roughly: 1 s scrapes over a 10 s window (rate() extrapolates to the window's edges).
    expect(seen).toBeGreaterThan(sentPerSecond * 0.6);
    expect(seen).toBeLessThan(sentPerSecond * 1.5);
    // The API's view of the same orders and the engine round trip's p99 from the histogram.
    const [http] = await query(
      base,
      'sum(rate(ox_http_requests_total{route="/api/v1/orders",method="POST",status_class="2xx"}[10s]))',
      endAt,
    );
    expect(http?.[1]).toBeGreaterThan(sentPerSecond * 0.6);
    const [p99] = await query(
      base,
      'histogram_quantile(0.99, sum by (le) (rate(ox_engine_round_trip_seconds_bucket{type="PLACE_ORDER"}[10s])))',
      endAt,
    );
    expect(p99?.[1]).toBeGreaterThan(0);
    expect(p99?.[1]).toBeLessThan(5);
    // The persister kept up: it wrote every record the engine appended.
    await until("persister lag 0 in prometheus", async () => {
      const [lag] = await query(base, "max(ox_persister_lag_records)");
      return lag?.[1] === 0;
    });

    // The checked-in alert rules load and evaluate without error against real series; none fires.
    const rules = (await (await fetch(`${base}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string; state?: string }[] }[] };
    };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(all.length).toBe(
      (readFileSync(join(repoRoot, "infra/prometheus/rules/ox-alerts.yml"), "utf8").match(/- alert:/g) ?? [])
        .length,
    );
    expect(all.filter((r) => r.health !== "ok")).toEqual([]);
    expect(all.filter((r) => r.state === "firing").map((r) => r.name)).toEqual([]);
  } finally {
    prometheus.kill("SIGTERM");
    expect(await prometheus.exited).toBe(0);
    prometheus = undefined;
  }
}, 180_000);
