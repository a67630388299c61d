/**
 * The engine process's Prometheus metrics. Per-batch work only (the service calls `batch` once per
 * group commit); label children are bound once; gauges read the live service at scrape time.
 */
import type { EngineStats, LogRecord } from "@ox/contracts/pipeline";
import type { Engine } from "@ox/engine";
import { Counter, childMap, childTable, FAST_SECONDS, Gauge, Histogram, type Registry } from "@ox/metrics";

/** What the metrics read from the service at scrape time. */
export interface EngineMetricsSource {
  stats(): EngineStats;
  readonly engine: Engine;
}

export interface EngineMetrics {
  /** One group commit: the records appended, seconds spent applying and appending. */
  batch(records: readonly LogRecord[], applySeconds: number, appendSeconds: number): void;
  /** One snapshot write finished (ok or not) after `seconds`. */
  snapshot(seconds: number, ok: boolean): void;
  /** Recovery at start took `seconds`. */
  recovered(seconds: number): void;
  /** The service registers itself here so gauges can read it. */
  watch(source: EngineMetricsSource): void;
}

const BATCH_SIZES = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];
const SNAPSHOT_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Cash that changed hands per share: a TRANSFER at the taker's price, a MINT or MERGE at 1000 a pair. */
const PAIR_PAISE = 1000;

export function createEngineMetrics(registry: Registry, now: () => number = Date.now): EngineMetrics {
  let source: EngineMetricsSource | null = null;
  let snapshotAt = now();
  const stat = <K extends keyof EngineStats>(key: K): number => (source ? Number(source.stats()[key]) : 0);
  const registers = [registry];

  const commands = new Counter({
    name: "ox_engine_commands_total",
    help: "Commands applied (written to the log), by command type and result code",
    labelNames: ["type", "code"],
    registers,
  });
  const batchSize = new Histogram({
    name: "ox_engine_batch_size",
    help: "Commands per group-committed log append",
    buckets: BATCH_SIZES,
    registers,
  });
  const apply = new Histogram({
    name: "ox_engine_apply_seconds",
    help: "Time to apply one batch of commands to the in-memory engine",
    buckets: FAST_SECONDS,
    registers,
  });
  const append = new Histogram({
    name: "ox_engine_log_append_seconds",
    help: "Durable log append of one batch (file journal fsync or Kafka ack)",
    buckets: FAST_SECONDS,
    registers,
  });
  const snapshotDuration = new Histogram({
    name: "ox_engine_snapshot_duration_seconds",
    help: "Snapshot capture and write",
    buckets: SNAPSHOT_SECONDS,
    registers,
  });
  const snapshotFailures = new Counter({
    name: "ox_engine_snapshot_failures_total",
    help: "Snapshot writes that failed (the log still has everything)",
    registers,
  });
  const recovery = new Gauge({
    name: "ox_engine_recovery_seconds",
    help: "Time the engine took to recover (snapshot + log replay) at its last start",
    registers,
  });
  new Gauge({
    name: "ox_engine_queue_depth",
    help: "Commands waiting in the command queue (sampled by the engine about once a second)",
    registers,
    collect() {
      this.set(stat("queueDepth"));
    },
  });
  new Gauge({
    name: "ox_engine_last_seq",
    help: "Seq of the engine's last event",
    registers,
    collect() {
      this.set(stat("lastSeq"));
    },
  });
  new Gauge({
    name: "ox_engine_log_end_offset",
    help: "Next offset of the event log (records durably appended)",
    registers,
    collect() {
      this.set(stat("logOffset"));
    },
  });
  new Gauge({
    name: "ox_engine_snapshot_age_seconds",
    help: "Seconds since the last snapshot was written (or since start, before the first one)",
    registers,
    collect() {
      this.set((now() - snapshotAt) / 1000);
    },
  });

  // Business: what the engine alone sees.
  const trades = new Counter({
    name: "ox_trades_total",
    help: "Trades, by fill kind (TRANSFER, MINT, MERGE)",
    labelNames: ["kind"],
    registers,
  });
  const tradedValue = new Counter({
    name: "ox_traded_value_paise_total",
    help: "Cash that changed hands in trades, in paise (TRANSFER at the taker's price, MINT/MERGE at 1000 a pair)",
    labelNames: ["kind"],
    registers,
  });
  const orders = new Counter({
    name: "ox_orders_total",
    help: "PLACE_ORDER commands by result (OK or the rejection code)",
    labelNames: ["code"],
    registers,
  });
  new Gauge({
    name: "ox_open_interest_pairs",
    help: "Outstanding YES/NO pairs across every market (each pays 1000 paise at resolution)",
    registers,
    collect() {
      let pairs = 0;
      if (source) for (const m of source.engine.markets()) pairs += m.pairs;
      this.set(pairs);
    },
  });
  new Gauge({
    name: "ox_users",
    help: "Accounts the engine knows",
    registers,
    collect() {
      this.set(source ? source.engine.userIds().length : 0);
    },
  });
  new Gauge({
    name: "ox_markets",
    help: "Markets by status",
    labelNames: ["status"],
    registers,
    collect() {
      this.reset();
      if (!source) return;
      const by = new Map<string, number>();
      for (const m of source.engine.markets()) by.set(m.status, (by.get(m.status) ?? 0) + 1);
      for (const [status, n] of by) this.set({ status }, n);
    },
  });

  const command = childTable((type, code) => commands.labels(type, code));
  const order = childMap((code) => orders.labels(code));
  const trade = childMap((kind) => trades.labels(kind));
  const value = childMap((kind) => tradedValue.labels(kind));

  return {
    batch(records, applySeconds, appendSeconds) {
      batchSize.observe(records.length);
      apply.observe(applySeconds);
      append.observe(appendSeconds);
      // Summed per child over the batch, then one inc each: prom-client hashes the labels per inc.
      const sums = new Map<{ inc(n: number): void }, number>();
      const add = (child: { inc(n: number): void }, n: number) => sums.set(child, (sums.get(child) ?? 0) + n);
      for (const r of records) {
        const type = r.command.type;
        add(command(type, r.code), 1);
        if (type !== "PLACE_ORDER") continue;
        add(order(r.code), 1);
        for (const e of r.events) {
          if (e.type !== "TRADE") continue;
          add(trade(e.kind), 1);
          add(value(e.kind), e.qty * (e.kind === "TRANSFER" ? e.takerPricePaise : PAIR_PAISE));
        }
      }
      for (const [child, n] of sums) child.inc(n);
    },
    snapshot(seconds, ok) {
      snapshotDuration.observe(seconds);
      if (ok) snapshotAt = now();
      else snapshotFailures.inc();
    },
    recovered(seconds) {
      recovery.set(seconds);
      snapshotAt = now();
    },
    watch(s) {
      source = s;
    },
  };
}
