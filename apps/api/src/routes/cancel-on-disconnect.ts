/**
 * DELETE /orders (cancel all, in one market or every market) and the dead-man switch routes
 * (POST/GET/DELETE /heartbeat, ../dead-man.ts): what a market maker needs to pull its quotes at
 * once, or to have them pulled when its program goes silent.
 */
import { createRoute } from "@hono/zod-openapi";
import {
  CancelAllQuery,
  CancelAllResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  PendingCancelAllResponse,
} from "@ox/contracts";
import { EngineTimeoutError } from "@ox/engine-client";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { ApiError } from "../errors.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";
import { EngineRejectedError } from "./orders-errors.ts";
import { cancelAllCommand } from "./vocabulary.ts";

export function createCancelOnDisconnectRoutes(ctx: RouteContext) {
  const { deps, deadMan } = ctx;
  const router = createRouter();
  const secured = { middleware: [ctx.auth], security: [{ cookieAuth: [] }] };

  router.openapi(
    createRoute({
      method: "delete",
      path: "/orders",
      ...secured,
      tags: ["orders"],
      summary: "Cancel all your open orders, in one market or in every market, in one engine command",
      description:
        "Without `marketId`: every market. Answers the ids of the orders cancelled (empty when none was open). One request costs what one DELETE /orders/{id} costs in the write rate limit, however many orders it cancels. Consistent with DELETE /orders/batch: only your own open orders, each released exactly.",
      request: { query: CancelAllQuery },
      responses: {
        200: json(CancelAllResponse, "Cancelled"),
        202: json(PendingCancelAllResponse, "Queued, not yet answered"),
        ...errors(400, 401, 403, 404, 429, 503),
      },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const { marketId } = c.req.valid("query");
      // Unknown markets are refused here, as for POST /orders: they never reach the engine or the log.
      if (marketId !== undefined && !(await ctx.markets.exists(marketId)))
        throw new ApiError("MARKET_NOT_FOUND", "no such market");
      const command = cancelAllCommand({ marketId }, { userId, ts: deps.clock.now() });
      const reply = await deps.engine.execute(command, { requestId: c.get("requestId") }).catch((err) => {
        if (err instanceof EngineTimeoutError) return null;
        throw new ApiError("ENGINE_UNAVAILABLE", "the cancel could not be queued", { cause: err });
      });
      if (!reply) return c.json({ status: "PENDING" as const }, 202);
      // A user the engine does not know yet has no order to cancel.
      if (reply.code === "USER_NOT_FOUND") return c.json({ cancelled: [] }, 200);
      if (reply.code !== "OK") throw new EngineRejectedError(reply.code);
      return c.json({ cancelled: reply.cancelled ?? [] }, 200);
    },
  );

  const heartbeatDoc =
    "A dead-man switch (cancel-on-disconnect): while armed, if no heartbeat arrives before `deadline`, every resting order of yours is cancelled through the engine (as DELETE /orders without marketId), once; the next heartbeat arms it again. Armed per user, by a session or an API key (scope trade); the trading socket's heartbeat refreshes the same switch.";

  router.openapi(
    createRoute({
      method: "post",
      path: "/heartbeat",
      ...secured,
      tags: ["orders"],
      summary: "Arm or refresh your dead-man switch; timeoutMs 0 disarms it",
      description: heartbeatDoc,
      request: { body: jsonBody(HeartbeatRequest) },
      responses: { 200: json(HeartbeatResponse, "The switch now"), ...errors(400, 401, 403, 429, 503) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const { timeoutMs } = c.req.valid("json");
      const state =
        timeoutMs === 0 ? await deadMan.disarm(userId) : await deadMan.heartbeat(userId, timeoutMs);
      return c.json(state, 200);
    },
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/heartbeat",
      ...secured,
      tags: ["orders"],
      summary: "Your dead-man switch: armed or not, its deadline, when it last fired",
      description: heartbeatDoc,
      responses: { 200: json(HeartbeatResponse, "The switch now"), ...errors(401, 403, 503) },
    }),
    async (c) => c.json(await deadMan.status(sessionOf(c).userId), 200),
  );

  router.openapi(
    createRoute({
      method: "delete",
      path: "/heartbeat",
      ...secured,
      tags: ["orders"],
      summary: "Disarm your dead-man switch",
      description: heartbeatDoc,
      responses: { 200: json(HeartbeatResponse, "Disarmed"), ...errors(401, 403, 429, 503) },
    }),
    async (c) => c.json(await deadMan.disarm(sessionOf(c).userId), 200),
  );
  return router;
}
