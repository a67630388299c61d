import { z } from "zod";

/** A budget of `burst` requests refilled at `perSec` (rate-limiter-flexible: `burst` points per `burst/perSec` s). */
export interface LimitRule {
  perSec: number;
  burst: number;
}

const rule = (def: string) =>
  z
    .string()
    .default(def)
    .transform((s, ctx): LimitRule => {
      const m = /^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+)\s*$/.exec(s);
      const perSec = Number(m?.[1]);
      const burst = Number(m?.[2]);
      if (!m || !(perSec > 0) || !(burst >= 1)) {
        ctx.addIssue({ code: "custom", message: `expected "<per second>:<burst>", got "${s}"` });
        return z.NEVER;
      }
      return { perSec, burst };
    });

/** The env keys of the limits (spread into the API's env schema). Per user, and per client IP. */
export const rateLimitEnv = {
  RATE_LIMITS: z
    .enum(["on", "off"])
    .default("on")
    .transform((s) => s === "on"),
  RATE_LIMIT_WRITE: rule("20:40"),
  RATE_LIMIT_READ: rule("50:100"),
  RATE_LIMIT_WRITE_IP: rule("100:200"),
  RATE_LIMIT_READ_IP: rule("200:400"),
  RATE_LIMIT_AUTH_IP: rule("2:40"),
  /** Redis key prefix of the buckets: one per deployment sharing a Redis. */
  RATE_LIMIT_PREFIX: z.string().min(1).default("rl"),
};
type RateLimitEnvKeys = keyof typeof rateLimitEnv;
export type RateLimitConfig = { [K in RateLimitEnvKeys]: z.output<(typeof rateLimitEnv)[K]> };

export const rateLimitDefaults = (overrides: Partial<RateLimitConfig> = {}): RateLimitConfig => ({
  ...z.object(rateLimitEnv).parse({}),
  ...overrides,
});
