import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "../errors.ts";
import { socketCallerOf } from "../trading-socket.ts";
import { isSignedRequest } from "./signed-auth.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// The content types a cross-site <form> or a no-CORS fetch can send without a preflight.
const SIMPLE_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]);

/**
 * Cookie-authenticated writes are refused when they could come from another site: a foreign or
 * opaque Origin, `Sec-Fetch-Site: cross-site`, or a body type a cross-site form can send. The site's
 * configured origins (`publicOrigins`, PUBLIC_ORIGINS) and `allowedOrigins` pass; the Host header
 * is never trusted for this (a proxy rewrites it, a DNS-rebinding page chooses it). Programs without
 * an Origin header (the bot, curl) send JSON and pass. A signed request (an OX-ACCESS-KEY header)
 * is exempt: it is authenticated by its signature alone, never by a cookie beside it, and a
 * cross-site page cannot add that header without a CORS preflight, which the API never grants.
 */
export function csrfProtection(options: CsrfOptions): MiddlewareHandler<AppEnv> {
  const check = csrfCheck(options);
  return async function csrfMiddleware(c, next) {
    check(c);
    return next();
  };
}

export interface CsrfOptions {
  publicOrigins: { has(origin: string): boolean };
  allowedOrigins: string[];
}

/** `csrfProtection`'s check alone (middleware/api-edge.ts): throws the 403 CSRF ApiError. */
export function csrfCheck(options: CsrfOptions): (c: Context<AppEnv>) => void {
  const extra = new Set(options.allowedOrigins);
  const allowed = { has: (origin: string) => options.publicOrigins.has(origin) || extra.has(origin) };
  return function csrf(c) {
    // A trading socket's message: its Origin was checked at the handshake (routes/trading-socket.ts).
    if (SAFE_METHODS.has(c.req.method) || isSignedRequest(c) || socketCallerOf(c)) return;
    const contentType = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (SIMPLE_TYPES.has(contentType))
      throw new ApiError("CSRF", "form and text bodies are not accepted; send JSON");
    const origin = c.req.header("origin");
    const originOk = origin === undefined || allowed.has(origin);
    if (!originOk) throw new ApiError("CSRF", "cross-site request refused");
    if (c.req.header("sec-fetch-site") === "cross-site" && !(origin && allowed.has(origin))) {
      throw new ApiError("CSRF", "cross-site request refused");
    }
  };
}
