import { createRoute, type z } from "@hono/zod-openapi";
import { HealthHistoryView, type ReconcileStatus, SystemStats } from "@ox/contracts";
import type { RouteContext, RouteFactory } from "../app.ts";
import { createRouter } from "../app-env.ts";
import type { HealthHistory } from "../health-history.ts";
import { errors, json } from "./openapi-helpers.ts";

export type SystemStatsProvider = () => Promise<SystemStats>;

type EngineFigures = { lastSeq: number; logOffset: number; queueDepth: number; ordersPlaced?: number };

/** What the composition root hands over; each source is optional (a process may live elsewhere). */
export interface SystemStatsSources {
  engine?: () => EngineFigures | Promise<EngineFigures>;
  /** Read fresh on every call (a PersisterHealthProbe): lag against the log's end offset now. */
  persister?: () => PersisterStatsSource | Promise<PersisterStatsSource>;
  stream?: () => Promise<{ clusterSockets: number }>;
  /**
   * A full engine-vs-Postgres comparison: expensive, so its result is kept for reconcileEveryMs.
   * Null = skipped this time (e.g. the persister is behind), the previous result stands.
   */
  reconcile?: () => Promise<{ ok: boolean; differences: number } | null>;
  reconcileEveryMs?: number;
  now?: () => number;
}

export interface PersisterStatsSource {
  offset: number;
  lag: number;
  state?: "ok" | "lagging" | "stuck";
  quarantined?: number;
}

export function createSystemStatsProvider(sources: SystemStatsSources): SystemStatsProvider {
  const now = sources.now ?? Date.now;
  const every = sources.reconcileEveryMs ?? 30_000;
  let lastReconcile: z.infer<typeof ReconcileStatus> | null = null;
  let running: Promise<void> | null = null;

  async function reconcileStatus() {
    if (!sources.reconcile) return null;
    if (lastReconcile && now() - lastReconcile.checkedAt < every) return lastReconcile;
    running ??= sources
      .reconcile()
      .then((r) => {
        if (r) lastReconcile = { ok: r.ok, differences: r.differences, checkedAt: now() };
      })
      .catch((err: unknown) => {
        lastReconcile = { ok: false, differences: 0, checkedAt: now(), error: String(err) };
      })
      .finally(() => {
        running = null;
      });
    await running;
    return lastReconcile;
  }

  return async function systemStats() {
    const unavailable: string[] = [];
    const attempt = async <T>(name: string, read: (() => T | Promise<T>) | undefined): Promise<T | null> => {
      if (!read) return null;
      try {
        return await read();
      } catch {
        unavailable.push(name);
        return null;
      }
    };
    const [engine, persister, stream, cached] = await Promise.all([
      attempt("engine", sources.engine),
      attempt("persister", sources.persister),
      attempt("stream", sources.stream),
      attempt("reconcile", reconcileStatus),
    ]);
    // A reconcile result says nothing about records Postgres never got: while the persister is not
    // ok (or cannot be read), an earlier OK must not be shown as current.
    const persisterOk = !sources.persister || (persister !== null && (persister.state ?? "ok") === "ok");
    const reconcile =
      cached && !persisterOk
        ? {
            ...cached,
            ok: false,
            error: `persister ${persister?.state ?? "unavailable"}: Postgres is behind the log, reconcile not current`,
          }
        : cached;
    return {
      commandQueueDepth: engine?.queueDepth ?? null,
      engineSeq: engine?.lastSeq ?? null,
      engineLogOffset: engine?.logOffset ?? null,
      ordersPlaced: engine?.ordersPlaced ?? null,
      persisterOffset: persister?.offset ?? null,
      persisterLag: persister?.lag ?? null,
      persisterState: persister?.state ?? null,
      persisterQuarantined: persister?.quarantined ?? null,
      connectedSockets: stream?.clusterSockets ?? null,
      reconcile,
      unavailable,
      checkedAt: now(),
    };
  };
}

/**
 * GET /admin/stats: system health for the admin dashboard, from a provider the composition root
 * supplies; GET /admin/health: the last minutes of it, sampled in memory, with a verdict.
 */
export function createAdminStatsRoutes(options: {
  stats: SystemStatsProvider;
  history?: HealthHistory;
}): RouteFactory {
  return function adminStatsRoutes(ctx: RouteContext) {
    const router = createRouter();
    router.openapi(
      createRoute({
        method: "get",
        path: "/admin/stats",
        tags: ["admin"],
        middleware: [ctx.auth, ctx.admin],
        security: [{ cookieAuth: [] }],
        summary: "Queue depth, engine seq, persister lag, sockets, reconcile status",
        responses: { 200: json(SystemStats, "Stats"), ...errors(401, 403) },
      }),
      async (c) => c.json(await options.stats(), 200),
    );
    const { history } = options;
    if (history)
      router.openapi(
        createRoute({
          method: "get",
          path: "/admin/health",
          tags: ["admin"],
          middleware: [ctx.auth, ctx.admin],
          security: [{ cookieAuth: [] }],
          summary: "The last minutes of order rate, round trip, queue depth, persister lag, sockets",
          responses: { 200: json(HealthHistoryView, "History and verdict"), ...errors(401, 403) },
        }),
        (c) => c.json(history.view(), 200),
      );
    return router;
  };
}
