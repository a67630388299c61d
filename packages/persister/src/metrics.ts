/**
 * The persister's Prometheus metrics. Offset, lag, state and quarantined records are the persister's
 * own health() (its committed offset against the log's end read at that moment), exported as they
 * are rather than computed a second time; one health read serves a whole scrape.
 */
import type { PersisterHealth } from "@ox/bus";
import { Counter, Gauge, Histogram, type Registry } from "@ox/metrics";

export interface PersisterMetrics {
  /** One committed transaction. */
  batch(records: number, rows: number, seconds: number): void;
  /** One failed attempt (it is retried). */
  failure(): void;
  /** The persister registers itself so gauges read its health at scrape time. */
  watch(source: { health(): Promise<PersisterHealth> }): void;
}

const ROWS = [1, 10, 50, 100, 500, 1000, 5000, 10_000, 50_000];
const WRITE_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STATES = ["ok", "lagging", "stuck"] as const;

export function createPersisterMetrics(registry: Registry, now: () => number = Date.now): PersisterMetrics {
  const registers = [registry];
  let source: { health(): Promise<PersisterHealth> } | null = null;
  // Lag in seconds = how long the persister has been behind the log's end: 0 when caught up.
  let caughtUpAt = now();
  let read: { at: number; health: Promise<PersisterHealth | null> } | null = null;
  const health = (): Promise<PersisterHealth | null> => {
    if (!source) return Promise.resolve(null);
    if (read && now() - read.at < 250) return read.health;
    const h = source.health().then(
      (x) => {
        if (x.lag === 0) caughtUpAt = now();
        return x;
      },
      () => null,
    );
    read = { at: now(), health: h };
    return h;
  };
  const gauge = (name: string, help: string, value: (h: PersisterHealth) => number) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const h = await health();
        if (h) this.set(value(h));
      },
    });

  const batchRows = new Histogram({
    name: "ox_persister_batch_rows",
    help: "Rows written to Postgres per transaction",
    buckets: ROWS,
    registers,
  });
  const write = new Histogram({
    name: "ox_persister_write_seconds",
    help: "One batch's transaction (plan, write, offset commit)",
    buckets: WRITE_SECONDS,
    registers,
  });
  const records = new Counter({
    name: "ox_persister_records_total",
    help: "Log records written to Postgres",
    registers,
  });
  const failures = new Counter({
    name: "ox_persister_failures_total",
    help: "Batch attempts that failed and will be retried",
    registers,
  });
  gauge(
    "ox_persister_offset",
    "Next log offset to persist (everything before it is in Postgres)",
    (h) => h.offset,
  );
  gauge("ox_persister_log_end_offset", "The log's end offset, read at this scrape", (h) => h.endOffset);
  gauge(
    "ox_persister_lag_records",
    "Log records not yet in Postgres (log end minus persisted offset)",
    (h) => h.lag,
  );
  gauge(
    "ox_persister_lag_seconds",
    "Seconds the persister has been behind the log's end (0 when caught up)",
    (h) => (h.lag > 0 ? (now() - caughtUpAt) / 1000 : 0),
  );
  gauge(
    "ox_persister_stalled_seconds",
    "Seconds the offset has not moved while behind",
    (h) => h.stalledMs / 1000,
  );
  new Gauge({
    name: "ox_persister_state",
    help: "1 for the persister's current state (ok, lagging, stuck)",
    labelNames: ["state"],
    registers,
    async collect() {
      const h = await health();
      if (h) for (const s of STATES) this.set({ state: s }, h.state === s ? 1 : 0);
    },
  });
  new Counter({
    name: "ox_persister_quarantined_total",
    help: "Log records set aside in the quarantine (dead-letter) table instead of being written",
    registers,
    async collect() {
      const h = await health();
      this.reset();
      this.inc(h?.quarantined ?? 0);
    },
  });

  return {
    batch(n, rows, seconds) {
      records.inc(n);
      batchRows.observe(rows);
      write.observe(seconds);
    },
    failure: () => failures.inc(),
    watch(s) {
      source = s;
    },
  };
}
