import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { ErrorState, Loading } from "../../components/states";
import { type MessageKey, useT } from "../../i18n";
import { admin, type HealthHistory, type HealthSample } from "./admin-api";
import type { HealthLine } from "./health-chart";

// lightweight-charts only when an admin opens the page (shared with the market's price chart).
const HealthChart = lazy(() => import("./health-chart"));

interface ChartSpec {
  key: string;
  title: MessageKey;
  lines: { name: string; color: string; pick: (s: HealthSample) => number | null }[];
  limit?: (h: HealthHistory) => number;
  format: (v: number) => string;
}

const num = (v: number) => (Math.abs(v) >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10));
const ms = (v: number) => `${num(v)} ms`;

const CHARTS: ChartSpec[] = [
  {
    key: "order-rate",
    title: "healthOrderRate",
    lines: [{ name: "orders/s", color: "#2563eb", pick: (s) => s.orderRate }],
    format: num,
  },
  {
    key: "round-trip",
    title: "healthRoundTrip",
    lines: [
      { name: "p50", color: "#16a34a", pick: (s) => s.rtP50Ms },
      { name: "p99", color: "#ea580c", pick: (s) => s.rtP99Ms },
    ],
    limit: (h) => h.limits.rtP99Ms,
    format: ms,
  },
  {
    key: "queue-depth",
    title: "healthQueueDepth",
    lines: [{ name: "queued", color: "#7c3aed", pick: (s) => s.queueDepth }],
    limit: (h) => h.limits.queueDepth,
    format: num,
  },
  {
    key: "persister-lag",
    title: "healthPersisterLag",
    lines: [{ name: "records", color: "#0891b2", pick: (s) => s.persisterLag }],
    limit: (h) => h.limits.persisterLag,
    format: num,
  },
  {
    key: "sockets",
    title: "healthSockets",
    lines: [{ name: "sockets", color: "#475569", pick: (s) => s.sockets }],
    format: num,
  },
];

/**
 * The admin System health page: the API's in-memory history (GET /admin/health, one sample every
 * ~2 s, a few minutes kept), polled every 2 s and drawn as live charts, with the server's
 * healthy/degraded verdict and its reasons.
 */
export function AdminHealth() {
  const t = useT();
  const q = useQuery({
    queryKey: ["admin", "health-history"],
    queryFn: admin.healthHistory,
    refetchInterval: 2000,
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const h = q.data;
  const times = h.samples.map((s) => s.t);
  const minutes = Math.round((h.intervalMs * Math.max(h.samples.length, 1)) / 6_000) / 10;
  const healthy = h.status === "healthy";
  return (
    <div className="health-page">
      <section
        className={`card health-verdict ${healthy ? "is-healthy" : "is-degraded"}`}
        data-testid="health-status"
        data-status={h.status}
        aria-live="polite"
      >
        <span className={healthy ? "status status-open" : "status status-bad"}>
          {t(healthy ? "healthHealthy" : "healthDegraded")}
        </span>
        {h.reasons.length > 0 && (
          <ul className="health-reasons">
            {h.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        )}
        <span className="muted">
          {t("healthWindow", { min: minutes, s: Math.round(h.intervalMs / 1000) })}
        </span>
      </section>
      <div className="health-grid">
        {CHARTS.map((spec) => {
          const last = h.samples.at(-1);
          const limit = spec.limit?.(h);
          const values = spec.lines.map((l) => (last ? l.pick(last) : null));
          const over = limit !== undefined && values.some((v) => v !== null && v > limit);
          const lines: HealthLine[] = spec.lines.map((l) => ({
            name: l.name,
            color: l.color,
            values: h.samples.map(l.pick),
          }));
          return (
            <section
              key={spec.key}
              className={`card health-card ${over ? "is-degraded" : ""}`}
              aria-label={t(spec.title)}
              data-state={over ? "degraded" : "ok"}
            >
              <header className="health-card-head">
                <h2>{t(spec.title)}</h2>
                <span className="mono health-now">
                  {spec.lines
                    .map((l, i) => {
                      const v = values[i];
                      return `${spec.lines.length > 1 ? `${l.name} ` : ""}${v === null || v === undefined ? "—" : spec.format(v)}`;
                    })
                    .join(" · ")}
                </span>
              </header>
              {limit !== undefined && (
                <p className={over ? "health-limit over" : "health-limit"}>
                  {t(over ? "healthOverLimit" : "healthLimit", { n: spec.format(limit) })}
                </p>
              )}
              <Suspense fallback={<Loading />}>
                <HealthChart
                  times={times}
                  lines={lines}
                  limit={limit}
                  testId={`health-chart-${spec.key}`}
                  format={spec.format}
                />
              </Suspense>
            </section>
          );
        })}
      </div>
      {h.current && (
        <section className="card" aria-label={t("healthNow")}>
          <h2>{t("healthNow")}</h2>
          <dl className="facts health-facts">
            <Fact k="Engine seq" v={h.current.engineSeq} />
            <Fact k="Log offset" v={h.current.engineLogOffset} />
            <Fact k="Persister offset" v={h.current.persisterOffset} />
            <Fact k="Persister state" v={h.current.persisterState} />
            <Fact k="Quarantined records" v={h.current.persisterQuarantined} />
            <Fact
              k="Reconcile"
              v={
                h.current.reconcile
                  ? h.current.reconcile.ok
                    ? "ok"
                    : `${h.current.reconcile.differences} difference(s)`
                  : null
              }
            />
          </dl>
        </section>
      )}
    </div>
  );
}

function Fact({ k, v }: { k: string; v: string | number | null }) {
  return (
    <div>
      <dt>{k}</dt>
      <dd className="mono">{v ?? "—"}</dd>
    </div>
  );
}
