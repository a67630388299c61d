/**
 * The one place where the API's vocabulary (the contracts') and the engine's meet: order fields
 * (quantity ↔ qty, timeInForce ↔ tif, selfTradePrevention ↔ stp, type ↔ orderType, id ↔ orderId,
 * createdAt ↔ ts), fills,
 * market prices and positions. The table is in docs/architecture.md#which-names-are-canonical.
 */
import type { z } from "@hono/zod-openapi";
import type {
  AmendOrderRequest,
  FillView,
  MarketSummary,
  OrderView,
  PlaceOrderRequest,
  PortfolioResponse,
} from "@ox/contracts";
import type { ReplyFill } from "@ox/contracts/pipeline";
import type { markets, orders } from "@ox/db";
import type {
  AmendOrderCommand,
  CancelAllCommand,
  OrderView as EngineOrderView,
  MarketView,
  PlaceOrderCommand,
  PositionView,
} from "@ox/engine";

type ApiOrder = z.infer<typeof OrderView>;

const avg = (valuePaise: number, qty: number) => (qty > 0 ? Math.round(valuePaise / qty) : null);

export function orderFromEngine(o: EngineOrderView): ApiOrder {
  return {
    id: o.orderId,
    marketId: o.marketId,
    clientOrderId: o.clientOrderId,
    outcome: o.outcome,
    side: o.side,
    type: o.orderType,
    timeInForce: o.tif,
    expiresAt: o.expiresAt,
    selfTradePrevention: o.stp,
    postOnly: o.postOnly,
    pricePaise: o.pricePaise,
    quantity: o.qty,
    status: o.status,
    filledQty: o.filledQty,
    remainingQty: o.remainingQty,
    filledValuePaise: o.filledValuePaise,
    avgPricePaise: avg(o.filledValuePaise, o.filledQty),
    feesPaise: o.feesPaise,
    createdAt: o.ts,
  };
}

export function orderFromRow(r: typeof orders.$inferSelect): ApiOrder {
  const open = r.status === "OPEN";
  return {
    id: r.id,
    marketId: r.marketId,
    clientOrderId: r.clientOrderId,
    outcome: r.outcome,
    side: r.side,
    type: r.orderType,
    timeInForce: r.tif,
    expiresAt: r.expiresAt,
    selfTradePrevention: r.stp,
    postOnly: r.postOnly,
    pricePaise: r.pricePaise,
    quantity: r.qty,
    status: r.status,
    filledQty: r.filledQty,
    remainingQty: open ? r.qty - r.filledQty : 0,
    filledValuePaise: r.filledValuePaise,
    avgPricePaise: avg(r.filledValuePaise, r.filledQty),
    feesPaise: r.feesPaise,
    createdAt: r.createdAt,
  };
}

/** An order the engine answered with, and its fills (a placement's or an amend's reply). */
export function orderWithFills(
  o: EngineOrderView,
  fills: readonly ReplyFill[] | undefined,
): ApiOrder & { fills: Array<z.infer<typeof FillView>> } {
  // The order's fields, then `fills`: one object, not a copy of orderFromEngine's spread into another.
  const order = orderFromEngine(o) as ApiOrder & { fills: Array<z.infer<typeof FillView>> };
  order.fills = fills ? fills.map(fillView) : [];
  return order;
}

export const fillView = (f: ReplyFill): z.infer<typeof FillView> => ({
  tradeSeq: f.seq,
  kind: f.kind,
  qty: f.qty,
  pricePaise: f.pricePaise,
  feePaise: f.feePaise,
});

/** The engine command of one PATCH /orders/{id} body: `quantity` is the new remaining quantity. */
export function amendOrderCommand(
  body: z.infer<typeof AmendOrderRequest>,
  at: { orderId: string; userId: string; ts: number },
): AmendOrderCommand {
  const cmd: AmendOrderCommand = { type: "AMEND_ORDER", orderId: at.orderId, userId: at.userId, ts: at.ts };
  if (body.pricePaise !== undefined) cmd.pricePaise = body.pricePaise;
  if (body.quantity !== undefined) cmd.remainingQty = body.quantity;
  if (body.clientAmendId !== undefined) cmd.clientAmendId = body.clientAmendId;
  return cmd;
}

/** The engine command of one POST /orders body (also each item of POST /orders/batch). */
export function placeOrderCommand(
  body: z.infer<typeof PlaceOrderRequest>,
  at: { orderId: string; userId: string; ts: number },
): PlaceOrderCommand {
  // Assigned, not spread (`...(x && {x})` copies a new object per field): on every order's path.
  // The fields keep this order, so the journal's bytes are the same.
  const cmd: PlaceOrderCommand = {
    type: "PLACE_ORDER",
    orderId: at.orderId,
    userId: at.userId,
    marketId: body.marketId,
    outcome: body.outcome,
    side: body.side,
    orderType: body.type,
    qty: body.quantity,
    ts: at.ts,
  };
  if (body.pricePaise !== undefined) cmd.pricePaise = body.pricePaise;
  if (body.timeInForce) cmd.tif = body.timeInForce;
  if (body.expiresAt !== undefined) cmd.expiresAt = body.expiresAt;
  if (body.selfTradePrevention) cmd.stp = body.selfTradePrevention;
  if (body.postOnly !== undefined) cmd.postOnly = body.postOnly;
  if (body.maxCostPaise !== undefined) cmd.maxCostPaise = body.maxCostPaise;
  if (body.clientOrderId) cmd.clientOrderId = body.clientOrderId;
  return cmd;
}

type MarketRow = typeof markets.$inferSelect;

/** Catalogue columns from Postgres, trading state live from the engine when it knows the market. */
export function marketSummary(
  row: MarketRow,
  live: MarketView | null | undefined,
): z.infer<typeof MarketSummary> {
  return {
    id: row.id,
    title: row.title,
    titleHi: row.titleHi,
    description: row.description,
    category: row.category,
    rules: row.rules,
    resolutionSource: row.resolutionSource,
    status: live?.status ?? row.status,
    outcome: live ? live.resolution : row.outcome,
    closeAt: row.closeAt,
    tickPaise: live?.tickPaise ?? row.tickPaise,
    yesPricePaise: live ? live.bestYesAskPaise : null,
    noPricePaise: live?.bestYesBidPaise != null ? 1000 - live.bestYesBidPaise : null,
    lastYesPricePaise: live ? live.lastYesPricePaise : row.lastYesPricePaise,
    volumeQty: live?.volumeQty ?? row.volumeQty,
    bookSeq: live?.bookSeq ?? 0,
    createdAt: row.createdAt,
  };
}

const avgCost = (costPaise: number, qty: number) => (qty > 0 ? Math.round(costPaise / qty) : null);

/** One engine position as GET /portfolio shows it; `market` adds the last price and status. */
export function positionView(
  p: PositionView,
  market: MarketView | null | undefined,
): z.infer<typeof PortfolioResponse>["positions"][number] {
  return {
    marketId: p.marketId,
    yes: p.yesQty,
    no: p.noQty,
    yesLocked: p.yesLockedQty,
    noLocked: p.noLockedQty,
    yesCostPaise: p.yesCostPaise,
    noCostPaise: p.noCostPaise,
    yesAvgPricePaise: avgCost(p.yesCostPaise, p.yesQty),
    noAvgPricePaise: avgCost(p.noCostPaise, p.noQty),
    lastYesPricePaise: market?.lastYesPricePaise ?? null,
    marketStatus: market?.status ?? null,
  };
}

/** DELETE /orders: the caller's orders in one market, or (no marketId) in every market. */
export function cancelAllCommand(
  query: { marketId?: string },
  at: { userId: string; ts: number },
): CancelAllCommand {
  return {
    type: "CANCEL_ALL",
    userId: at.userId,
    ts: at.ts,
    ...(query.marketId !== undefined && { marketId: query.marketId }),
  };
}
