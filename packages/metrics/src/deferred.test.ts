import { describe, expect, test } from "bun:test";
import { Counter, Histogram, Registry } from "prom-client";
import { deferredCounter, deferredHistogram } from "./deferred.ts";

const BUCKETS = [0.001, 0.01, 0.1, 1];
const VALUES = [0, 0.0005, 0.001, 0.002, 0.01, 0.05, 0.5, 1, 2, 30];

/** Two registries fed the same updates, one through prom-client's children, one deferred. */
function pair() {
  const plain = new Registry();
  const deferred = new Registry();
  const labelNames = ["method", "route"];
  const pc = new Counter({ name: "reqs_total", help: "h", labelNames, registers: [plain] });
  const ph = new Histogram({
    name: "dur_seconds",
    help: "h",
    labelNames,
    buckets: BUCKETS,
    registers: [plain],
  });
  const dc = deferredCounter({ name: "reqs_total", help: "h", labelNames, registers: [deferred] });
  const dh = deferredHistogram({
    name: "dur_seconds",
    help: "h",
    labelNames,
    buckets: BUCKETS,
    registers: [deferred],
  });
  const both = (method: string, route: string) => {
    const [a, b, c, d] = [
      pc.labels(method, route),
      ph.labels(method, route),
      dc.child(method, route),
      dh.child(method, route),
    ];
    return {
      inc(n?: number) {
        a.inc(n);
        c.inc(n);
      },
      observe(v: number) {
        b.observe(v);
        d.observe(v);
      },
    };
  };
  return { plain, deferred, both };
}

describe("deferred counters and histograms expose what prom-client's children do", () => {
  test("the same text after the same updates, over several scrapes", async () => {
    const { plain, deferred, both } = pair();
    const post = both("POST", "/orders");
    const del = both("DELETE", "/orders/:id");
    both("GET", "/never"); // bound but never used: no series, as prom-client
    expect(await deferred.metrics()).toBe(await plain.metrics());
    for (const v of VALUES) post.observe(v);
    post.inc();
    post.inc(3);
    del.observe(0.003);
    expect(await deferred.metrics()).toBe(await plain.metrics());
    for (const v of VALUES.slice(3)) del.observe(v); // after a scrape: added, not replaced
    del.inc();
    expect(await deferred.metrics()).toBe(await plain.metrics());
    expect(await deferred.metrics()).toContain('dur_seconds_count{method="DELETE",route="/orders/:id"} 8');
  });

  test("a wrong number of label values or a non-finite value is refused", () => {
    const h = deferredHistogram({ name: "x_seconds", help: "h", labelNames: ["a"], registers: [] });
    expect(() => h.child("1", "2")).toThrow();
    expect(() => h.child("1").observe(Number.NaN)).toThrow();
  });
});
