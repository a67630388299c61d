import { swaggerUI } from "@hono/swagger-ui";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { isTransientError } from "@ox/bus";
import { createPublicOrigins } from "@ox/config";
import type { EngineReader } from "@ox/engine-client";
import { metricsResponse } from "@ox/metrics";
import type { Sessions } from "@ox/sessions";
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { type AppEnv, createRouter } from "./app-env.ts";
import { type ApiKeyStore, apiKeyServerSecret, createApiKeyStore } from "./auth/api-keys.ts";
import { createOtpService, type OtpService } from "./auth/otp.ts";
import { clientIp } from "./client-ip.ts";
import type { DeadManSwitch } from "./dead-man.ts";
import type { AppDeps } from "./deps.ts";
import { ApiError } from "./errors.ts";
import type { HealthHistory } from "./health-history.ts";
import { createMarketDirectory, type MarketDirectory } from "./market-directory.ts";
import { MethodRouter } from "./method-router.ts";
import { apiEdge } from "./middleware/api-edge.ts";
import { type CookieOptions, requireAdmin, requireAuth } from "./middleware/auth.ts";
import { chain } from "./middleware/chain.ts";
import { csrfCheck } from "./middleware/csrf.ts";
import { createRequestContext, requestContext } from "./middleware/request-id.ts";
import { apiSecurityHeaders, securityHeaders } from "./middleware/security-headers.ts";
import { isSignedRequest, signedAuth } from "./middleware/signed-auth.ts";
import { addSignedScheme } from "./openapi-signed.ts";
import { createRateLimits, type RateLimits } from "./rate-limit.ts";
import { createRateTiers, type RateTiers } from "./rate-tiers.ts";
import { createAdminKycRoutes } from "./routes/admin-kyc.ts";
import { createAdminMarketRoutes } from "./routes/admin-markets.ts";
import { createAdminStatsRoutes, type SystemStatsProvider } from "./routes/admin-stats.ts";
import { createAdminUserRoutes } from "./routes/admin-users.ts";
import { createApiKeyRoutes } from "./routes/api-keys.ts";
import { createAuthRoutes } from "./routes/auth.ts";
import { createCancelOnDisconnectRoutes } from "./routes/cancel-on-disconnect.ts";
import { createHealthRoutes } from "./routes/health.ts";
import { createKycRoutes } from "./routes/kyc.ts";
import { createMarketRoutes } from "./routes/markets.ts";
import { createNotificationRoutes } from "./routes/notifications.ts";
import { createOrderRoutes } from "./routes/orders.ts";
import { createOrderBatchRoutes } from "./routes/orders-batch.ts";
import { createPortfolioRoutes } from "./routes/portfolio.ts";
import { createPortfolioFillsRoutes } from "./routes/portfolio-fills.ts";
import { createReferralRoutes } from "./routes/referrals.ts";
import { createTradingSocketRoutes } from "./routes/trading-socket.ts";
import { createWalletRoutes } from "./routes/wallet.ts";
import { createWebhookRoutes } from "./routes/webhooks.ts";
import type { StaticWeb } from "./static-web.ts";
import { socketAuth, socketCallerOf } from "./trading-socket.ts";

/** Retry-After on a 503: about how long a Redis restart or a broker failover takes to clear. */
const RETRY_AFTER_SEC = 2;

/** What a route file gets: the deps plus the shared auth pieces. */
export interface RouteContext {
  deps: AppDeps;
  sessions: Sessions;
  otp: OtpService;
  cookie: CookieOptions;
  /**
   * Route middleware: a live session cookie, or a signed request with an API key (401/403
   * otherwise); sets c.var.session (and c.var.apiKey), then charges the caller's rate limits.
   */
  auth: MiddlewareHandler<AppEnv>;
  /** Route middleware after `auth`: admins only (403 otherwise). */
  admin: MiddlewareHandler<AppEnv>;
  /** Markets the API knows exist; orders for others are refused before the engine. */
  markets: MarketDirectory;
  /** Per-user, per-key and per-IP buckets; `auth` and the app already charge 1 per request. */
  limits: RateLimits;
  /** API keys: create, revoke, look up. */
  keys: ApiKeyStore;
  /** Users' rate-limit tiers. */
  tiers: RateTiers;
  /** Cancel-on-disconnect: POST /heartbeat and the trading socket's heartbeat arm it (dead-man.ts). */
  deadMan: DeadManSwitch;
}

/** A route file's factory; it returns a router whose paths are relative to /api/v1. */
export type RouteFactory = (ctx: RouteContext) => OpenAPIHono<AppEnv>;

export const API_PREFIX = "/api/v1";

const STATUS_CODES: Record<number, "VALIDATION_ERROR" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND"> = {
  400: "VALIDATION_ERROR",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "VALIDATION_ERROR",
  415: "VALIDATION_ERROR",
};

/** What build.ts hands the app beside the deps. */
export interface AppParts {
  sessions: Sessions;
  /** Live engine state for the trading, portfolio and admin routes. */
  reader: EngineReader;
  systemStats: SystemStatsProvider;
  history?: HealthHistory;
  /** The built web app: a page or asset for a GET outside /api, /docs and /metrics, or null. */
  web?: StaticWeb;
  /** Mounted after the API's own routes. */
  extraRoutes?: RouteFactory[];
  /** API keys (default: a store on deps.db and deps.kv); build.ts shares it with the trading socket. */
  keys?: ApiKeyStore;
  /** The process's dead-man switch (build.ts starts its sweeper). */
  deadMan: DeadManSwitch;
}

/** The Hono app: middleware, every route (registered here only), the OpenAPI document, the error path. */
export function createApp(deps: AppDeps, parts: AppParts): OpenAPIHono<AppEnv> {
  const { config } = deps;
  const { sessions, reader } = parts;
  const cookie: CookieOptions = {
    secure: config.NODE_ENV === "production",
    maxAgeSec: config.SESSION_TTL_SEC,
  };
  const tiers = createRateTiers({ db: deps.db, kv: deps.kv, clock: deps.clock });
  const limits = createRateLimits({
    config,
    redis: deps.rateLimitRedis,
    onLimited: deps.onRateLimited,
    tierOf: tiers.of,
  });
  const keys =
    parts.keys ?? createApiKeyStore({ db: deps.db, kv: deps.kv, serverSecret: apiKeyServerSecret(config) });
  const cookieAuth = requireAuth(sessions, cookie);
  const keyAuth = signedAuth({
    keys,
    clock: deps.clock,
    adminPhones: config.ADMIN_PHONES,
    clientIp: (c) => clientIp(c, config.TRUSTED_PROXIES),
    replays: deps.kv,
  });
  const socketKeyAuth = socketAuth({ keys, sessions, adminPhones: config.ADMIN_PHONES });
  const userLimit = limits.userMiddleware();
  const ctx: RouteContext = {
    deps,
    sessions,
    otp: createOtpService({ kv: deps.kv, secret: config.JWT_SECRET }),
    cookie,
    // A request with OX-ACCESS-KEY is judged by its signature alone, never by a cookie beside it.
    // A trading socket's message is judged by its connection's key or session (trading-socket.ts).
    auth: (c, next) =>
      (socketCallerOf(c) ? socketKeyAuth : isSignedRequest(c) ? keyAuth : cookieAuth)(
        c,
        // Without rate limits the user's buckets are never charged: straight on.
        limits.enabled
          ? async () => {
              await userLimit(c, next);
            }
          : next,
      ),
    admin: requireAdmin(),
    markets: createMarketDirectory({ db: deps.db }),
    limits,
    keys,
    tiers,
    deadMan: parts.deadMan,
  };

  // The app's own router (the route files' routers are copied into it by app.route): see method-router.ts.
  const app = createRouter({ router: new MethodRouter() });
  const production = config.NODE_ENV === "production";
  const { web } = parts;
  const { metrics } = deps;
  const context = createRequestContext(deps.logger);
  const pageLayers: MiddlewareHandler<AppEnv>[] = [securityHeaders({ production })];
  // The built web app's page or asset for a GET outside /api, /docs and /metrics, else null.
  const page = web
    ? (c: Context<AppEnv>): Promise<Response | null> | null => {
        // Only a GET is ever a page: the API's writes skip the URL parse.
        if (c.req.method !== "GET") return null;
        const { pathname } = new URL(c.req.url);
        const isPage = !pathname.startsWith("/api/") && pathname !== "/docs" && pathname !== "/metrics";
        // The CSP's style nonce for this answer (security-headers.ts ran first and chose it).
        return isPage ? web(c.req.raw, { styleNonce: c.get("secureHeadersNonce") }) : null;
      }
    : undefined;
  if (page) {
    // Before metrics and the request log: assets are not API requests.
    pageLayers.push(async function webPages(c, next) {
      const answer = await page(c);
      if (answer) return answer;
      return next();
    });
  }
  if (metrics) pageLayers.push(metrics.http);
  const contextMiddleware = requestContext(deps.logger);
  // GET /metrics is answered before the request context (it has no request id, no access line).
  pageLayers.push(async function pageRequestContext(c, next) {
    const m = c.req.method;
    if (metrics && (m === "GET" || m === "HEAD") && c.req.path === "/metrics") return next();
    return contextMiddleware(c, next);
  });
  const pages = chain(pageLayers, onError);
  // Every /api/ request: one middleware (api-edge.ts) instead of the page chain and the /api/v1 checks.
  const api = apiEdge({
    securityHeaders: apiSecurityHeaders({ production }),
    page,
    metrics,
    context,
    prefix: API_PREFIX,
    ipLimit: limits.ipCheck((c) => clientIp(c, config.TRUSTED_PROXIES)),
    csrf: csrfCheck({
      publicOrigins: deps.publicOrigins ?? createPublicOrigins(config),
      allowedOrigins: config.ALLOWED_ORIGINS,
    }),
    bodyLimit: {
      maxSize: 64 * 1024,
      onError: () => {
        throw new ApiError("VALIDATION_ERROR", "request body too large");
      },
    },
    onError,
  });
  app.use("*", function edge(c, next) {
    return c.req.path.startsWith("/api/") ? api(c, next) : pages(c, next);
  });
  if (metrics) {
    // Root path, as Prometheus expects (SPEC §6); the registry holds every metric of this process.
    app.get("/metrics", () => metricsResponse(metrics.registry));
  }

  const factories: RouteFactory[] = [
    createHealthRoutes,
    createAuthRoutes,
    createWalletRoutes,
    createWebhookRoutes,
    createReferralRoutes,
    createKycRoutes,
    createAdminKycRoutes,
    // Before the single-order routes: DELETE /orders/batch must not reach DELETE /orders/{id}.
    createOrderBatchRoutes({ reader }),
    createCancelOnDisconnectRoutes,
    createOrderRoutes({ reader }),
    createPortfolioRoutes({ reader }),
    createMarketRoutes({ reader }),
    createAdminMarketRoutes({ reader }),
    createPortfolioFillsRoutes(),
    createNotificationRoutes,
    createAdminUserRoutes({ reader }),
    createAdminStatsRoutes({ stats: parts.systemStats, history: parts.history }),
    createApiKeyRoutes,
    createTradingSocketRoutes,
    ...(parts.extraRoutes ?? []),
  ];
  for (const factory of factories) app.route(API_PREFIX, factory(ctx));

  app.openAPIRegistry.registerComponent("securitySchemes", "cookieAuth", {
    type: "apiKey",
    in: "cookie",
    name: "ox_session",
  });
  const docConfig = {
    openapi: "3.0.0",
    info: {
      title: "Opinion exchange API",
      version: "1.0.0",
      description: "Money in integer paise, times in epoch ms.",
    },
  };
  // Every route behind the session cookie also takes a signed request (the second scheme).
  app.get(`${API_PREFIX}/openapi.json`, (c) => c.json(addSignedScheme(app.getOpenAPIDocument(docConfig))));
  app.get("/docs", swaggerUI({ url: `${API_PREFIX}/openapi.json` }));

  function onError(err: Error, c: Context<AppEnv>): Response {
    const requestId = c.get("requestId") ?? "unknown";
    if (err instanceof ApiError) {
      const retryAfter = err.retryAfterSec ?? (err.status === 503 ? RETRY_AFTER_SEC : undefined);
      if (retryAfter) c.header("retry-after", String(retryAfter));
      return c.json({ error: { code: err.code, message: err.message, requestId } }, err.status);
    }
    // Infrastructure, not a bug: Redis/Postgres/Kafka down or stalled, the engine not answering a
    // read. The client may retry the same request later (commands carry ids the engine dedupes).
    const engineDown = (err as Error)?.name === "EngineUnavailableError";
    if (engineDown || isTransientError(err)) {
      (c.get("log") ?? deps.logger).warn({ err, reqId: requestId }, "dependency unavailable");
      c.header("retry-after", String(RETRY_AFTER_SEC));
      const code = engineDown ? "ENGINE_UNAVAILABLE" : "SERVICE_UNAVAILABLE";
      const message = engineDown
        ? "the engine is not answering; retry shortly"
        : "a dependency is unavailable; retry shortly";
      return c.json({ error: { code, message, requestId } }, 503);
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code = STATUS_CODES[err.status] ?? "VALIDATION_ERROR";
      const status = code === "VALIDATION_ERROR" ? 400 : err.status;
      return c.json({ error: { code, message: err.message || code, requestId } }, status);
    }
    (c.get("log") ?? deps.logger).error({ err, reqId: requestId }, "unhandled error");
    return c.json({ error: { code: "INTERNAL", message: "internal error", requestId } }, 500);
  }

  app.notFound((c) =>
    c.json({ error: { code: "NOT_FOUND", message: "no such route", requestId: c.get("requestId") } }, 404),
  );
  app.onError(onError);
  return app;
}
