/**
 * Issue 10, embedded mode: the one process serves one GET /metrics that promtool accepts, carrying
 * the API's, the engine's, the persister's and the stream's metrics, with no user or order id in a
 * label; and one order can be followed by its request id through the API, the engine (the log
 * record carries it) and the persister's logs. Prometheus with the checked-in npm start config
 * scrapes it and every alert rule stays quiet; METRICS=off records nothing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { ensureDevSecrets, parseApiEnv } from "@ox/config";
import pino from "pino";
import YAML from "yaml";
import { type Platform, startPlatform } from "../src/platform.ts";
import { freePort, repoRoot } from "./crash-cluster.ts";
import { type HttpUser, loginUser } from "./crash-load.ts";
import { startPrometheus } from "./prometheus-kit.ts";
import { promtool, sampleOf, sumOf } from "./promtool.ts";

const ADMIN = "+919300000001";
const dataDir = mkdtempSync(join(tmpdir(), "ox-metrics-"));
const lines: Record<string, unknown>[] = [];
let platform: Platform;

beforeAll(async () => {
  const { DATABASE_URL: _d, REDIS_URL: _r, KAFKA_BROKERS: _k, ...rest } = process.env;
  const env = ensureDevSecrets(
    parseApiEnv({
      ...rest,
      NODE_ENV: "development",
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      ADMIN_PHONES: ADMIN,
      SMS_PROVIDER: "console",
    }),
  );
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  platform = await startPlatform({
    env,
    logger: pino({ level: "debug" }, sink),
    webDist: join(dataDir, "none"),
  });
}, 120_000);
afterAll(async () => {
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await Bun.sleep(100);
  }
}

test("GET /metrics passes promtool, has every process's metrics, counts orders and trades, and has no ids in labels; the request id reaches the engine's log record and every process's log", async () => {
  const base = () => platform.url;
  const admin = await loginUser(base, ADMIN);
  const created = await admin.call("POST", "/admin/markets", {
    title: "Metrics test market",
    description: "d",
    category: "test",
    rules: "r",
    closeAt: Date.now() + 86_400_000,
  });
  expect(created.status).toBe(201);
  const marketId: string = created.json.market.id;
  await until(
    "market in the engine",
    async () => (await admin.call("GET", `/markets/${marketId}/orderbook`)).status === 200,
  );
  const users: HttpUser[] = [];
  for (const phone of ["+919300000101", "+919300000102"]) {
    const u = await loginUser(base, phone);
    expect((await u.call("POST", "/wallet/deposits", { amountPaise: 100_000 })).status).toBe(201);
    users.push(u);
  }
  const [alice, bob] = users as [HttpUser, HttpUser];
  await until(
    "deposits applied",
    async () => (await bob.call("GET", "/portfolio")).json.balance.availablePaise >= 100_000,
  );

  // A MINT (YES 600 + NO 400) with a traced request id on the taker's order.
  const order = (u: HttpUser, outcome: string, pricePaise: number, headers?: Record<string, string>) =>
    fetch(`${platform.url}/api/v1/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: u.cookie, ...headers },
      body: JSON.stringify({ marketId, outcome, side: "BUY", type: "LIMIT", pricePaise, quantity: 2 }),
    });
  expect((await order(alice, "YES", 600)).status).toBe(201);
  const traced = await order(bob, "NO", 400, { "x-request-id": "trace-metrics-1" });
  expect(traced.status).toBe(201);
  expect(traced.headers.get("x-request-id")).toBe("trace-metrics-1");

  await until("persister caught up", async () => {
    const text = await (await fetch(`${platform.url}/metrics`)).text();
    return sampleOf(text, "ox_persister_lag_records") === 0 && sampleOf(text, "ox_persister_offset") > 0;
  });
  const res = await fetch(`${platform.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  const text = await res.text();

  const checked = promtool(["check", "metrics"], text);
  expect(checked.output).toBe("");
  expect(checked.code).toBe(0);

  // Default process metrics and one family of each process.
  for (const name of [
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "nodejs_eventloop_lag_p99_seconds",
    "ox_http_requests_total",
    "ox_http_request_duration_seconds_bucket",
    "ox_engine_round_trip_seconds_bucket",
    "ox_engine_commands_total",
    "ox_engine_log_append_seconds_bucket",
    "ox_engine_queue_depth",
    "ox_persister_lag_seconds",
    "ox_persister_write_seconds_bucket",
    "ox_stream_sockets",
    "ox_trades_total",
    "ox_open_interest_pairs",
  ])
    expect(text).toContain(`\n${name}`);
  expect(sampleOf(text, 'ox_orders_total{code="OK"}')).toBe(2);
  expect(sampleOf(text, 'ox_engine_commands_total{type="PLACE_ORDER",code="OK"}')).toBe(2);
  expect(sampleOf(text, 'ox_trades_total{kind="MINT"}')).toBe(1);
  expect(sampleOf(text, 'ox_traded_value_paise_total{kind="MINT"}')).toBe(2 * 1000);
  expect(sampleOf(text, "ox_open_interest_pairs")).toBe(2);
  expect(
    sampleOf(text, 'ox_http_requests_total{method="POST",route="/api/v1/orders",status_class="2xx"}'),
  ).toBe(2);
  expect(sampleOf(text, 'ox_engine_round_trip_seconds_count{type="PLACE_ORDER"}')).toBe(2);
  expect(sampleOf(text, "ox_users")).toBe(3);
  expect(sumOf(text, "ox_persister_records_total")).toBe(sampleOf(text, "ox_persister_offset"));

  // No identifier in any label: market, user and order ids are UUIDs or 16+ char tokens.
  const labelValues = [...text.matchAll(/="([^"]*)"/g)].map((m) => m[1] as string);
  expect(labelValues.length).toBeGreaterThan(10);
  const ids = [marketId, traced.headers.get("x-request-id") as string];
  for (const v of labelValues) {
    expect(v).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/i);
    for (const id of ids) expect(v).not.toBe(id);
  }
  // A request to an unknown path is one "unmatched" series, not its raw path.
  await fetch(`${platform.url}/api/v1/no/such/${marketId}`);
  const after = await (await fetch(`${platform.url}/metrics`)).text();
  expect(after).not.toContain(marketId);
  expect(after).toContain('route="unmatched"');

  // The request id: the API's access line, the engine's command line, the persister's record line.
  const withId = lines.filter((l) => l.reqId === "trace-metrics-1");
  expect(withId.some((l) => l.msg === "request" && l.process === "api")).toBe(true);
  expect(
    withId.some((l) => l.msg === "command applied" && l.process === "engine" && l.type === "PLACE_ORDER"),
  ).toBe(true);
  expect(withId.some((l) => l.msg === "record persisted" && l.process === "persister")).toBe(true);
});

test("METRICS=off (the overhead bench's B side): orders still trade, nothing is recorded and GET /metrics is 404", async () => {
  const offDir = mkdtempSync(join(tmpdir(), "ox-metrics-off-"));
  const { DATABASE_URL: _d, REDIS_URL: _r, KAFKA_BROKERS: _k, ...rest } = process.env;
  const env = ensureDevSecrets(
    parseApiEnv({
      ...rest,
      NODE_ENV: "development",
      PORT: String(await freePort()),
      DATA_DIR: offDir,
      ADMIN_PHONES: ADMIN,
      SMS_PROVIDER: "console",
      METRICS: "off",
    }),
  );
  const off = await startPlatform({ env, logger: pino({ level: "silent" }), webDist: join(offDir, "none") });
  try {
    const admin = await loginUser(() => off.url, ADMIN);
    const created = await admin.call("POST", "/admin/markets", {
      title: "Metrics off market",
      description: "d",
      category: "test",
      rules: "r",
      closeAt: Date.now() + 86_400_000,
    });
    expect(created.status).toBe(201);
    const marketId: string = created.json.market.id;
    await until(
      "market in the engine",
      async () => (await admin.call("GET", `/markets/${marketId}/orderbook`)).status === 200,
    );
    const placed = await admin.call("POST", "/orders", {
      marketId,
      outcome: "YES",
      side: "BUY",
      type: "LIMIT",
      pricePaise: 500,
      quantity: 1,
    });
    expect(placed.status).toBe(201);
    expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    // The health history still samples (no round-trip histogram: its percentiles are null).
    await until(
      "a health sample after the order",
      async () => (await admin.call("GET", "/admin/health")).json.current?.ordersPlaced === 1,
    );
    const health = await admin.call("GET", "/admin/health");
    expect(health.status).toBe(200);
    expect(health.json.samples.at(-1).rtP99Ms).toBeNull();
    expect(health.json.current.ordersPlaced).toBe(1);
  } finally {
    await off.stop();
    rmSync(offDir, { recursive: true, force: true });
  }
}, 120_000);

test("npm start's Prometheus config (infra/prometheus/prometheus-embedded.yml) scrapes the one process: orders counted, every rule evaluates, none pending or firing", async () => {
  const config = YAML.parse(
    readFileSync(join(repoRoot, "infra/prometheus/prometheus-embedded.yml"), "utf8"),
  ) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  expect(config.scrape_configs.map((j) => j.static_configs[0]?.targets)).toEqual([["127.0.0.1:3000"]]);
  config.global = { scrape_interval: "1s", evaluation_interval: "1s" };
  config.rule_files = config.rule_files.map((f) => join(repoRoot, "infra/prometheus", f));
  (config.scrape_configs[0] as { static_configs: { targets: string[] }[] }).static_configs = [
    { targets: [new URL(platform.url).host] },
  ];
  const prom = await startPrometheus({ dir: join(dataDir, "prometheus"), config: YAML.stringify(config) });
  try {
    await prom.until("the process scraped", async () => (await prom.query("up"))[0]?.[1] === 1);
    // The two orders the first test placed, read through Prometheus.
    await prom.until("orders in prometheus", async () => {
      const [orders] = await prom.query('sum(ox_orders_total{code="OK"})');
      return (orders?.[1] ?? 0) >= 2;
    });
    // A few evaluations: a rule that needs a distributed job (an absent() on it) would be pending.
    await Bun.sleep(3_000);
    const rules = await prom.rules();
    expect(rules.length).toBeGreaterThan(5);
    expect(rules.filter((r) => r.health !== "ok")).toEqual([]);
    expect(rules.filter((r) => r.state !== "inactive").map((r) => `${r.name} ${r.state}`)).toEqual([]);
  } finally {
    expect(await prom.stop()).toBe(0);
  }
}, 120_000);
