/**
 * A few minutes of system health in memory, for the admin System health page: every `everyMs` one
 * sample of the order rate, the engine round trip's p50/p99 (this API's PLACE_ORDER histogram over
 * the last window), queue depth, persister lag and sockets, plus a verdict with its reasons.
 */
import type { SystemStats } from "@ox/contracts";
import type { SystemStatsProvider } from "./routes/admin-stats.ts";

export interface HealthSample {
  t: number;
  /** PLACE_ORDER commands the engine applied per second since the previous sample. */
  orderRate: number | null;
  rtP50Ms: number | null;
  rtP99Ms: number | null;
  queueDepth: number | null;
  persisterLag: number | null;
  sockets: number | null;
}

export interface HealthVerdict {
  status: "healthy" | "degraded";
  reasons: string[];
}

export interface HealthHistory {
  start(): void;
  stop(): void;
  /** Takes one sample now (the timer calls this). */
  sample(): Promise<void>;
  view(): {
    intervalMs: number;
    limits: typeof HEALTH_LIMITS;
    samples: HealthSample[];
    current: SystemStats | null;
  } & HealthVerdict;
}

/** What counts as degraded; shown on the page beside the charts. */
export const HEALTH_LIMITS = {
  queueDepth: 1_000,
  persisterLag: 10_000,
  /** Samples in a row with lag > 0 and the persister offset not moving. */
  persisterStuckSamples: 10,
  rtP99Ms: 1_000,
} as const;

type Cumulative = { buckets: number[]; counts: number[]; count: number };

/** Prometheus's histogram_quantile on the difference of two cumulative snapshots (bucket upper bounds in s). */
export function quantileMs(q: number, older: Cumulative, newer: Cumulative): number | null {
  const total = newer.count - older.count;
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < newer.counts.length; i++) {
    const inBucket = (newer.counts[i] ?? 0) - (older.counts[i] ?? 0);
    if (seen + inBucket >= rank && inBucket > 0) {
      const lo = i === 0 ? 0 : (newer.buckets[i - 1] ?? 0);
      const hi = newer.buckets[i] ?? newer.buckets.at(-1) ?? lo;
      return Math.round((lo + (hi - lo) * ((rank - seen) / inBucket)) * 1000 * 10) / 10;
    }
    seen += inBucket;
  }
  return Math.round((newer.buckets.at(-1) ?? 0) * 1000);
}

export function createHealthHistory(options: {
  stats: SystemStatsProvider;
  roundTrip?: () => Cumulative;
  everyMs?: number;
  keep?: number;
  /** Samples the percentiles span (a sliding window, so one quiet interval does not blank them). */
  windowSamples?: number;
  now?: () => number;
}): HealthHistory {
  const everyMs = options.everyMs ?? 2_000;
  const keep = options.keep ?? 150;
  const window = options.windowSamples ?? 5;
  const now = options.now ?? Date.now;
  const samples: HealthSample[] = [];
  const rtSnapshots: Cumulative[] = [];
  let current: SystemStats | null = null;
  let previous: { t: number; orders: number | null; persisterOffset: number | null } | null = null;
  let stuck = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  let busy = false;

  async function sample() {
    if (busy) return;
    busy = true;
    try {
      const stats = await options.stats();
      const t = now();
      const rt = options.roundTrip?.();
      if (rt) {
        rtSnapshots.push(rt);
        if (rtSnapshots.length > window + 1) rtSnapshots.shift();
      }
      const oldest = rtSnapshots[0];
      const orders = stats.ordersPlaced;
      const orderRate =
        previous && previous.orders !== null && orders !== null && t > previous.t
          ? Math.round(((orders - previous.orders) * 10_000) / (t - previous.t)) / 10
          : null;
      const lag = stats.persisterLag;
      stuck = lag !== null && lag > 0 && stats.persisterOffset === previous?.persisterOffset ? stuck + 1 : 0;
      previous = { t, orders, persisterOffset: stats.persisterOffset };
      current = stats;
      samples.push({
        t,
        orderRate,
        rtP50Ms: rt && oldest ? quantileMs(0.5, oldest, rt) : null,
        rtP99Ms: rt && oldest ? quantileMs(0.99, oldest, rt) : null,
        queueDepth: stats.commandQueueDepth,
        persisterLag: lag,
        sockets: stats.connectedSockets,
      });
      if (samples.length > keep) samples.shift();
    } finally {
      busy = false;
    }
  }

  function verdict(): HealthVerdict {
    const reasons: string[] = [];
    const last = samples.at(-1);
    if (!current || !last) return { status: "degraded", reasons: ["no sample yet"] };
    for (const name of current.unavailable) reasons.push(`${name} did not answer`);
    if ((last.queueDepth ?? 0) > HEALTH_LIMITS.queueDepth)
      reasons.push(`command queue depth ${last.queueDepth} > ${HEALTH_LIMITS.queueDepth}`);
    if ((last.persisterLag ?? 0) > HEALTH_LIMITS.persisterLag)
      reasons.push(`persister lag ${last.persisterLag} records > ${HEALTH_LIMITS.persisterLag}`);
    if (stuck >= HEALTH_LIMITS.persisterStuckSamples)
      reasons.push(`persister has not advanced for ${Math.round((stuck * everyMs) / 1000)} s while behind`);
    if ((last.rtP99Ms ?? 0) > HEALTH_LIMITS.rtP99Ms)
      reasons.push(`engine round trip p99 ${last.rtP99Ms} ms > ${HEALTH_LIMITS.rtP99Ms} ms`);
    const rec = current.reconcile;
    if (rec && !rec.ok)
      reasons.push(`reconcile found ${rec.differences} difference(s)${rec.error ? ` (${rec.error})` : ""}`);
    return { status: reasons.length === 0 ? "healthy" : "degraded", reasons };
  }

  return {
    sample,
    start() {
      if (timer) return;
      void sample().catch(() => {});
      timer = setInterval(() => void sample().catch(() => {}), everyMs);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    view: () => ({
      intervalMs: everyMs,
      limits: HEALTH_LIMITS,
      samples: [...samples],
      current,
      ...verdict(),
    }),
  };
}
