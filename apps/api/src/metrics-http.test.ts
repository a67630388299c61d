import { expect, test } from "bun:test";
import { createMetricsRegistry } from "@ox/metrics";
import { Hono } from "hono";
import type { AppEnv } from "./app-env.ts";
import { createApiMetrics } from "./metrics.ts";

test("in-flight requests: counted while handled, read at scrape time; answers by route and status class", async () => {
  const registry = createMetricsRegistry({ defaults: false });
  const metrics = createApiMetrics(registry);
  const app = new Hono<AppEnv>();
  app.use("*", metrics.http);
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  app.get("/held/:id", async (c) => {
    await held;
    return c.text("ok");
  });
  const gauge = async () =>
    (await registry.metrics()).split("\n").find((l) => l.startsWith("ox_http_requests_in_flight "));
  expect(await gauge()).toBe("ox_http_requests_in_flight 0");
  const answers = [app.request("/held/1"), app.request("/held/2")];
  await Bun.sleep(10);
  expect(await gauge()).toBe("ox_http_requests_in_flight 2");
  release();
  expect((await Promise.all(answers)).map((r) => r.status)).toEqual([200, 200]);
  expect(await gauge()).toBe("ox_http_requests_in_flight 0");
  const text = await registry.metrics();
  expect(text).toContain('ox_http_requests_total{method="GET",route="/held/:id",status_class="2xx"} 2');
});
