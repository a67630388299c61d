import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "../errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// The content types a cross-site <form> or a no-CORS fetch can send without a preflight.
const SIMPLE_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]);

/**
 * Cookie-authenticated writes are refused when they could come from another site: a foreign or
 * opaque Origin, `Sec-Fetch-Site: cross-site`, or a body type a cross-site form can send. The
 * request's own origin and `allowedOrigins` pass. Programs without an Origin header (the bot,
 * curl) send JSON and pass.
 */
export function csrfProtection(options: { allowedOrigins: string[] }): MiddlewareHandler<AppEnv> {
  const allowed = new Set(options.allowedOrigins);
  return async function csrfMiddleware(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const contentType = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (SIMPLE_TYPES.has(contentType))
      throw new ApiError("CSRF", "form and text bodies are not accepted; send JSON");
    const origin = c.req.header("origin");
    const ownOrigin = new URL(c.req.url).origin;
    const originOk = origin === undefined || origin === ownOrigin || allowed.has(origin);
    if (!originOk) throw new ApiError("CSRF", "cross-site request refused");
    if (c.req.header("sec-fetch-site") === "cross-site" && !(origin && allowed.has(origin))) {
      throw new ApiError("CSRF", "cross-site request refused");
    }
    return next();
  };
}
