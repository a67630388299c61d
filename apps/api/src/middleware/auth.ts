import { SESSION_COOKIE, type Sessions } from "@ox/sessions";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "../errors.ts";

export interface CookieOptions {
  secure: boolean;
  maxAgeSec: number;
}

export function writeSessionCookie(
  c: Parameters<typeof setCookie>[0],
  token: string,
  o: CookieOptions,
): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: o.secure,
    sameSite: "Lax",
    path: "/",
    maxAge: o.maxAgeSec,
  });
}

/** Cookie headers remembered with their session token; emptied when full. */
const COOKIE_CACHE_MAX = 10_000;

/**
 * `getCookie(c, SESSION_COOKIE)`, remembered by the whole Cookie header: a client sends the same
 * header on every request, and hono's parse (split, trim, two regular expressions, a decode) gave
 * the same token the last time.
 */
export function sessionCookieReader(): (c: Context) => string | undefined {
  const tokens = new Map<string, { token: string | undefined }>();
  return (c) => {
    const header = c.req.raw.headers.get("Cookie");
    if (!header) return undefined;
    const hit = tokens.get(header);
    if (hit) return hit.token;
    const token = getCookie(c, SESSION_COOKIE);
    if (tokens.size >= COOKIE_CACHE_MAX) tokens.clear();
    tokens.set(header, { token });
    return token;
  };
}

/** 401 unless the cookie holds a live session; refreshes the cookie when the token is aging. */
export function requireAuth(sessions: Sessions, cookie: CookieOptions): MiddlewareHandler<AppEnv> {
  const sessionCookie = sessionCookieReader();
  return async function authMiddleware(c, next) {
    const auth = await sessions.authenticate(sessionCookie(c));
    if (!auth) throw new ApiError("UNAUTHENTICATED", "sign in first");
    c.set("session", auth.session);
    if (auth.refreshedToken) writeSessionCookie(c, auth.refreshedToken, cookie);
    return next();
  };
}

/** Runs after requireAuth: 403 for anyone but an admin. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function adminMiddleware(c, next) {
    if (c.get("session")?.role !== "ADMIN") throw new ApiError("FORBIDDEN", "admins only");
    return next();
  };
}
