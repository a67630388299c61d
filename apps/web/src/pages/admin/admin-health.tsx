import { useQuery } from "@tanstack/react-query";
import { ErrorState, Loading } from "../../components/states";
import { useT } from "../../i18n";
import { admin } from "./admin-api";

/** Renders whatever /health and /admin/stats return: numbers, flags, nested objects. */
export function AdminHealth() {
  const t = useT();
  const health = useQuery({ queryKey: ["admin", "health"], queryFn: admin.health, refetchInterval: 5000 });
  const stats = useQuery({ queryKey: ["admin", "stats"], queryFn: admin.stats, refetchInterval: 5000 });
  return (
    <div className="two-col">
      <Panel title="GET /health" q={health} />
      <Panel title={t("adminHealth")} q={stats} />
    </div>
  );
}

function Panel({
  title,
  q,
}: {
  title: string;
  q: {
    isPending: boolean;
    isError: boolean;
    error: unknown;
    data?: Record<string, unknown>;
    refetch: () => unknown;
  };
}) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <Fields data={q.data ?? {}} />
      )}
    </section>
  );
}

function label(key: string): string {
  return key
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/[_-]/g, " ")
    .replace(/^./, (c) => c.toUpperCase());
}

function Fields({ data }: { data: Record<string, unknown> }) {
  return (
    <dl className="facts health" data-testid="health-fields">
      {Object.entries(data).map(([k, v]) => (
        <div key={k}>
          <dt>{label(k)}</dt>
          <dd>
            {v && typeof v === "object" && !Array.isArray(v) ? (
              <Fields data={v as Record<string, unknown>} />
            ) : typeof v === "boolean" || v === "ok" || v === "up" || v === "down" ? (
              <span
                className={
                  v === true || v === "ok" || v === "up" ? "status status-open" : "status status-bad"
                }
              >
                {String(v)}
              </span>
            ) : (
              <span className="mono">
                {Array.isArray(v)
                  ? JSON.stringify(v)
                  : /At$/.test(k) && typeof v === "number"
                    ? new Date(v).toLocaleString("en-IN")
                    : String(v)}
              </span>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
