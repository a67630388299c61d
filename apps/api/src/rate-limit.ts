import type { LimitRule, RateLimitConfig } from "@ox/config";
import type { RateTier } from "@ox/contracts";
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
/** A user's buckets (every session and key of theirs), a key's own, a client address's. */
export type LimitScope = "user" | "key" | "ip";

/** What each tier multiplies the configured per-user rules by (rate and burst). */
export const TIER_MULTIPLIER: Record<RateTier, number> = { standard: 1, pro: 5, market_maker: 25 };
/** A key's buckets hold this share of its user's: one runaway program leaves the rest to the others. */
export const KEY_SHARE = 0.5;
/**
 * Write buckets of users and keys count tokens (as Kalshi's): a create or any other write costs
 * WRITE_TOKENS, a cancel CANCEL_TOKENS, so RATE_LIMIT_WRITE "20:40" is still 20 creates a second
 * but 100 cancels. A cancel-all (DELETE /orders) is one cancel however many orders it closes, and a
 * dead-man heartbeat costs a cancel too: the safety calls stay cheap. Reads cost 1; the IP buckets
 * count requests.
 */
export const WRITE_TOKENS = 10;
export const CANCEL_TOKENS = 2;

/** Tokens one unit of this request costs a user's or key's bucket of `family`. */
export function requestCost(family: LimitFamily, method: string, path: string): number {
  if (family !== "write") return 1;
  const rest = path.replace(/^\/api\/v1/, "");
  if (rest === "/heartbeat") return CANCEL_TOKENS;
  return method === "DELETE" && (rest === "/orders" || rest.startsWith("/orders/"))
    ? CANCEL_TOKENS
    : WRITE_TOKENS;
}

export interface RateLimitsOptions {
  config: RateLimitConfig;
  /** Distributed mode: every API replica shares the buckets (RateLimiterRedis). Absent: in process. */
  redis?: Redis;
  /** Called for every refused request (metrics). */
  onLimited?: (event: { family: LimitFamily; scope: LimitScope }) => void;
  /** The user's tier (set by an admin); absent → everyone is standard. */
  tierOf?: (userId: string) => Promise<RateTier>;
}

export interface RateLimits {
  readonly enabled: boolean;
  /**
   * Charges `points` units of the request's cost (requestCost) to the caller's buckets of `family`:
   * the user's (when signed in), the key's (a signed request) and the IP's.
   * Sets the RateLimit-* headers; throws 429 RATE_LIMITED with Retry-After when a bucket cannot pay
   * them all, and then charges nothing (the points are given back), so a smaller request may still
   * pass. Route middleware charges 1 per request; a batch endpoint charges its extra items with this.
   */
  charge(c: Context<AppEnv>, family: LimitFamily, points?: number): Promise<void>;
  /** App middleware: the IP bucket of the request's family. */
  ipMiddleware(ip: (c: Context<AppEnv>) => string): MiddlewareHandler<AppEnv>;
  /** `ipMiddleware`'s charge alone (middleware/api-edge.ts); undefined when nothing is charged. */
  ipCheck(ip: (c: Context<AppEnv>) => string): (c: Context<AppEnv>) => Promise<void> | undefined;
  /** Route middleware after auth: the user's (and a signed request's key's) bucket of the request's family. */
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
const RULES: Record<"user" | "ip", Partial<Record<LimitFamily, RateLimitEnvKeys>>> = {
  user: { write: "RATE_LIMIT_WRITE", read: "RATE_LIMIT_READ" },
  ip: { write: "RATE_LIMIT_WRITE_IP", read: "RATE_LIMIT_READ_IP", auth: "RATE_LIMIT_AUTH_IP" },
};

interface Bucket {
  limiter: RateLimiterAbstract;
  /** Capacity in the bucket's units (tokens for user and key write buckets). */
  points: number;
}

export function createRateLimits(options: RateLimitsOptions): RateLimits {
  const { config } = options;
  const prefix = config.RATE_LIMIT_PREFIX;
  const buckets = new Map<string, Bucket | null>();

  const makeBucket = (keyPrefix: string, rule: LimitRule, unit: number): Bucket => {
    const points = Math.max(1, Math.round(rule.burst * unit));
    const opts = { keyPrefix, points, duration: Math.max(1, Math.round(rule.burst / rule.perSec)) };
    const memory = new RateLimiterMemory(opts);
    const limiter = options.redis
      ? new RateLimiterRedis({
          ...opts,
          storeClient: options.redis,
          // A flooding key stops costing Redis round trips until its window ends.
          inMemoryBlockOnConsumed: points + 1,
          // Redis down: each replica limits on its own rather than failing every request.
          insuranceLimiter: memory,
          rejectIfRedisNotReady: true,
        })
      : memory;
    return { limiter, points };
  };

  /** The bucket of a scope, family and tier, made on first use; null when the family has no rule. */
  const bucketOf = (scope: LimitScope, family: LimitFamily, tier: RateTier): Bucket | null => {
    const name = scope === "ip" ? `ip:${family}` : `${scope}:${family}:${tier}`;
    const known = buckets.get(name);
    if (known !== undefined) return known;
    const key = RULES[scope === "ip" ? "ip" : "user"][family];
    let bucket: Bucket | null = null;
    if (key) {
      const base = config[key] as LimitRule;
      const factor = scope === "ip" ? 1 : TIER_MULTIPLIER[tier] * (scope === "key" ? KEY_SHARE : 1);
      const unit = scope !== "ip" && family === "write" ? WRITE_TOKENS : 1;
      bucket = makeBucket(
        `${prefix}:${name}`,
        { perSec: base.perSec * factor, burst: base.burst * factor },
        unit,
      );
    }
    buckets.set(name, bucket);
    return bucket;
  };

  const setHeaders = (c: Context, points: number, res: RateLimiterRes) => {
    c.header("RateLimit-Limit", String(points));
    c.header("RateLimit-Remaining", String(Math.max(0, res.remainingPoints)));
    c.header("RateLimit-Reset", String(Math.ceil(res.msBeforeNext / 1000)));
  };

  async function take(
    c: Context,
    scope: LimitScope,
    family: LimitFamily,
    tier: RateTier,
    key: string,
    points: number,
    refundRefused = false,
  ) {
    const entry = bucketOf(scope, family, tier);
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
  const giveBack = (scope: LimitScope, family: LimitFamily, tier: RateTier, key: string, points: number) =>
    bucketOf(scope, family, tier)
      ?.limiter.reward(key, points)
      .catch(() => {});

  const tierOf = async (userId: string): Promise<RateTier> =>
    options.tierOf ? options.tierOf(userId) : "standard";

  /** The signed-in caller's buckets: the user's, then the key's; all or nothing when `refund`. */
  async function takeCaller(c: Context<AppEnv>, family: LimitFamily, units: number, refund: boolean) {
    const session = c.get("session");
    if (!session) return false;
    const tier = await tierOf(session.userId);
    const tokens = units * requestCost(family, c.req.method, c.req.path);
    await take(c, "user", family, tier, session.userId, tokens, refund);
    const apiKey = c.get("apiKey");
    if (!apiKey) return true;
    try {
      await take(c, "key", family, tier, apiKey.id, tokens, refund);
    } catch (err) {
      // Refused by the key's bucket: the request does nothing, so the user's share is not spent.
      await giveBack("user", family, tier, session.userId, tokens);
      throw err;
    }
    return true;
  }
  async function giveBackCaller(c: Context<AppEnv>, family: LimitFamily, units: number) {
    const session = c.get("session");
    if (!session) return;
    const tier = await tierOf(session.userId);
    const tokens = units * requestCost(family, c.req.method, c.req.path);
    await giveBack("user", family, tier, session.userId, tokens);
    const apiKey = c.get("apiKey");
    if (apiKey) await giveBack("key", family, tier, apiKey.id, tokens);
  }

  const ipOf = new WeakMap<Context, string>();
  const ipCheck: RateLimits["ipCheck"] = (ip) =>
    function ipCharge(c) {
      const family = config.RATE_LIMITS ? limitFamily(c.req.method, c.req.path) : null;
      if (!family) return undefined;
      const address = ip(c);
      ipOf.set(c, address);
      return take(c, "ip", family, "standard", address, 1);
    };
  return {
    enabled: config.RATE_LIMITS,
    async charge(c, family, points = 1) {
      if (!config.RATE_LIMITS || points <= 0) return;
      const charged = await takeCaller(c, family, points, true);
      const ip = ipOf.get(c);
      if (!ip) return;
      try {
        await take(c, "ip", family, "standard", ip, points, true);
      } catch (err) {
        // The address could not pay: nothing is charged, so the caller's share goes back too.
        if (charged) await giveBackCaller(c, family, points);
        throw err;
      }
    },
    ipMiddleware(ip) {
      const check = ipCheck(ip);
      return async function ipRateLimit(c, next) {
        await check(c);
        return next();
      };
    },
    ipCheck,
    userMiddleware() {
      return async function userRateLimit(c, next) {
        const family = config.RATE_LIMITS ? limitFamily(c.req.method, c.req.path) : null;
        if (family) await takeCaller(c, family, 1, false);
        return next();
      };
    },
  };
}
