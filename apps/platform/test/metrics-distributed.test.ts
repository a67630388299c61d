/**
 * Issue 10, distributed mode: api, engine, persister and stream as real processes (crash-cluster.ts:
 * private Redis, fresh database, unique Kafka topic) under a small order load. Each process's own
 * GET /metrics passes `promtool check metrics` and carries its own families; and the real Prometheus
 * binary (Debian's package, private port and data dir), running the checked-in prometheus.yml and
 * alert rules against the four processes with 1 s scrapes, reports through its HTTP query API the
 * order rate that was really sent.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { type Cluster, type Role, repoRoot, startCluster } from "./crash-cluster.ts";
import { type PacedMarket, setUpPacedMarket, startPacedLoad } from "./paced-orders.ts";
import { startPrometheus, type TestPrometheus } from "./prometheus-kit.ts";
import { promtool, sampleOf } from "./promtool.ts";

const ADMIN = "+919310000001";
const runId = `met${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "ox-metrics-dist-"));
let cluster: Cluster;
let market: PacedMarket;
let prometheus: TestPrometheus | undefined;

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
  prometheus?.kill();
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

/**
 * The checked-in infra/prometheus/prometheus.yml with its DNS discovery swapped for this cluster's
 * ports (same job names, same rule files), 1 s scrapes: what an operator runs, on private ports.
 */
function testConfig(): string {
  const config = YAML.parse(readFileSync(join(repoRoot, "infra/prometheus/prometheus.yml"), "utf8")) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: { job_name: string; dns_sd_configs?: unknown; static_configs?: unknown }[];
  };
  config.global = { scrape_interval: "1s", evaluation_interval: "1s" };
  config.rule_files = config.rule_files.map((f) => join(repoRoot, "infra/prometheus", f));
  const roles = config.scrape_configs.map((job) => {
    const role = job.job_name.replace(/^ox-/, "") as Role;
    delete job.dns_sd_configs;
    job.static_configs = [{ targets: [new URL(cluster.proc(role).metricsUrl).host] }];
    return role;
  });
  expect(roles.sort()).toEqual(["api", "engine", "persister", "stream"]);
  return YAML.stringify(config);
}

test("a real Prometheus scraping the four processes reads back the order rate that was sent; the alert rules evaluate cleanly", async () => {
  prometheus = await startPrometheus({ dir: join(dir, "prometheus"), config: testConfig() });
  const prom = prometheus;
  try {
    await prom.until("every target scraped and up", async () => {
      const up = await prom.query("up");
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

    const [rate] = await prom.query('sum(rate(ox_orders_total{code="OK"}[10s]))', endAt);
    expect(rate).toBeDefined();
    const seen = (rate as [Record<string, string>, number])[1];
    console.log(JSON.stringify({ sentPerSecond, prometheusOrderRate: seen }));
    expect(seen).toBeGreaterThan(0);
    // Roughly: 1 s scrapes over a 10 s window (rate() extrapolates to the window's edges).
    expect(seen).toBeGreaterThan(sentPerSecond * 0.6);
    expect(seen).toBeLessThan(sentPerSecond * 1.5);
    // The API's view of the same orders and the engine round trip's p99 from the histogram.
    const [http] = await prom.query(
      'sum(rate(ox_http_requests_total{route="/api/v1/orders",method="POST",status_class="2xx"}[10s]))',
      endAt,
    );
    expect(http?.[1]).toBeGreaterThan(sentPerSecond * 0.6);
    const [p99] = await prom.query(
      'histogram_quantile(0.99, sum by (le) (rate(ox_engine_round_trip_seconds_bucket{type="PLACE_ORDER"}[10s])))',
      endAt,
    );
    expect(p99?.[1]).toBeGreaterThan(0);
    expect(p99?.[1]).toBeLessThan(5);
    // The persister kept up: it wrote every record the engine appended.
    await prom.until("persister lag 0 in prometheus", async () => {
      const [lag] = await prom.query("max(ox_persister_lag_records)");
      return lag?.[1] === 0;
    });

    // The checked-in alert rules load and evaluate without error against real series; none is
    // pending or firing.
    const all = await prom.rules();
    expect(all.length).toBe(
      (readFileSync(join(repoRoot, "infra/prometheus/rules/ox-alerts.yml"), "utf8").match(/- alert:/g) ?? [])
        .length,
    );
    expect(all.filter((r) => r.health !== "ok")).toEqual([]);
    expect(all.filter((r) => r.state !== "inactive").map((r) => `${r.name} ${r.state}`)).toEqual([]);
  } finally {
    expect(await prom.stop()).toBe(0);
    prometheus = undefined;
  }
}, 180_000);
