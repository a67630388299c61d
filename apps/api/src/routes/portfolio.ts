import { createRoute } from "@hono/zod-openapi";
import { PortfolioResponse } from "@ox/contracts";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { errors, json } from "./openapi-helpers.ts";
import type { TradingOptions } from "./orders.ts";
import { positionView } from "./vocabulary.ts";

/** GET /portfolio: live from the engine (never from a lagging table). */
export function createPortfolioRoutes(options: TradingOptions) {
  return function portfolioRoutes(ctx: RouteContext) {
    const router = createRouter();
    router.openapi(
      createRoute({
        method: "get",
        path: "/portfolio",
        tags: ["portfolio"],
        middleware: [ctx.auth],
        security: [{ cookieAuth: [] }],
        summary: "Your balance and positions, live from the engine",
        responses: { 200: json(PortfolioResponse, "Portfolio"), ...errors(401, 503) },
      }),
      async (c) => {
        const { userId } = sessionOf(c);
        const { reader } = options;
        const [account, positions] = await Promise.all([reader.account(userId), reader.positions(userId)]);
        const markets = await Promise.all(positions.map((p) => reader.market(p.marketId)));
        return c.json(
          {
            balance: { availablePaise: account?.availablePaise ?? 0, lockedPaise: account?.lockedPaise ?? 0 },
            positions: positions.map((p, i) => positionView(p, markets[i])),
          },
          200,
        );
      },
    );
    return router;
  };
}
