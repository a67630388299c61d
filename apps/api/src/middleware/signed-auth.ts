import { type ApiKeyScope, SIGNATURE_MAX_SKEW_MS, SIGNED_HEADERS } from "@ox/contracts";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { type ApiKeyStore, type KeyRecord, signaturesEqual, signRequest } from "../auth/api-keys.ts";
import type { Clock } from "../deps.ts";
import { ApiError } from "../errors.ts";

/** A signed request is cookie-less: CSRF does not apply to it, and a cookie beside it is ignored. */
export const isSignedRequest = (c: Context) => c.req.header(SIGNED_HEADERS.key) !== undefined;

/**
 * The scope a route needs from a key, or null when a key may not call it at all: key management
 * and sign-in/out need the web session (a leaked key cannot mint keys or lock its owner out).
 */
export function requiredScope(method: string, path: string): ApiKeyScope | null {
  const rest = path.replace(/^\/api\/v1/, "");
  if (rest === "/keys" || rest.startsWith("/keys/") || rest.startsWith("/auth/")) return null;
  if (rest.startsWith("/admin/")) return "admin";
  if (method === "GET" || method === "HEAD") return "read";
  if (rest === "/orders" || rest.startsWith("/orders/") || rest === "/heartbeat") return "trade";
  return "wallet";
}

/** Lets a replay marker outlive the window in which its timestamp is accepted. */
const REPLAY_TTL_MS = 2 * SIGNATURE_MAX_SKEW_MS + 1_000;

/**
 * Authenticates a signed request (README "Trading programmatically"): sets c.var.session (the
 * key's user, `sid` "key:<id>") and c.var.apiKey. Refusals are 401 (who are you: unknown key, bad
 * signature, stale timestamp, replay, revoked) or 403 (not allowed: scope, address, route).
 */
export function signedAuth(options: {
  keys: ApiKeyStore;
  clock: Clock;
  adminPhones: readonly string[];
  clientIp: (c: Context<AppEnv>) => string;
  replays: { setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> };
}): MiddlewareHandler<AppEnv> {
  const admins = new Set(options.adminPhones);
  return async function signedAuthMiddleware(c, next) {
    const id = c.req.header(SIGNED_HEADERS.key) ?? "";
    const timestamp = c.req.header(SIGNED_HEADERS.timestamp) ?? "";
    const signature = c.req.header(SIGNED_HEADERS.signature) ?? "";
    if (!id || !signature || !/^\d{1,16}$/.test(timestamp))
      throw new ApiError(
        "INVALID_SIGNATURE",
        `a signed request needs ${SIGNED_HEADERS.key}, ${SIGNED_HEADERS.timestamp} (epoch ms) and ${SIGNED_HEADERS.signature}`,
      );
    if (Math.abs(options.clock.now() - Number(timestamp)) > SIGNATURE_MAX_SKEW_MS)
      throw new ApiError(
        "SIGNATURE_EXPIRED",
        `${SIGNED_HEADERS.timestamp} is more than 5 s from the server's clock`,
      );
    const record = await options.keys.lookup(id);
    if (record === null) throw new ApiError("API_KEY_UNKNOWN", "no such API key");
    const url = new URL(c.req.url);
    const body = c.req.method === "GET" || c.req.method === "HEAD" ? "" : await c.req.text();
    const expected = signRequest(
      options.keys.secretOf(id),
      timestamp,
      c.req.method,
      url.pathname + url.search,
      body,
    );
    if (!signaturesEqual(expected, signature))
      throw new ApiError("INVALID_SIGNATURE", "the signature does not match");
    if (record === "revoked") throw new ApiError("API_KEY_REVOKED", "this API key was revoked");
    if (record.allowIps && !record.allowIps.includes(options.clientIp(c)))
      throw new ApiError("API_KEY_IP_REFUSED", "this API key may not be used from this address");
    if (!(await options.replays.setIfAbsent(`apisig:${id}:${signature}`, "1", REPLAY_TTL_MS)))
      throw new ApiError("SIGNATURE_REPLAYED", "this signature was already used; sign every request afresh");
    authorizeKey(c, admins, id, record, url.pathname);
    return next();
  };
}

/**
 * A key that is live and may be used from here, on a route: its scope, then c.var.session and
 * c.var.apiKey. Shared by signed requests and the trading socket's messages (trading-socket.ts).
 */
export function authorizeKey(
  c: Context<AppEnv>,
  admins: ReadonlySet<string>,
  id: string,
  record: KeyRecord,
  path: string,
): void {
  const scope = requiredScope(c.req.method, path);
  if (scope === null)
    throw new ApiError("API_KEY_NOT_ALLOWED", "this route needs the web session, not an API key");
  if (!record.scopes.includes(scope))
    throw new ApiError("API_KEY_SCOPE", `this API key lacks the "${scope}" scope`);
  const role = admins.has(record.phone) ? "ADMIN" : "USER";
  if (scope === "admin" && role !== "ADMIN") throw new ApiError("FORBIDDEN", "admins only");
  c.set("session", { sid: `key:${id}`, userId: record.userId, role, phone: record.phone });
  c.set("apiKey", { id, scopes: record.scopes });
}
