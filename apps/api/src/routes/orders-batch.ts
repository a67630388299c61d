/**
 * POST /orders/batch and DELETE /orders/batch (Kalshi's BatchCreateOrders / BatchCancelOrders):
 * many orders in one request and ONE engine round trip (a batch envelope, applied in order). Each
 * item succeeds or fails on its own; only a malformed envelope (not an object, no list, too many
 * items) is a 400. Idempotency is per clientOrderId, exactly as for single orders.
 */

import type { z } from "@hono/zod-openapi";
import { createRoute } from "@hono/zod-openapi";
import {
  CancelOrdersBatchRequest,
  CancelOrdersBatchResponse,
  OrderId,
  PlaceOrderRequest,
  PlaceOrdersBatchRequest,
  PlaceOrdersBatchResponse,
} from "@ox/contracts";
import type { CommandReply } from "@ox/contracts/pipeline";
import type { Command } from "@ox/engine";
import { type EngineReader, EngineTimeoutError } from "@ox/engine-client";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf, validationMessage } from "../app-env.ts";
import { ApiError } from "../errors.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";
import { EngineRejectedError } from "./orders-errors.ts";
import { orderFromEngine, orderWithFills, placeOrderCommand } from "./vocabulary.ts";

type ItemError = { error: { code: string; message: string } };
const itemError = (code: string, message: string): ItemError => ({ error: { code, message } });

/** An engine rejection as an item error, with the same code and message a single request gets. */
const rejection = (code: CommandReply["code"]): ItemError => {
  const e = new EngineRejectedError(code);
  return itemError(e.code, e.message);
};

/** One engine round trip for all the commands; null when the engine did not answer in time (PENDING, as a 202). */
async function roundTrip(ctx: RouteContext, commands: Command[], what: string, requestId: string) {
  if (commands.length === 0) return [];
  return ctx.deps.engine.executeBatch(commands, { requestId }).catch((err) => {
    if (err instanceof EngineTimeoutError) return null;
    throw new ApiError("ENGINE_UNAVAILABLE", `the ${what} could not be queued`, { cause: err });
  });
}

export function createOrderBatchRoutes(options: { reader: EngineReader }) {
  return function orderBatchRoutes(ctx: RouteContext) {
    const { deps } = ctx;
    const { reader } = options;
    const router = createRouter();
    const secured = { middleware: [ctx.auth], security: [{ cookieAuth: [] }], tags: ["orders"] };

    router.openapi(
      createRoute({
        method: "post",
        path: "/orders/batch",
        ...secured,
        summary: "Place up to 20 orders in one request and one engine round trip; one result per order",
        description:
          "Each order costs one point of the write rate limit (per user and per address), as a POST /orders would. A batch the buckets cannot pay in full is refused whole: 429 RATE_LIMITED with Retry-After, nothing placed, and only the request's own point spent, so a smaller batch may pass at once.",
        request: { body: jsonBody(PlaceOrdersBatchRequest) },
        responses: {
          200: json(PlaceOrdersBatchResponse, "One result per order, in request order"),
          ...errors(400, 401, 403, 429, 503),
        },
      }),
      async (c) => {
        const { userId } = sessionOf(c);
        const { orders } = c.req.valid("json");
        // Each order is one write, as POST /orders (the request itself paid 1): all or nothing.
        await ctx.limits.charge(c, "write", orders.length - 1);
        const ts = deps.clock.now();
        const results: z.infer<typeof PlaceOrdersBatchResponse>["results"] = [];
        const commands: Command[] = [];
        const slots: number[] = []; // results index of each command
        const known = new Map<string, Promise<boolean>>();
        for (const raw of orders) {
          const parsed = PlaceOrderRequest.safeParse(raw);
          if (!parsed.success) {
            results.push(itemError("VALIDATION_ERROR", validationMessage(parsed.error, "order")));
            continue;
          }
          const body = parsed.data;
          // Unknown markets are refused here, as for POST /orders (one lookup per distinct market).
          if (!known.has(body.marketId)) known.set(body.marketId, ctx.markets.exists(body.marketId));
          if (!(await known.get(body.marketId))) {
            results.push(itemError("MARKET_NOT_FOUND", "no such market"));
            continue;
          }
          const command = placeOrderCommand(body, {
            orderId: deps.engine.newOrderId(body.marketId),
            userId,
            ts,
          });
          if (command.expiresAt !== undefined && command.expiresAt <= ts) {
            results.push(rejection("INVALID_EXPIRY")); // as POST /orders: refused before the engine
            continue;
          }
          slots.push(results.length);
          results.push(itemError("INTERNAL", "not answered")); // replaced below
          commands.push(command);
        }
        const replies = await roundTrip(ctx, commands, "orders", c.get("requestId"));
        commands.forEach((command, i) => {
          const at = slots[i] as number;
          const orderId = (command as { orderId: string }).orderId;
          const reply = replies?.[i];
          if (!replies || !reply) results[at] = { order: { id: orderId, status: "PENDING" } };
          else if (reply.code !== "OK" || !reply.order) results[at] = rejection(reply.code);
          else
            results[at] = {
              order: orderWithFills(reply.order, reply.fills),
              duplicate: reply.duplicate,
            };
        });
        return c.json({ results }, 200);
      },
    );

    router.openapi(
      createRoute({
        method: "delete",
        path: "/orders/batch",
        ...secured,
        summary: "Cancel up to 100 of your open orders in one request and one engine round trip",
        description:
          "Each id costs one point of the write rate limit, as a DELETE /orders/{id} would; a batch the buckets cannot pay in full is refused whole (429 RATE_LIMITED, nothing cancelled, only the request's own point spent).",
        request: { body: jsonBody(CancelOrdersBatchRequest) },
        responses: {
          200: json(CancelOrdersBatchResponse, "One result per id, in request order"),
          ...errors(400, 401, 403, 429, 503),
        },
      }),
      async (c) => {
        const { userId } = sessionOf(c);
        const { ids } = c.req.valid("json");
        await ctx.limits.charge(c, "write", ids.length - 1);
        const ts = deps.clock.now();
        const results: z.infer<typeof CancelOrdersBatchResponse>["results"] = [];
        const commands: Command[] = [];
        const slots: number[] = [];
        // As DELETE /orders/{id}: an id that is not open for the caller is refused here, so invented
        // ids never reach the engine or the log. One read of the caller's open orders, not one per
        // id; if the engine cannot be read (restarting), every cancel is queued and the engine decides.
        const open = await reader
          .openOrders(userId)
          .then((orders) => new Set(orders.map((o) => o.orderId)))
          .catch(() => null);
        for (const id of ids) {
          const checked = OrderId.safeParse(id);
          if (!checked.success) {
            // The words DELETE /orders/{id} answers for the same id.
            results.push(itemError("VALIDATION_ERROR", validationMessage(checked.error, "id")));
            continue;
          }
          if (open && !open.has(id)) {
            results.push(rejection("UNKNOWN_ORDER"));
            continue;
          }
          slots.push(results.length);
          results.push(itemError("INTERNAL", "not answered"));
          commands.push({ type: "CANCEL_ORDER", userId, orderId: id, ts });
        }
        const replies = await roundTrip(ctx, commands, "cancels", c.get("requestId"));
        commands.forEach((command, i) => {
          const at = slots[i] as number;
          const reply = replies?.[i];
          const orderId = (command as { orderId: string }).orderId;
          if (!replies || !reply) results[at] = { order: { id: orderId, status: "PENDING" } };
          else if (reply.code !== "OK" || !reply.order) results[at] = rejection(reply.code);
          else results[at] = { order: orderFromEngine(reply.order) };
        });
        return c.json({ results }, 200);
      },
    );
    return router;
  };
}
