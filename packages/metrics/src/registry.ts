import { heapSize as jscHeapSize, memoryUsage as jscMemoryUsage } from "bun:jsc";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";

export interface RegistryOptions {
  /** Process CPU, memory, event-loop delay, handles (prom-client's defaults). Default true. */
  defaults?: boolean;
}

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/**
 * One registry per process (embedded mode: one for all of it). prom-client's default metrics work
 * under Bun except GC durations (Bun's perf_hooks has no "gc" entries), so under Bun the JSC heap and
 * allocator figures are exported instead.
 */
export function createMetricsRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaults ?? true) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
    renameActiveCounts(registry);
    if (isBun) registerBunRuntime(registry);
  }
  return registry;
}

/**
 * prom-client names three gauges `nodejs_active_*_total`, which Prometheus reserves for counters
 * (`promtool check metrics` refuses them): dropped, with a plain gauge where prom-client has none.
 */
function renameActiveCounts(registry: Registry) {
  const proc = process as unknown as {
    _getActiveHandles?: () => unknown[];
    _getActiveRequests?: () => unknown[];
    getActiveResourcesInfo?: () => string[];
  };
  const figures: [string, string, (() => unknown[]) | undefined][] = [
    ["handles", "libuv handles keeping the event loop alive", proc._getActiveHandles],
    ["requests", "libuv requests in flight", proc._getActiveRequests],
    ["resources", "resources keeping the event loop alive", proc.getActiveResourcesInfo],
  ];
  for (const [what, help, read] of figures) {
    registry.removeSingleMetric(`nodejs_active_${what}_total`);
    // prom-client already exports `nodejs_active_handles` and `_requests` by type where it can.
    if (!read || registry.getSingleMetric(`nodejs_active_${what}`)) continue;
    new Gauge({
      name: `nodejs_active_${what}`,
      help: `Number of active ${help}`,
      registers: [registry],
      collect() {
        this.set(read.call(process).length);
      },
    });
  }
}

function registerBunRuntime(registry: Registry) {
  new Gauge({
    name: "bun_jsc_heap_size_bytes",
    help: "JavaScriptCore heap size (Bun has no GC events; watch this and the allocator figures instead)",
    registers: [registry],
    collect() {
      this.set(jscHeapSize());
    },
  });
  new Gauge({
    name: "bun_allocator_committed_bytes",
    help: "Memory committed by Bun's allocator (mimalloc)",
    registers: [registry],
    collect() {
      this.set(jscMemoryUsage().currentCommit);
    },
  });
}
