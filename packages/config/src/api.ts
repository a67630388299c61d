/**
 * The API's environment (the API process, and the API inside the one-process platform). Parsing
 * has no side effects; dev secrets are an explicit step (secrets.ts). docs/operations.md#configuration.
 */
import { hostname } from "node:os";
import { z } from "zod";
import {
  baseFields,
  csv,
  optionalUrl,
  paise,
  parseWith,
  positiveInt,
  type Source,
  shardFields,
  topicFields,
  transportFields,
} from "./common.ts";
import { publicOriginsField } from "./public-origins.ts";
import { rateLimitEnv } from "./rate-limits.ts";
import type { WithSecrets } from "./secrets.ts";
import { parseTrustedProxies } from "./trusted-proxies.ts";

/** Absent DATABASE_URL / REDIS_URL / KAFKA_BROKERS mean the embedded defaults (docs/operations.md#configuration). */
export const EnvSchema = z
  .object({
    ...baseFields,
    ...transportFields,
    ...topicFields,
    /** A sharded deployment's map (the API process routes by it; `npm start` is one engine). */
    ...shardFields,
    PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
    /**
     * The API process: share PORT with other replicas on this machine (SO_REUSEPORT, Bun.serve
     * reusePort: the kernel spreads connections, as a Service spreads them over pods). `npm run
     * cluster` sets it; off by default, so a second API on a taken port fails loudly.
     */
    REUSE_PORT: z.enum(["true", "false"]).default("false"),
    /**
     * The interface to listen on. Absent: 0.0.0.0 for the API process; `npm start` uses 127.0.0.1
     * outside production (development hands out OTPs in responses and makes the demo phone admin).
     */
    HOST: z.string().trim().min(1).optional(),
    /** Names this replica's reply channels; must differ between replicas (the default does). */
    INSTANCE_ID: z
      .string()
      .min(1)
      .default(() => `api-${hostname()}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`),
    ENGINE_TIMEOUT_MS: positiveInt(2_000),
    WEB_DIST: z.string().optional(),
    DB_MIGRATE: z
      .enum(["true", "false"])
      .default("true")
      .transform((s) => s === "true"),
    DATABASE_URL: optionalUrl,
    /** A streaming replica of DATABASE_URL for history and analytics reads; absent → the primary. */
    DATABASE_READ_URL: optionalUrl,
    REDIS_URL: optionalUrl,
    KAFKA_BROKERS: z.string().optional(),
    JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters").optional(),
    /** Derives every API key's secret (HMAC(API_KEY_SECRET, key id)); absent → derived from JWT_SECRET. */
    API_KEY_SECRET: z.string().min(32, "API_KEY_SECRET must be at least 32 characters").optional(),
    SESSION_TTL_SEC: z.coerce
      .number()
      .int()
      .positive()
      .default(30 * 24 * 3600),
    ACCESS_TOKEN_TTL_SEC: z.coerce
      .number()
      .int()
      .positive()
      .default(15 * 60),
    /**
     * With Redis: how long a replica keeps a session record it read (ms), instead of a Redis GET on
     * every request. Revocations and role changes by another replica arrive as session events on
     * pub/sub and drop it at once; one whose message is lost is honoured at most this long. 0: a
     * GET per request. Embedded mode's Kv has its own cache (write-through-kv.ts).
     */
    SESSION_CACHE_MS: z.coerce.number().int().min(0).default(1_000),
    SMS_PROVIDER: z.enum(["console", "twilio"]).default("console"),
    TWILIO_ACCOUNT_SID: z.string().optional(),
    TWILIO_AUTH_TOKEN: z.string().optional(),
    TWILIO_FROM: z.string().optional(),
    TWILIO_BASE_URL: z.string().url().default("https://api.twilio.com"),
    ADMIN_PHONES: csv,
    SIGNUP_BONUS_PAISE: paise(1500),
    REFERRAL_BONUS_PAISE: paise(5000),
    /** The referrer is credited on the referee's first confirmed deposit of at least this much. */
    REFERRAL_MIN_DEPOSIT_PAISE: paise(10_000),
    WITHDRAWAL_MIN_PAISE: paise(10_000),
    WITHDRAWAL_MAX_PAISE: paise(10_000_000),
    DEPOSIT_MIN_PAISE: paise(100),
    DEPOSIT_MAX_PAISE: paise(10_000_000),
    /**
     * sandbox: confirms every deposit at once (development only). webhook: a deposit stays PENDING
     * until the signed payment webhook confirms it. provider: as webhook, and the payment link comes
     * from the HTTP payment provider (PAYMENT_PROVIDER_*).
     */
    PAYMENT_GATEWAY: z.enum(["sandbox", "webhook", "provider"]).default("sandbox"),
    PAYMENT_WEBHOOK_SECRET: z.string().min(16).optional(),
    PAYMENT_PROVIDER_URL: optionalUrl,
    PAYMENT_PROVIDER_KEY_ID: z.string().optional(),
    PAYMENT_PROVIDER_KEY_SECRET: z.string().optional(),
    /** Where the provider sends the payer back after paying (the wallet page). */
    PAYMENT_RETURN_URL: optionalUrl,
    /**
     * The site's own origins (what the browser's address bar shows, e.g. behind a TLS proxy
     * https://exchange.example.com). Required in production; in development the default is the
     * server's http://127.0.0.1:<port> and http://localhost:<port>.
     */
    PUBLIC_ORIGINS: publicOriginsField,
    /** Other sites' origins also allowed to send cookie-authenticated writes and open sockets. */
    ALLOWED_ORIGINS: csv,
    /** Embedded engine: a snapshot every this many commands or this many ms (as the engine process's). */
    SNAPSHOT_EVERY_COMMANDS: positiveInt(100_000),
    SNAPSHOT_EVERY_MS: positiveInt(60_000),
    /** Embedded engine: snapshots kept in DATA_DIR/snapshots (newest first). */
    SNAPSHOT_KEEP: positiveInt(3),
    /**
     * Embedded engine: "on" = a worker thread that follows the journal takes the snapshots; "off" =
     * the engine's own thread serialises the state between batches (every request in flight waits).
     */
    SNAPSHOT_WORKER: z.enum(["on", "off"]).default("on"),
    /** Persister health (/health, /admin/stats): lagging above this many log records. */
    PERSISTER_MAX_LAG: z.coerce.number().int().positive().default(10_000),
    /** Persister health: stuck when lag > 0 and its offset has not moved for this long. */
    PERSISTER_STUCK_MS: z.coerce.number().int().positive().default(15_000),
    /** Proxies allowed to append X-Forwarded-For: a hop count or a comma list of IPs/CIDRs (client-ip.ts). */
    TRUSTED_PROXIES: z
      .string()
      .default("")
      .transform((s, ctx) => {
        const parsed = parseTrustedProxies(s);
        if (typeof parsed !== "string") return parsed;
        ctx.addIssue({ code: "custom", message: parsed });
        return z.NEVER;
      }),
    ...rateLimitEnv,
    /** Markets one Socket.io connection may follow at once (embedded stream). */
    STREAM_MAX_SUBSCRIPTIONS: z.coerce.number().int().positive().default(50),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    if (!env.JWT_SECRET)
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "required in production" });
    if (env.SMS_PROVIDER === "console") {
      ctx.addIssue({ code: "custom", path: ["SMS_PROVIDER"], message: "console is refused in production" });
    }
    if (!env.PAYMENT_WEBHOOK_SECRET) {
      ctx.addIssue({ code: "custom", path: ["PAYMENT_WEBHOOK_SECRET"], message: "required in production" });
    }
    if (env.PUBLIC_ORIGINS.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["PUBLIC_ORIGINS"],
        message: "required in production: the site's origins, e.g. https://exchange.example.com",
      });
    }
    if (env.PAYMENT_GATEWAY === "sandbox") {
      ctx.addIssue({
        code: "custom",
        path: ["PAYMENT_GATEWAY"],
        message:
          "sandbox confirms every deposit instantly and is refused in production; set PAYMENT_GATEWAY=webhook or provider",
      });
    }
  })
  .superRefine((env, ctx) => {
    if (env.PAYMENT_GATEWAY !== "provider") return;
    for (const key of [
      "PAYMENT_PROVIDER_URL",
      "PAYMENT_PROVIDER_KEY_ID",
      "PAYMENT_PROVIDER_KEY_SECRET",
    ] as const) {
      if (!env[key])
        ctx.addIssue({ code: "custom", path: [key], message: "required when PAYMENT_GATEWAY=provider" });
    }
  })
  .superRefine((env, ctx) => {
    if (env.SMS_PROVIDER !== "twilio") return;
    for (const key of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"] as const) {
      if (!env[key])
        ctx.addIssue({ code: "custom", path: [key], message: "required when SMS_PROVIDER=twilio" });
    }
  });

export type ApiEnv = z.infer<typeof EnvSchema>;
/** The API's environment once the secrets are settled (ensureDevSecrets). */
export type Env = WithSecrets<ApiEnv>;

/** Parse the API's environment (no files read or written). */
export function parseApiEnv(source: Source = process.env): ApiEnv {
  return parseWith(EnvSchema, source);
}

/** The API process: also needs its Redis and Postgres named (the embedded ones live in the platform). */
export function parseApiProcessEnv(
  source: Source = process.env,
): ApiEnv & { REDIS_URL: string; DATABASE_URL: string } {
  const env = parseApiEnv(source);
  const missing = (["REDIS_URL", "DATABASE_URL"] as const).filter((key) => !env[key]);
  if (missing.length > 0)
    parseWith(z.object(Object.fromEntries(missing.map((k) => [k, z.string().url()]))), source);
  return env as ApiEnv & { REDIS_URL: string; DATABASE_URL: string };
}
