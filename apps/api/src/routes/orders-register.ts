import type { RouteFactory } from "../app.ts";
import { createAdminMarketRoutes } from "./admin-markets.ts";
import { createMarketRoutes } from "./markets.ts";
import { createOrderRoutes, type TradingOptions } from "./orders.ts";
import { createOrderBatchRoutes } from "./orders-batch.ts";
import { createPortfolioRoutes } from "./portfolio.ts";

/** The trading routes, for createApp(deps, { routes: tradingRoutes({ reader }) }). */
export function tradingRoutes(options: TradingOptions): RouteFactory[] {
  return [
    // Before the single-order routes: DELETE /orders/batch must not reach DELETE /orders/{id}.
    createOrderBatchRoutes(options),
    createOrderRoutes(options),
    createPortfolioRoutes(options),
    createMarketRoutes(options),
    createAdminMarketRoutes(options),
  ];
}
