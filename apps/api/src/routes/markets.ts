import { createRoute } from "@hono/zod-openapi";
import {
  CANDLE_INTERVALS,
  CandlesQuery,
  CandlesResponse,
  MarketIdParam,
  MarketResponse,
  MarketsQuery,
  MarketsResponse,
  OrderBookResponse,
  TradesQuery,
  TradesResponse,
} from "@ox/contracts";
import { type Db, markets } from "@ox/db";
import { asc, eq } from "drizzle-orm";
import type { RouteContext } from "../app.ts";
import { createRouter } from "../app-env.ts";
import { historyDb } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { candles, recentTrades } from "./markets-history.ts";
import { errors, json } from "./openapi-helpers.ts";
import type { TradingOptions } from "./orders.ts";
import { marketSummary } from "./vocabulary.ts";

/**
 * `GET /markets`' list: every market (of `category`, if given) by close time, with the engine's live
 * prices and volume. Also what the served home page lists (static-web.ts pre-renders it).
 */
export async function listMarkets(db: Db, reader: TradingOptions["reader"], category?: string) {
  const rows = await db
    .select()
    .from(markets)
    .where(category ? eq(markets.category, category) : undefined)
    .orderBy(asc(markets.closeAt));
  const live = new Map((await reader.markets()).map((m) => [m.marketId, m]));
  return rows.map((row) => marketSummary(row, live.get(row.id)));
}

export function createMarketRoutes(options: TradingOptions) {
  return function marketRoutes(ctx: RouteContext) {
    // Market rows: the primary (an admin reads the market they just created). Trades and candles:
    // history, the replica.
    const { db } = ctx.deps;
    const history = historyDb(ctx.deps);
    const { reader } = options;
    const router = createRouter();
    const tags = ["markets"];
    const one = async (id: string) => {
      const [row] = await db.select().from(markets).where(eq(markets.id, id));
      if (!row) throw new ApiError("NOT_FOUND", "no such market");
      return row;
    };

    router.openapi(
      createRoute({
        method: "get",
        path: "/markets",
        tags,
        summary: "Markets with best YES/NO prices, volume and close time",
        request: { query: MarketsQuery },
        responses: { 200: json(MarketsResponse, "Markets"), ...errors(400, 503) },
      }),
      async (c) => {
        const q = c.req.valid("query");
        const list = await listMarkets(db, reader, q.category);
        return c.json({ markets: q.status ? list.filter((m) => m.status === q.status) : list }, 200);
      },
    );

    router.openapi(
      createRoute({
        method: "get",
        path: "/markets/{id}",
        tags,
        summary: "One market",
        request: { params: MarketIdParam },
        responses: { 200: json(MarketResponse, "The market"), ...errors(404, 503) },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const row = await one(id);
        return c.json({ market: marketSummary(row, await reader.market(id)) }, 200);
      },
    );

    router.openapi(
      createRoute({
        method: "get",
        path: "/markets/{id}/orderbook",
        tags,
        summary:
          "The live order book: bids per outcome, with the book's seq (deltas on the socket follow it)",
        request: { params: MarketIdParam },
        responses: { 200: json(OrderBookResponse, "Book"), ...errors(404, 503) },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const book = await reader.book(id);
        if (!book) throw new ApiError("NOT_FOUND", "no such market");
        const levels = (side: typeof book.yes) => side.map((l) => ({ pricePaise: l.pricePaise, qty: l.qty }));
        return c.json({ seq: book.bookSeq, yes: levels(book.yes), no: levels(book.no) }, 200);
      },
    );

    router.openapi(
      createRoute({
        method: "get",
        path: "/markets/{id}/trades",
        tags,
        summary: "Recent trades, newest first",
        request: { params: MarketIdParam, query: TradesQuery },
        responses: { 200: json(TradesResponse, "Trades"), ...errors(400, 404) },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const q = c.req.valid("query");
        await one(id);
        return c.json({ trades: await recentTrades(history, id, q.limit, q.before) }, 200);
      },
    );

    router.openapi(
      createRoute({
        method: "get",
        path: "/markets/{id}/candles",
        tags,
        summary: "OHLCV candles of the YES price",
        request: { params: MarketIdParam, query: CandlesQuery },
        responses: { 200: json(CandlesResponse, "Candles, oldest first"), ...errors(400, 404) },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const q = c.req.valid("query");
        await one(id);
        return c.json(
          {
            interval: q.interval,
            candles: await candles(history, id, CANDLE_INTERVALS[q.interval], q.limit),
          },
          200,
        );
      },
    );
    return router;
  };
}
