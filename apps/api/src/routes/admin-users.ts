import { createRoute } from "@hono/zod-openapi";
import { AdminUsersQuery, AdminUsersResponse } from "@ox/contracts";
import { kycRequests, markets, users } from "@ox/db";
import type { EngineReader } from "@ox/engine-client";
import { desc, eq, ilike, inArray, or } from "drizzle-orm";
import type { RouteContext, RouteFactory } from "../app.ts";
import { createRouter } from "../app-env.ts";
import { historyDb } from "../deps.ts";
import { errors, json } from "./openapi-helpers.ts";
import { positionView } from "./vocabulary.ts";

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** GET /admin/users?q=: accounts from Postgres, balances and positions live from the engine. */
export function createAdminUserRoutes(options: { reader: EngineReader }): RouteFactory {
  return function adminUserRoutes(ctx: RouteContext) {
    // An admin list: the replica (it may lag; a user who signed up a moment ago may be missing).
    const db = historyDb(ctx.deps);
    const router = createRouter();
    router.openapi(
      createRoute({
        method: "get",
        path: "/admin/users",
        tags: ["admin"],
        middleware: [ctx.auth, ctx.admin],
        security: [{ cookieAuth: [] }],
        summary: "Search users by phone or id, with live balances and positions",
        request: { query: AdminUsersQuery },
        responses: { 200: json(AdminUsersResponse, "Users"), ...errors(400, 401, 403, 503) },
      }),
      async (c) => {
        const { q, limit } = c.req.valid("query");
        const match = q ? or(eq(users.id, q), ilike(users.phone, `%${escapeLike(q)}%`)) : undefined;
        const rows = await db.select().from(users).where(match).orderBy(desc(users.createdAt)).limit(limit);
        const ids = rows.map((r) => r.id);
        const kyc = ids.length
          ? await db
              .select({
                userId: kycRequests.userId,
                status: kycRequests.status,
                createdAt: kycRequests.createdAt,
              })
              .from(kycRequests)
              .where(inArray(kycRequests.userId, ids))
          : [];
        const latestKyc = new Map<string, { status: string; createdAt: number }>();
        for (const k of kyc) {
          const seen = latestKyc.get(k.userId);
          if (!seen || k.createdAt >= seen.createdAt) latestKyc.set(k.userId, k);
        }
        const { reader } = options;
        const live = await Promise.all(
          rows.map((r) => Promise.all([reader.account(r.id), reader.positions(r.id)])),
        );
        const marketIds = [...new Set(live.flatMap(([, positions]) => positions.map((p) => p.marketId)))];
        const titles = new Map(
          marketIds.length
            ? (
                await db
                  .select({ id: markets.id, title: markets.title })
                  .from(markets)
                  .where(inArray(markets.id, marketIds))
              ).map((m) => [m.id, m.title])
            : [],
        );
        const list = rows.map((r, i) => {
          const [account, positions] = live[i] ?? [null, []];
          return {
            id: r.id,
            phone: r.phone,
            role: r.role,
            referralCode: r.referralCode,
            createdAt: r.createdAt,
            kycStatus: latestKyc.get(r.id)?.status ?? null,
            balance: { availablePaise: account?.availablePaise ?? 0, lockedPaise: account?.lockedPaise ?? 0 },
            positions: positions.map((p) => {
              const { marketId, yes, no, yesCostPaise, noCostPaise } = positionView(p, null);
              return { marketId, title: titles.get(marketId) ?? null, yes, no, yesCostPaise, noCostPaise };
            }),
          };
        });
        return c.json({ users: list }, 200);
      },
    );
    return router;
  };
}
