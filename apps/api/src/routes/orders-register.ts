import type { RouteFactory } from "../app.ts";
import { createAdminMarketRoutes } from "./admin-markets.ts";
import { createMarketRoutes } from "./markets.ts";
import { createOrderRoutes, type TradingOptions } from "./orders.ts";
import { createPortfolioRoutes } from "./portfolio.ts";

/** The trading routes, for createApp(deps, { routes: tradingRoutes({ reader }) }). */
export function tradingRoutes(options: TradingOptions): RouteFactory[] {
  return [
    createOrderRoutes(options),
    createPortfolioRoutes(options),
    createMarketRoutes(options),
    createAdminMarketRoutes(options),
  ];
}
