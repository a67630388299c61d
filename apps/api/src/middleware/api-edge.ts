import type { Context, ErrorHandler, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env.ts";
import type { ApiMetrics } from "../metrics.ts";
import type { RequestContext } from "./request-id.ts";

/** `app.use("/api/v1/*")`'s paths: the prefix itself and everything under it. */
export const underPrefix = (path: string, prefix: string) =>
  path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47);

export interface ApiEdgeOptions {
  /** The API's security headers (security-headers.ts apiSecurityHeaders). */
  securityHeaders: (headers: Headers) => void;
  /**
   * The web app's page for this request, or null (app.ts): a GET whose URL path is not under /api/
   * although hono's decoded path is (`/%61pi/…`) is still a page, as in the page chain.
   */
  page?: (c: Context<AppEnv>) => Promise<Response | null> | null;
  metrics?: Pick<ApiMetrics, "httpStart" | "httpEnd">;
  context: RequestContext;
  /** Paths under this prefix also pass the checks below (`/api/v1`). */
  prefix: string;
  /** The IP rate limit (rate-limit.ts ipCheck): throws 429; undefined when nothing is charged. */
  ipLimit: (c: Context<AppEnv>) => Promise<void> | undefined;
  /** The CSRF check (csrf.ts csrfCheck): throws 403. */
  csrf: (c: Context<AppEnv>) => void;
  /** hono's body-limit options. */
  bodyLimit: Parameters<typeof bodyLimit>[0];
  /** The app's error handler (app.onError): what hono's compose answers a thrown error with. */
  onError: ErrorHandler<AppEnv>;
}

/**
 * The app middleware of every `/api/` request as one function instead of a chain of six, each its
 * own dispatch step, closure and promise: the security headers, metrics and request context
 * (`app.use("*")`), then under the prefix the IP rate limit, the CSRF check and the body limit
 * (`app.use("/api/v1/*")`). The same work in the same order as those middleware registered one by
 * one, with hono's compose semantics: an error a check throws is answered by `onError` there, and
 * the request id, metrics and security headers still go on that answer.
 */
export function apiEdge(options: ApiEdgeOptions): MiddlewareHandler<AppEnv> {
  const { securityHeaders, page, metrics, context, prefix, ipLimit, csrf, onError } = options;
  const maxSize = options.bodyLimit.maxSize;
  const slowBodyLimit = bodyLimit(options.bodyLimit);
  const noop = async () => {};
  return async function apiEdgeMiddleware(c, next) {
    if (page) {
      const answer = page(c);
      if (answer) {
        try {
          const found = await answer;
          if (found) c.res = found;
        } catch (err) {
          if (!(err instanceof Error)) throw err;
          c.error = err;
          c.res = await onError(err, c);
        }
        if (c.finalized) {
          securityHeaders(c.res.headers);
          return;
        }
      }
    }
    const metricsStarted = metrics ? metrics.httpStart() : 0;
    try {
      const started = context.begin(c);
      if (underPrefix(c.req.path, prefix)) {
        try {
          const charged = ipLimit(c);
          if (charged) await charged;
          csrf(c);
          // hono's body-limit reads a declared length without touching the body (Request.body makes
          // a stream); a body past the limit, or without a length, takes hono's own path.
          const headers = c.req.raw.headers;
          const length = headers.get("content-length");
          if (length === null || headers.has("transfer-encoding") || Number.parseInt(length, 10) > maxSize)
            await slowBodyLimit(c, noop);
        } catch (err) {
          if (!(err instanceof Error)) throw err;
          c.error = err;
          c.res = await onError(err, c);
          return finish(c, started);
        }
      }
      await next();
      finish(c, started);
    } finally {
      if (metrics) metrics.httpEnd(c, metricsStarted);
    }
  };

  function finish(c: Context<AppEnv>, started: number) {
    context.end(c, started);
    securityHeaders(c.res.headers);
  }
}
