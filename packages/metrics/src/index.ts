export { Counter, Gauge, Histogram, type Registry } from "prom-client";
export { childMap, childTable, FAST_SECONDS, LATENCY_SECONDS } from "./children.ts";
export {
  type DeferredCounter,
  type DeferredHistogram,
  deferredCounter,
  deferredHistogram,
} from "./deferred.ts";
export { createMetricsRegistry, type RegistryOptions } from "./registry.ts";
export { type MetricsServer, metricsResponse, serveMetrics } from "./serve.ts";
