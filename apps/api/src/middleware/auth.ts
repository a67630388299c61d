import { SESSION_COOKIE, type Sessions } from "@ox/sessions";
import type { MiddlewareHandler } from "hono";
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

/** 401 unless the cookie holds a live session; refreshes the cookie when the token is aging. */
export function requireAuth(sessions: Sessions, cookie: CookieOptions): MiddlewareHandler<AppEnv> {
  return async function authMiddleware(c, next) {
    const auth = await sessions.authenticate(getCookie(c, SESSION_COOKIE));
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
