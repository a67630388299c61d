/**
 * GET /api/v1/ws: the trading socket's handshake (apps/api/src/trading-socket.ts). An ordinary route
 * behind `ctx.auth`, so a key is refused exactly as on any signed GET (timestamp skew, replay,
 * revoked, address, the `read` scope) and a cookie as on any session route; then Bun upgrades the
 * request. Not in the OpenAPI document (it has no way to describe a WebSocket); the messages are
 * in packages/contracts trading-socket.ts and README "Trading programmatically".
 */
import { createPublicOrigins } from "@ox/config";
import { SESSION_COOKIE } from "@ox/sessions";
import { getCookie } from "hono/cookie";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { clientIp } from "../client-ip.ts";
import { ApiError } from "../errors.ts";
import { type SocketCaller, socketCallerOf, tradingSocketData } from "../trading-socket.ts";

type Upgrader = { upgrade(req: Request, options: { data: unknown }): boolean };

export function createTradingSocketRoutes(ctx: RouteContext) {
  const { config } = ctx.deps;
  const origins = ctx.deps.publicOrigins ?? createPublicOrigins(config);
  const allowed = new Set(config.ALLOWED_ORIGINS);
  const router = createRouter();
  router.get("/ws", ctx.auth, async (c) => {
    if (socketCallerOf(c)) throw new ApiError("NOT_FOUND", "no such route");
    if ((c.req.header("upgrade") ?? "").toLowerCase() !== "websocket")
      throw new ApiError("VALIDATION_ERROR", "a WebSocket handshake is expected (Upgrade: websocket)");
    const session = sessionOf(c);
    const apiKey = c.get("apiKey");
    const ip = clientIp(c, config.TRUSTED_PROXIES);
    let caller: SocketCaller;
    if (apiKey) caller = { kind: "key", keyId: apiKey.id, userId: session.userId, ip };
    else {
      // A cookie rides along on any page's WebSocket to us (cross-site WebSocket hijacking): only
      // the site's own origins and ALLOWED_ORIGINS may use it; programs without an Origin pass.
      const origin = c.req.header("origin");
      if (origin !== undefined && !origins.has(origin) && !allowed.has(origin))
        throw new ApiError("CSRF", "cross-site WebSocket refused");
      const token = getCookie(c, SESSION_COOKIE) ?? "";
      caller = { kind: "session", sid: session.sid, userId: session.userId, ip, token };
    }
    const server = c.env as Partial<Upgrader> | undefined;
    if (typeof server?.upgrade !== "function")
      throw new ApiError("SERVICE_UNAVAILABLE", "this server does not carry WebSockets");
    if (!server.upgrade(c.req.raw, { data: tradingSocketData(caller) }))
      throw new ApiError("VALIDATION_ERROR", "the WebSocket handshake failed");
    return new Response(null);
  });
  return router;
}
