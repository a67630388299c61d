import type { LimitRule, RateLimitConfig } from "@ox/config";
import type { Context, MiddlewareHandler } from "hono";
import type Redis from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { AppEnv } from "./app-env.ts";

export { type LimitRule, type RateLimitConfig, rateLimitDefaults, rateLimitEnv } from "@ox/config";

import { ApiError } from "./errors.ts";

/** Orders, cancels and other writes; reads; login (OTP, verify, refresh, logout). */
export type LimitFamily = "write" | "read" | "auth";
export type LimitScope = "user" | "ip";

export interface RateLimitsOptions {
  config: RateLimitConfig;
  /** Distributed mode: every API replica shares the buckets (RateLimiterRedis). Absent: in process. */
  redis?: Redis;
  /** Called for every refused request (metrics). */
  onLimited?: (event: { family: LimitFamily; scope: LimitScope }) => void;
}

export interface RateLimits {
  readonly enabled: boolean;
  /**
   * Charges `points` to the caller's buckets of `family`: the user's (when signed in) and the IP's.
   * Sets the RateLimit-* headers; throws 429 RATE_LIMITED with Retry-After when a bucket cannot pay
   * them all, and then charges nothing (the points are given back), so a smaller request may still
   * pass. Route middleware charges 1 per request; a batch endpoint charges its extra items with this.
   */
  charge(c: Context<AppEnv>, family: LimitFamily, points?: number): Promise<void>;
  /** App middleware: the IP bucket of the request's family. */
  ipMiddleware(ip: (c: Context<AppEnv>) => string): MiddlewareHandler<AppEnv>;
  /** Route middleware after auth: the user's bucket of the request's family. */
  userMiddleware(): MiddlewareHandler<AppEnv>;
}

/** Which bucket a request draws on; null for paths outside the limits (health, webhooks, docs). */
export function limitFamily(method: string, path: string): LimitFamily | null {
  const rest = path.replace(/^\/api\/v1/, "");
  if (rest === "/health" || rest.startsWith("/webhooks/") || rest === "/openapi.json") return null;
  if (rest.startsWith("/auth/")) return "auth";
  return method === "GET" || method === "HEAD" ? "read" : "write";
}

type RateLimitEnvKeys = keyof RateLimitConfig;
const RULES: Record<LimitScope, Partial<Record<LimitFamily, RateLimitEnvKeys>>> = {
  user: { write: "RATE_LIMIT_WRITE", read: "RATE_LIMIT_READ" },
  ip: { write: "RATE_LIMIT_WRITE_IP", read: "RATE_LIMIT_READ_IP", auth: "RATE_LIMIT_AUTH_IP" },
};

export function createRateLimits(options: RateLimitsOptions): RateLimits {
  const { config } = options;
  const prefix = config.RATE_LIMIT_PREFIX;
  const limiters = new Map<string, { limiter: RateLimiterAbstract; points: number }>();
  for (const scope of ["user", "ip"] as const) {
    for (const [family, key] of Object.entries(RULES[scope]) as [LimitFamily, RateLimitEnvKeys][]) {
      const { perSec, burst } = config[key] as LimitRule;
      const opts = {
        keyPrefix: `${prefix}:${scope}:${family}`,
        points: burst,
        duration: Math.max(1, Math.round(burst / perSec)),
      };
      const memory = new RateLimiterMemory(opts);
      const limiter = options.redis
        ? new RateLimiterRedis({
            ...opts,
            storeClient: options.redis,
            // A flooding key stops costing Redis round trips until its window ends.
            inMemoryBlockOnConsumed: burst + 1,
            // Redis down: each replica limits on its own rather than failing every request.
            insuranceLimiter: memory,
            rejectIfRedisNotReady: true,
          })
        : memory;
      limiters.set(`${scope}:${family}`, { limiter, points: burst });
    }
  }

  const setHeaders = (c: Context, points: number, res: RateLimiterRes) => {
    c.header("RateLimit-Limit", String(points));
    c.header("RateLimit-Remaining", String(Math.max(0, res.remainingPoints)));
    c.header("RateLimit-Reset", String(Math.ceil(res.msBeforeNext / 1000)));
  };

  async function take(
    c: Context,
    scope: LimitScope,
    family: LimitFamily,
    key: string,
    points: number,
    refundRefused = false,
  ) {
    const entry = limiters.get(`${scope}:${family}`);
    if (!entry) return;
    try {
      if (refundRefused) {
        // A batch that cannot fit is refused before it is counted: a fixed window counts refused
        // points too, and a count past the burst would also trip the in-memory block of the key.
        const now = await entry.limiter.get(key);
        if (now && now.consumedPoints + points > entry.points) throw now;
      }
      setHeaders(c, entry.points, await entry.limiter.consume(key, points));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // Two batches raced past the check: the refused one gives its points back.
      if (refundRefused && err.consumedPoints > entry.points)
        await entry.limiter.reward(key, points).catch(() => {});
      setHeaders(c, entry.points, err);
      options.onLimited?.({ family, scope });
      const retryAfterSec = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new ApiError("RATE_LIMITED", `too many ${family} requests; retry in ${retryAfterSec} s`, {
        retryAfterSec,
      });
    }
  }

  const ipOf = new WeakMap<Context, string>();
  return {
    enabled: config.RATE_LIMITS,
    async charge(c, family, points = 1) {
      if (!config.RATE_LIMITS || points <= 0) return;
      const session = c.get("session");
      if (session) await take(c, "user", family, session.userId, points, true);
      const ip = ipOf.get(c);
      if (!ip) return;
      try {
        await take(c, "ip", family, ip, points, true);
      } catch (err) {
        // The address could not pay: nothing is charged, so the user's share goes back too.
        if (session)
          await limiters
            .get(`user:${family}`)
            ?.limiter.reward(session.userId, points)
            .catch(() => {});
        throw err;
      }
    },
    ipMiddleware(ip) {
      return async function ipRateLimit(c, next) {
        const family = config.RATE_LIMITS ? limitFamily(c.req.method, c.req.path) : null;
        if (family) {
          const address = ip(c);
          ipOf.set(c, address);
          await take(c, "ip", family, address, 1);
        }
        return next();
      };
    },
    userMiddleware() {
      return async function userRateLimit(c, next) {
        const family = config.RATE_LIMITS ? limitFamily(c.req.method, c.req.path) : null;
        const session = c.get("session");
        if (family && session) await take(c, "user", family, session.userId, 1);
        return next();
      };
    },
  };
}
