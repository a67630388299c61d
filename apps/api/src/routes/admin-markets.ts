import { setTimeout as sleep } from "node:timers/promises";
import { createRoute, type z } from "@hono/zod-openapi";
import {
  AdminMarketCommandResult,
  CreateMarketRequest,
  MarketIdParam,
  MarketResponse,
  MarketSettlementPreview,
  ResolveMarketRequest,
} from "@ox/contracts";
import { enqueueOutbox, markets, recordAudit } from "@ox/db";
import { type Command, PAYOUT_PAISE } from "@ox/engine";
import { EngineTimeoutError } from "@ox/engine-client";
import { eq } from "drizzle-orm";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";
import type { TradingOptions } from "./orders.ts";
import { EngineRejectedError } from "./orders-errors.ts";
import { marketSummary } from "./vocabulary.ts";

export type CreateMarketInput = z.infer<typeof CreateMarketRequest>;

/**
 * The catalogue row, the engine's CREATE_MARKET outbox row and the audit row, in one transaction.
 * The admin route and the platform's demo seeding (an internal caller, no HTTP session) share it.
 */
export async function insertMarket(deps: AppDeps, actorId: string, body: CreateMarketInput) {
  const now = deps.clock.now();
  if (body.closeAt <= now) throw new ApiError("VALIDATION_ERROR", "closeAt must be in the future");
  const id = crypto.randomUUID();
  const tickPaise = body.tickPaise ?? 50;
  const command = {
    type: "CREATE_MARKET" as const,
    marketId: id,
    tickPaise,
    closeAt: body.closeAt,
    ...(body.makerFeeBps !== undefined && { makerFeeBps: body.makerFeeBps }),
    ...(body.takerFeeBps !== undefined && { takerFeeBps: body.takerFeeBps }),
  };
  const row = await deps.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(markets)
      .values({
        id,
        title: body.title,
        titleHi: body.titleHi || null,
        description: body.description,
        category: body.category,
        rules: body.rules,
        resolutionSource: body.resolutionSource,
        closeAt: body.closeAt,
        tickPaise,
        makerFeeBps: body.makerFeeBps ?? 0,
        takerFeeBps: body.takerFeeBps ?? 0,
        createdBy: actorId,
        createdAt: now,
      })
      .returning();
    await enqueueOutbox(tx, command, now, actorId);
    await recordAudit(tx, {
      actorId,
      action: "MARKET_CREATE",
      targetType: "market",
      targetId: id,
      data: { title: body.title, closeAt: body.closeAt, tickPaise },
      now,
    });
    return created;
  });
  if (!row) throw new Error("market insert returned nothing");
  return row;
}

/**
 * Admin market routes. Creation writes the catalogue row and an outbox row carrying CREATE_MARKET in one
 * transaction: the relay delivers it until the queue accepts it, so the engine can never miss a market
 * that Postgres has. Close and resolve are engine commands through the gateway.
 */
export function createAdminMarketRoutes(options: TradingOptions) {
  return function adminMarketRoutes(ctx: RouteContext) {
    const { deps } = ctx;
    const router = createRouter();
    const secured = { middleware: [ctx.auth, ctx.admin], security: [{ cookieAuth: [] }], tags: ["admin"] };

    router.openapi(
      createRoute({
        method: "post",
        path: "/admin/markets",
        ...secured,
        summary: "Create a market (admin)",
        request: { body: jsonBody(CreateMarketRequest) },
        responses: { 201: json(MarketResponse, "Created"), ...errors(400, 401, 403) },
      }),
      async (c) => {
        const { userId } = sessionOf(c);
        const body = c.req.valid("json");
        const row = await insertMarket(deps, userId, body);
        const id = row.id;
        ctx.markets.add(id);
        deps.outbox.kick();
        // Answer once the engine has the market (briefly), so the creator can trade it at once.
        for (let i = 0; i < 50 && !(await options.reader.market(id).catch(() => null)); i++) await sleep(20);
        return c.json({ market: marketSummary(row, null) }, 201);
      },
    );

    /** Sends an admin command to the engine and writes the audit row with what came of it. */
    const sendMarketCommand = async (actorId: string, marketId: string, command: Command) => {
      const [row] = await deps.db.select({ id: markets.id }).from(markets).where(eq(markets.id, marketId));
      if (!row && !(await options.reader.market(marketId))) throw new ApiError("NOT_FOUND", "no such market");
      const reply = await deps.engine.execute(command).catch((err) => {
        if (err instanceof EngineTimeoutError) return null;
        throw new ApiError("ENGINE_UNAVAILABLE", "the command could not be queued", { cause: err });
      });
      const audit = (result: string) =>
        recordAudit(deps.db, {
          actorId,
          action: command.type === "RESOLVE_MARKET" ? "MARKET_RESOLVE" : "MARKET_CLOSE",
          targetType: "market",
          targetId: marketId,
          data: { result, ...(command.type === "RESOLVE_MARKET" && { outcome: command.outcome }) },
          now: deps.clock.now(),
        });
      if (!reply) {
        await audit("PENDING");
        return { marketId, status: "PENDING" as const, code: null };
      }
      await audit(reply.code);
      if (reply.code !== "OK") throw new EngineRejectedError(reply.code);
      return { marketId, status: "APPLIED" as const, code: reply.code };
    };

    router.openapi(
      createRoute({
        method: "post",
        path: "/admin/markets/{id}/close",
        ...secured,
        summary: "Stop trading in a market now (admin)",
        request: { params: MarketIdParam },
        responses: {
          200: json(AdminMarketCommandResult, "Closed"),
          202: json(AdminMarketCommandResult, "Queued"),
          ...errors(401, 403, 404, 409),
        },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const result = await sendMarketCommand(sessionOf(c).userId, id, {
          type: "CLOSE_MARKET",
          marketId: id,
          ts: deps.clock.now(),
        });
        return c.json(result, result.status === "APPLIED" ? 200 : 202);
      },
    );

    router.openapi(
      createRoute({
        method: "get",
        path: "/admin/markets/{id}/settlement",
        ...secured,
        summary: "What resolving the market would pay out now, live from the engine (admin)",
        request: { params: MarketIdParam },
        responses: { 200: json(MarketSettlementPreview, "Preview"), ...errors(401, 403, 404, 503) },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const m = await options.reader.market(id);
        if (!m) throw new ApiError("NOT_FOUND", "no such market");
        // Every share comes from a minted pair, so YES pays `pairs` shares, NO the same, and VOID
        // half a share's value on each side of every pair: the total is the escrow either way.
        return c.json(
          {
            marketId: id,
            status: m.status,
            winningShares: m.pairs,
            payoutPerSharePaise: PAYOUT_PAISE,
            totalPaise: m.escrowPaise,
          },
          200,
        );
      },
    );

    router.openapi(
      createRoute({
        method: "post",
        path: "/admin/markets/{id}/resolve",
        ...secured,
        summary: "Resolve a market YES, NO or VOID: open orders cancelled, winners paid (admin)",
        request: { params: MarketIdParam, body: jsonBody(ResolveMarketRequest) },
        responses: {
          200: json(AdminMarketCommandResult, "Resolved"),
          202: json(AdminMarketCommandResult, "Queued"),
          ...errors(400, 401, 403, 404, 409),
        },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const { outcome } = c.req.valid("json");
        const result = await sendMarketCommand(sessionOf(c).userId, id, {
          type: "RESOLVE_MARKET",
          marketId: id,
          outcome,
          ts: deps.clock.now(),
        });
        return c.json(result, result.status === "APPLIED" ? 200 : 202);
      },
    );
    return router;
  };
}
