/**
 * Issue 10, the checked-in operator files: promtool accepts the Prometheus config and the alert
 * rules, the rules' unit tests pass, and every metric the rules and the Grafana dashboard query is
 * one the processes actually register (a renamed metric must not silently blank a panel or an alert).
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createApiMetrics, createBusinessMetrics } from "@ox/api";
import type { Db } from "@ox/db";
import { createEngineMetrics } from "@ox/engine-service";
import { createMetricsRegistry } from "@ox/metrics";
import { createPersisterMetrics } from "@ox/persister";
import { createStreamMetrics } from "@ox/stream";
import { repoRoot } from "./crash-cluster.ts";
import { promtool } from "./promtool.ts";

const infra = join(repoRoot, "infra");

test("promtool: the Prometheus config and the alert rules are valid, and the rules' unit tests pass", () => {
  for (const file of ["prometheus.yml", "prometheus-embedded.yml"]) {
    const config = promtool(["check", "config", join(infra, "prometheus", file)]);
    expect(config.output).toContain("SUCCESS");
    expect(config.code).toBe(0);
  }
  const rules = promtool(["check", "rules", join(infra, "prometheus/rules/ox-alerts.yml")]);
  expect(rules.output).toMatch(/SUCCESS: \d+ rules found/);
  expect(rules.code).toBe(0);
  const unit = promtool(["test", "rules", join(infra, "prometheus/tests/ox-alerts.test.yml")]);
  expect(unit.output).toContain("SUCCESS");
  expect(unit.code).toBe(0);
});

test("every ox_ metric the alert rules and the dashboard query is registered by some process", async () => {
  const registry = createMetricsRegistry({ defaults: false });
  createApiMetrics(registry);
  createBusinessMetrics(registry, null as unknown as Db); // never collected here, so no database
  createEngineMetrics(registry);
  createPersisterMetrics(registry);
  createStreamMetrics(registry);
  const families = new Set<string>();
  for (const m of registry.getMetricsAsArray()) {
    const { name, type } = m as unknown as { name: string; type: string };
    families.add(name);
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) families.add(name + s);
  }
  const rules = readFileSync(join(infra, "prometheus/rules/ox-alerts.yml"), "utf8");
  const dashboard = JSON.parse(readFileSync(join(infra, "grafana/dashboards/ox-exchange.json"), "utf8")) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const exprs = [rules, ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr))];
  const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\box_[a-z_]+/g)].map((m) => m[0])));
  expect(used.size).toBeGreaterThan(15);
  expect([...used].filter((name) => !families.has(name))).toEqual([]);
  // Each panel of the list is on the dashboard.
  const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join("|");
  for (const want of [
    "order rate",
    "round trip",
    "queue depth",
    "persister lag",
    "sockets",
    "fills by kind",
    "errors",
  ])
    expect(titles).toContain(want);
});
