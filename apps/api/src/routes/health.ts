import { createRoute, type z } from "@hono/zod-openapi";
import { type HealthCheck, HealthResponse } from "@ox/contracts";
import { sql } from "drizzle-orm";
import type { RouteContext } from "../app.ts";
import { createRouter } from "../app-env.ts";
import { json } from "./openapi-helpers.ts";

async function timed(fn: () => Promise<unknown>, timeoutMs: number) {
  const started = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs),
      ),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      ok: false,
      ms: Math.round(performance.now() - started),
      error: String((err as Error)?.message ?? err),
    };
  }
}

export function createHealthRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  const router = createRouter();
  const checks: Record<string, () => Promise<unknown>> = {
    database: () => deps.db.execute(sql`select 1`),
    kv: () => deps.kv.get("health:probe"),
    commandQueue: () => deps.commandQueue.depth(),
    ...deps.healthChecks,
  };

  router.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["ops"],
      summary: "Readiness: each dependency's state (503 when any is down)",
      responses: { 200: json(HealthResponse, "All up"), 503: json(HealthResponse, "Something is down") },
    }),
    async (c) => {
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((n) => timed(checks[n] as () => Promise<unknown>, 2_000)));
      const byName = Object.fromEntries(names.map((n, i) => [n, results[i] as z.infer<typeof HealthCheck>]));
      const ok = results.every((r) => r.ok);
      return c.json({ status: ok ? ("ok" as const) : ("degraded" as const), checks: byName }, ok ? 200 : 503);
    },
  );
  return router;
}
