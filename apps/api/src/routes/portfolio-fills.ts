import { createRoute, type z } from "@hono/zod-openapi";
import { type Fill, FillsQuery, FillsResponse, PnlResponse } from "@ox/contracts";
import { payouts, trades } from "@ox/db";
import { and, asc, desc, eq, lt, or } from "drizzle-orm";
import type { RouteContext, RouteFactory } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { historyDb } from "../deps.ts";
import { replayPnl, totalPnl } from "../pnl.ts";
import { errors, json } from "./openapi-helpers.ts";

type TradeRow = typeof trades.$inferSelect;

/** A trade seen from one of its two users (both rows when a user traded with themself). */
export function fillsOf(row: TradeRow, userId: string): z.infer<typeof Fill>[] {
  const base = { tradeSeq: row.seq, marketId: row.marketId, kind: row.kind, qty: row.qty, ts: row.ts };
  const out: z.infer<typeof Fill>[] = [];
  if (row.takerUserId === userId) {
    out.push({
      ...base,
      role: "TAKER",
      orderId: row.takerOrderId,
      outcome: row.takerOutcome,
      side: row.takerSide,
      pricePaise: row.takerPricePaise,
      feePaise: row.takerFeePaise,
    });
  }
  if (row.makerUserId === userId) {
    out.push({
      ...base,
      role: "MAKER",
      orderId: row.makerOrderId,
      outcome: row.makerOutcome,
      side: row.makerSide,
      pricePaise: row.makerPricePaise,
      feePaise: row.makerFeePaise,
    });
  }
  return out;
}

/** GET /portfolio/fills: own fills, newest first, from the persister's `trades` projection. */
export function createPortfolioFillsRoutes(): RouteFactory {
  return function portfolioFillsRoutes(ctx: RouteContext) {
    const router = createRouter();
    router.openapi(
      createRoute({
        method: "get",
        path: "/portfolio/fills",
        tags: ["portfolio"],
        middleware: [ctx.auth],
        security: [{ cookieAuth: [] }],
        summary: "Your fills, newest first (from Postgres: may lag the engine by the persister's lag)",
        request: { query: FillsQuery },
        responses: { 200: json(FillsResponse, "Fills"), ...errors(400, 401) },
      }),
      async (c) => {
        const { userId } = sessionOf(c);
        const { limit, before } = c.req.valid("query");
        const mine = or(eq(trades.makerUserId, userId), eq(trades.takerUserId, userId));
        const rows = await historyDb(ctx.deps)
          .select()
          .from(trades)
          .where(before === undefined ? mine : and(mine, lt(trades.seq, before)))
          .orderBy(desc(trades.seq))
          .limit(limit);
        const nextBefore = rows.length === limit ? (rows.at(-1)?.seq ?? null) : null;
        return c.json({ fills: rows.flatMap((r) => fillsOf(r, userId)), nextBefore }, 200);
      },
    );
    router.openapi(
      createRoute({
        method: "get",
        path: "/portfolio/pnl",
        tags: ["portfolio"],
        middleware: [ctx.auth],
        security: [{ cookieAuth: [] }],
        summary:
          "Your cost basis and realized P&L per market, replayed from your fills and payouts (from Postgres: may lag the engine)",
        responses: { 200: json(PnlResponse, "P&L per market and in total"), ...errors(401) },
      }),
      async (c) => {
        const { userId } = sessionOf(c);
        const db = historyDb(ctx.deps);
        const [tradeRows, payoutRows] = await Promise.all([
          db
            .select()
            .from(trades)
            .where(or(eq(trades.makerUserId, userId), eq(trades.takerUserId, userId)))
            .orderBy(asc(trades.seq)),
          db.select().from(payouts).where(eq(payouts.userId, userId)).orderBy(asc(payouts.seq)),
        ]);
        const fills = tradeRows.flatMap((r) => fillsOf(r, userId)).map((f) => ({ ...f, seq: f.tradeSeq }));
        const markets = replayPnl(fills, payoutRows);
        return c.json({ markets, totals: totalPnl(markets) }, 200);
      },
    );
    return router;
  };
}
