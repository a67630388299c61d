/**
 * Business figures only the API's database sees: deposits and withdrawals by status (read at scrape
 * time, at most every 10 s, with one grouped count each), and the last reconcile's differences.
 */
import { type Db, DEPOSIT_STATUSES, deposits, WITHDRAWAL_STATUSES, withdrawals } from "@ox/db";
import { Gauge, type Registry } from "@ox/metrics";
import { count } from "drizzle-orm";

export interface BusinessMetrics {
  /** The last engine-vs-Postgres comparison: its number of differences (null = not run yet). */
  reconciled(differences: number | null): void;
}

export function createBusinessMetrics(registry: Registry, db: Db, everyMs = 10_000): BusinessMetrics {
  const registers = [registry];
  let readAt = 0;
  let reading: Promise<void> | null = null;
  const counts = { deposits: new Map<string, number>(), withdrawals: new Map<string, number>() };
  const refresh = () => {
    if (Date.now() - readAt < everyMs) return Promise.resolve();
    reading ??= (async () => {
      const [d, w] = await Promise.all([
        db.select({ status: deposits.status, n: count() }).from(deposits).groupBy(deposits.status),
        db.select({ status: withdrawals.status, n: count() }).from(withdrawals).groupBy(withdrawals.status),
      ]);
      counts.deposits = new Map(d.map((r) => [r.status, Number(r.n)]));
      counts.withdrawals = new Map(w.map((r) => [r.status, Number(r.n)]));
      readAt = Date.now();
    })()
      .catch(() => {}) // a scrape during a database outage keeps the last figures
      .finally(() => {
        reading = null;
      });
    return reading;
  };
  new Gauge({
    name: "ox_deposits",
    help: "Deposits by status (rows in Postgres)",
    labelNames: ["status"],
    registers,
    async collect() {
      await refresh();
      for (const s of DEPOSIT_STATUSES) this.set({ status: s }, counts.deposits.get(s) ?? 0);
    },
  });
  new Gauge({
    name: "ox_withdrawals",
    help: "Withdrawals by status (rows in Postgres)",
    labelNames: ["status"],
    registers,
    async collect() {
      await refresh();
      for (const s of WITHDRAWAL_STATUSES) this.set({ status: s }, counts.withdrawals.get(s) ?? 0);
    },
  });
  const differences = new Gauge({
    name: "ox_reconcile_differences",
    help: "Differences the last engine-vs-Postgres reconcile found (0 = clean)",
    registers,
  });
  return {
    reconciled(n) {
      if (n !== null) differences.set(n);
    },
  };
}
