import type { CommandQueue, Kv } from "@ox/bus";
import type { Env, PublicOrigins } from "@ox/config";
import type { CommandEnvelope, SessionEvent } from "@ox/contracts";
import type { Db } from "@ox/db";
import type { EngineGateway } from "@ox/engine-client";
import type Redis from "ioredis";
import type { Logger } from "pino";
import type { ApiMetrics } from "./metrics.ts";
import type { PaymentGateway, PayoutProvider } from "./payments/gateway.ts";
import type { LimitFamily, LimitScope, RateLimitConfig } from "./rate-limit.ts";
import type { SmsSender } from "./sms/sms.ts";

export interface Clock {
  /** Epoch ms. Every timestamp the API stamps comes from here (docs/money.md#units: time is stamped at the edge). */
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** What the API reads from the environment; tests build it with `testConfig()`. */
export type ApiConfig = Pick<
  Env,
  | "NODE_ENV"
  | "JWT_SECRET"
  | "API_KEY_SECRET"
  | "SESSION_TTL_SEC"
  | "ACCESS_TOKEN_TTL_SEC"
  | "SMS_PROVIDER"
  | "ADMIN_PHONES"
  | "SIGNUP_BONUS_PAISE"
  | "REFERRAL_BONUS_PAISE"
  | "REFERRAL_MIN_DEPOSIT_PAISE"
  | "WITHDRAWAL_MIN_PAISE"
  | "WITHDRAWAL_MAX_PAISE"
  | "DEPOSIT_MIN_PAISE"
  | "DEPOSIT_MAX_PAISE"
  | "PAYMENT_WEBHOOK_SECRET"
  | "PUBLIC_ORIGINS"
  | "ALLOWED_ORIGINS"
  | "TRUSTED_PROXIES"
  | keyof RateLimitConfig
>;

/** Everything the app talks to, injected: the same app runs embedded (memory, PGlite) and distributed. */
export interface AppDeps {
  config: ApiConfig;
  /** The primary: writes and reads that must see their own writes. */
  db: Db;
  /**
   * History and analytics reads (trades, candles, fills, transactions, admin lists): the streaming
   * replica of DATABASE_READ_URL; absent → the primary. Use `historyDb(deps)`.
   */
  readDb?: Db;
  kv: Kv;
  /** The engine's command queue; the outbox relay writes to it. */
  commandQueue: CommandQueue<CommandEnvelope>;
  /** Request/reply with the engine (withdraw reserve). */
  engine: EngineGateway;
  sms: SmsSender;
  payments: PaymentGateway;
  payouts: PayoutProvider;
  clock: Clock;
  logger: Logger;
  /** Wakes the outbox relay after a transaction wrote outbox rows. */
  outbox: { kick(): void };
  /** Extra readiness checks for GET /health, by dependency name. The database and kv are always checked. */
  healthChecks?: Record<string, () => Promise<void>>;
  /** Prometheus metrics: HTTP middleware and GET /metrics (the whole process's registry). Absent = none. */
  metrics?: ApiMetrics;
  /** Distributed mode: the rate-limit buckets live here, shared by every replica (else in process). */
  rateLimitRedis?: Redis;
  /**
   * The site's own origins for the CSRF check (shared with the stream's handshake check); default
   * from `config.PUBLIC_ORIGINS`. Its `listening(port)` gives the development default.
   */
  publicOrigins?: PublicOrigins;
  /** Publishes a session event for the stream (channels.sessions): it disconnects the sockets concerned. */
  sessionEvents?: (event: SessionEvent) => void;
  /** Called for every request refused by a rate limit (for a metrics counter). */
  onRateLimited?: (event: { family: LimitFamily; scope: LimitScope }) => void;
}

/** Where history and analytics reads go: the replica when there is one (README "Read replica"). */
export const historyDb = (deps: Pick<AppDeps, "db" | "readDb">): Db => deps.readDb ?? deps.db;
