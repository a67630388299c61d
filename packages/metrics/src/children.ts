/**
 * Label children looked up without allocating on the hot path: the first use of a label pair binds
 * prom-client's child (`metric.labels(...)`) and keeps it; later uses are two Map reads.
 */
export function childTable<T>(bind: (a: string, b: string) => T): (a: string, b: string) => T {
  const outer = new Map<string, Map<string, T>>();
  return (a, b) => {
    let inner = outer.get(a);
    if (!inner) {
      inner = new Map();
      outer.set(a, inner);
    }
    let child = inner.get(b);
    if (child === undefined) {
      child = bind(a, b);
      inner.set(b, child);
    }
    return child;
  };
}

/** One label: same idea. */
export function childMap<T>(bind: (a: string) => T): (a: string) => T {
  const table = new Map<string, T>();
  return (a) => {
    let child = table.get(a);
    if (child === undefined) {
      child = bind(a);
      table.set(a, child);
    }
    return child;
  };
}

/** Histogram buckets in seconds for in-process work measured in microseconds to milliseconds. */
export const FAST_SECONDS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];
/** Histogram buckets in seconds for request/round-trip latencies. */
export const LATENCY_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
