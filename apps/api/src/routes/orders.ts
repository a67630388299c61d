import { createRoute } from "@hono/zod-openapi";
import {
  AmendOrderRequest,
  AmendOrderResponse,
  OrderIdParam,
  OrderResponse,
  OrdersQuery,
  OrdersResponse,
  PendingOrderResponse,
  PlaceOrderRequest,
  PlaceOrderResponse,
} from "@ox/contracts";
import { type Db, orders } from "@ox/db";
import type { OrderView } from "@ox/engine";
import { type EngineReader, EngineTimeoutError } from "@ox/engine-client";
import { and, desc, eq, lt, ne, or, type SQL } from "drizzle-orm";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { ApiError } from "../errors.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";
import { EngineRejectedError } from "./orders-errors.ts";
import {
  amendOrderCommand,
  orderFromEngine,
  orderFromRow,
  orderWithFills,
  placeOrderCommand,
} from "./vocabulary.ts";

/** Closed orders' final views kept per API process for GET /orders/:id (most recent first out last). */
const RECENT_REPLIES_MAX = 10_000;

export interface TradingOptions {
  reader: EngineReader;
}

/**
 * History cursor: the last row's (createdAt, id), base64url. Many orders share one createdAt (one
 * millisecond, one engine batch), so paging on createdAt alone skipped the rest of a tie; the id
 * breaks ties so every row is on exactly one page.
 */
export function encodeOrderCursor(row: { createdAt: number; id: string }): string {
  return Buffer.from(`${row.createdAt}:${row.id}`).toString("base64url");
}

export function decodeOrderCursor(cursor: string): { createdAt: number; id: string | null } {
  if (/^[0-9]{1,16}$/.test(cursor)) return { createdAt: Number(cursor), id: null }; // a bare createdAt
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const m = /^([0-9]{1,16}):(.+)$/.exec(text);
  if (!m) throw new ApiError("VALIDATION_ERROR", "before: not a cursor this API returned");
  return { createdAt: Number(m[1]), id: m[2] as string };
}

/** Own order history from the persister's table (lags the engine by a batch or two). */
async function orderHistory(
  db: Db,
  userId: string,
  q: { status: string; marketId?: string; limit: number; before?: string },
) {
  const where = [eq(orders.userId, userId)];
  if (q.status === "closed") where.push(ne(orders.status, "OPEN"));
  if (q.marketId) where.push(eq(orders.marketId, q.marketId));
  if (q.before) {
    const c = decodeOrderCursor(q.before);
    where.push(
      c.id === null
        ? lt(orders.createdAt, c.createdAt)
        : (or(
            lt(orders.createdAt, c.createdAt),
            and(eq(orders.createdAt, c.createdAt), lt(orders.id, c.id)),
          ) as SQL),
    );
  }
  const rows = await db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(q.limit);
  return rows;
}

export function createOrderRoutes(options: TradingOptions) {
  return function orderRoutes(ctx: RouteContext) {
    const { deps } = ctx;
    const { reader } = options;
    const router = createRouter();
    // Final views of orders the engine closed in its reply here (filled, expired, cancelled,
    // rejected): the engine forgets a closed order at once and Postgres has it only once the
    // persister catches up, so GET /orders/:id answers from these first. Bounded, oldest out.
    const recentFinal = new Map<string, OrderView>();
    const rememberFinal = (view: OrderView | undefined) => {
      if (!view || view.status === "OPEN") return;
      recentFinal.delete(view.orderId);
      recentFinal.set(view.orderId, view);
      if (recentFinal.size > RECENT_REPLIES_MAX)
        recentFinal.delete(recentFinal.keys().next().value as string);
    };
    const secured = { middleware: [ctx.auth], security: [{ cookieAuth: [] }], tags: ["orders"] };

    router.openapi(
      createRoute({
        method: "post",
        path: "/orders",
        ...secured,
        summary:
          "Place an order; 201 once the engine has applied it durably, 202 if it has not answered in time",
        request: { body: jsonBody(PlaceOrderRequest) },
        responses: {
          201: json(PlaceOrderResponse, "Applied"),
          202: json(PendingOrderResponse, "Queued, not yet answered"),
          ...errors(400, 401, 403, 404, 409, 422, 503),
        },
      }),
      async (c) => {
        const { userId } = sessionOf(c);
        const body = c.req.valid("json");
        // Refused here, not by the engine: an engine rejection is still journaled and persisted.
        if (!(await ctx.markets.exists(body.marketId)))
          throw new ApiError("MARKET_NOT_FOUND", "no such market");
        const command = placeOrderCommand(body, {
          orderId: deps.engine.newOrderId(body.marketId),
          userId,
          ts: deps.clock.now(),
        });
        // The engine's own check on the same ts, made here so that the refusal is not journaled.
        if (command.expiresAt !== undefined && command.expiresAt <= command.ts)
          throw new EngineRejectedError("INVALID_EXPIRY");
        const reply = await deps.engine.execute(command, { requestId: c.get("requestId") }).catch((err) => {
          if (err instanceof EngineTimeoutError) return null;
          throw new ApiError("ENGINE_UNAVAILABLE", "the order could not be queued", { cause: err });
        });
        if (!reply) return c.json({ order: { id: command.orderId, status: "PENDING" as const } }, 202);
        rememberFinal(reply.order ?? undefined);
        if (reply.code !== "OK" || !reply.order) throw new EngineRejectedError(reply.code);
        const order = orderWithFills(reply.order, reply.fills);
        return c.json({ order, duplicate: reply.duplicate }, 201);
      },
    );

    router.openapi(
      createRoute({
        method: "delete",
        path: "/orders/{id}",
        ...secured,
        summary: "Cancel one of your open orders",
        request: { params: OrderIdParam },
        responses: {
          200: json(OrderResponse, "Cancelled"),
          202: json(PendingOrderResponse, "Queued, not yet answered"),
          ...errors(401, 404, 409, 503),
        },
      }),
      async (c) => {
        const { userId } = sessionOf(c);
        const { id } = c.req.valid("param");
        // Only open orders can be cancelled, and the engine holds them all: anything else is refused
        // here, so cancels of invented ids never reach the engine or the log. If the engine cannot be
        // read (restarting) the cancel is queued as before and the engine decides.
        const live = await reader.order(id).catch(() => undefined);
        if (live === null || (live && live.userId !== userId))
          throw new ApiError("UNKNOWN_ORDER", "no such open order");
        const reply = await deps.engine
          .execute(
            { type: "CANCEL_ORDER", userId, orderId: id, ts: deps.clock.now() },
            { requestId: c.get("requestId") },
          )
          .catch((err) => {
            if (err instanceof EngineTimeoutError) return null;
            throw new ApiError("ENGINE_UNAVAILABLE", "the cancel could not be queued", { cause: err });
          });
        if (!reply) return c.json({ order: { id, status: "PENDING" as const } }, 202);
        if (reply.code !== "OK" || !reply.order) throw new EngineRejectedError(reply.code);
        return c.json({ order: orderFromEngine(reply.order) }, 200);
      },
    );

    router.openapi(
      createRoute({
        method: "patch",
        path: "/orders/{id}",
        ...secured,
        summary: "Amend one of your open orders: a new price and/or remaining quantity",
        description:
          "Lowering the quantity at the same price keeps the order's place in the queue; a new price or a " +
          "larger quantity re-queues it at the back of its level, and if the new price crosses the book it " +
          "trades at once as a taker (Kalshi's amend rule). The lock moves exactly; an amend needing more " +
          "cash than is available is refused (INSUFFICIENT_FUNDS) and changes nothing. A repeat of a " +
          "clientAmendId returns the first result with duplicate: true.",
        request: { params: OrderIdParam, body: jsonBody(AmendOrderRequest) },
        responses: {
          200: json(AmendOrderResponse, "Amended"),
          202: json(PendingOrderResponse, "Queued, not yet answered"),
          ...errors(400, 401, 403, 404, 409, 422, 503),
        },
      }),
      async (c) => {
        const { userId } = sessionOf(c);
        const { id } = c.req.valid("param");
        const body = c.req.valid("json");
        // As for a cancel, an order that is not open is refused here — unless the amend carries a
        // clientAmendId: its repeat must reach the engine, which remembers the first result.
        if (body.clientAmendId === undefined) {
          const live = await reader.order(id).catch(() => undefined);
          if (live === null || (live && live.userId !== userId))
            throw new ApiError("UNKNOWN_ORDER", "no such open order");
        }
        const command = amendOrderCommand(body, { orderId: id, userId, ts: deps.clock.now() });
        const reply = await deps.engine.execute(command, { requestId: c.get("requestId") }).catch((err) => {
          if (err instanceof EngineTimeoutError) return null;
          throw new ApiError("ENGINE_UNAVAILABLE", "the amend could not be queued", { cause: err });
        });
        if (!reply) return c.json({ order: { id, status: "PENDING" as const } }, 202);
        if (reply.code !== "OK" || !reply.order) throw new EngineRejectedError(reply.code);
        rememberFinal(reply.order);
        const order = orderWithFills(reply.order, reply.fills);
        return c.json({ order, duplicate: reply.duplicate }, 200);
      },
    );

    router.openapi(
      createRoute({
        method: "get",
        path: "/orders",
        ...secured,
        summary: "Your orders: open ones live from the engine, history from the database",
        request: { query: OrdersQuery },
        responses: { 200: json(OrdersResponse, "Orders, newest first"), ...errors(400, 401, 503) },
      }),
      async (c) => {
        const { userId } = sessionOf(c);
        const q = c.req.valid("query");
        if (q.status === "open") {
          const open = (await reader.openOrders(userId, q.marketId)).map(orderFromEngine).reverse();
          return c.json({ orders: open, nextBefore: null }, 200);
        }
        const rows = await orderHistory(deps.db, userId, q);
        const last = rows.at(-1);
        const nextBefore = rows.length === q.limit && last ? encodeOrderCursor(last) : null;
        return c.json({ orders: rows.map(orderFromRow), nextBefore }, 200);
      },
    );

    router.openapi(
      createRoute({
        method: "get",
        path: "/orders/{id}",
        ...secured,
        summary: "One of your orders",
        request: { params: OrderIdParam },
        responses: { 200: json(OrderResponse, "The order"), ...errors(401, 404, 503) },
      }),
      async (c) => {
        const { userId } = sessionOf(c);
        const { id } = c.req.valid("param");
        const live = await reader.order(id);
        if (live && live.userId === userId) return c.json({ order: orderFromEngine(live) }, 200);
        const final = recentFinal.get(id);
        if (final && final.userId === userId) return c.json({ order: orderFromEngine(final) }, 200);
        const [row] = await deps.db
          .select()
          .from(orders)
          .where(and(eq(orders.id, id), eq(orders.userId, userId)));
        if (!row) throw new ApiError("NOT_FOUND", "no such order");
        return c.json({ order: orderFromRow(row) }, 200);
      },
    );
    return router;
  };
}
