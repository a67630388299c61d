/**
 * The API's wiring, shared by the embedded platform and the API's own process (main.ts): SMS provider,
 * engine gateway (command queue + this instance's reply channel), outbox relay, withdrawal sweeper,
 * trading routes on the given engine reader, and the session verifier the stream uses. One place, so both deployments run
 * the same API.
 */
import {
  type CommandQueue,
  createPersisterHealth,
  type Kv,
  type PersisterHealthProbe,
  type PubSub,
  persisterHealthCheck,
} from "@ox/bus";
import { createPublicOrigins, type Env, type PublicOrigins } from "@ox/config";
import { type CommandEnvelope, type CommandReply, channels } from "@ox/contracts/pipeline";
import { consumerOffsets, type Db } from "@ox/db";
import { createQueueEngineGateway, type EngineGateway, type EngineReader } from "@ox/engine-client";
import type { Registry } from "@ox/metrics";
import { desc } from "drizzle-orm";
import Redis from "ioredis";
import type { Logger } from "pino";
import { createApp } from "./app.ts";
import { createSessions, type Sessions } from "./auth/sessions.ts";
import { type AppDeps, type Clock, systemClock } from "./deps.ts";
import { createHealthHistory, type HealthHistory } from "./health-history.ts";
import { type ApiMetrics, createApiMetrics } from "./metrics.ts";
import { createBusinessMetrics } from "./metrics-business.ts";
import { createOutboxRelay, type OutboxRelay } from "./outbox-relay.ts";
import {
  createSandboxGateway,
  createSandboxPayouts,
  createWebhookGateway,
  type PaymentGateway,
} from "./payments/gateway.ts";
import { createProviderGateway } from "./payments/provider-gateway.ts";
import { type CreateMarketInput, insertMarket } from "./routes/admin-markets.ts";
import {
  createAdminStatsRoutes,
  createSystemStatsProvider,
  type SystemStatsProvider,
} from "./routes/admin-stats.ts";
import { createAdminUserRoutes } from "./routes/admin-users.ts";
import { tradingRoutes } from "./routes/orders-register.ts";
import { createPortfolioFillsRoutes } from "./routes/portfolio-fills.ts";
import { createConsoleSms, type SmsSender } from "./sms/sms.ts";
import { createTwilioSms } from "./sms/twilio-sms.ts";
import { createStaticWeb } from "./static-web.ts";
import { createWithdrawalSweeper, type WithdrawalSweeper } from "./withdrawal-sweeper.ts";

export interface ApiRuntimeOptions {
  env: Env;
  db: Db;
  /** History and analytics reads (a streaming replica); absent → `db`. */
  readDb?: Db;
  kv: Kv;
  /** The producer side of the engine's command queue. */
  commandQueue: CommandQueue<CommandEnvelope>;
  /** Carries the engine's replies to this instance. */
  pubsub: PubSub<unknown>;
  /** Live engine state: in-process (embedded) or over pub/sub (distributed). */
  reader: EngineReader;
  /** Unique per API process: names its reply channel. */
  instanceId: string;
  logger: Logger;
  clock?: Clock;
  /** The built web app (apps/web/dist) to serve beside the API; absent or unbuilt means API only. */
  webDist?: string;
  /** GET /admin/stats: the composition root knows the queue, persister and stream; default is the engine only. */
  systemStats?: SystemStatsProvider;
  /** The process's Prometheus registry: the API adds its metrics and serves GET /metrics. Absent = no metrics. */
  metricsRegistry?: Registry;
  /**
   * The persister's health for /health and /admin/stats. Default (distributed): the freshest
   * consumer_offsets row in Postgres against the engine's log offset, both read at each call.
   */
  persisterHealth?: PersisterHealthProbe;
  /** The site's origins (CSRF, stream handshake); default from env.PUBLIC_ORIGINS. */
  publicOrigins?: PublicOrigins;
}

export interface ApiRuntime {
  app: ReturnType<typeof createApp>;
  relay: OutboxRelay;
  /** Finishes withdrawals whose engine DEBIT went unanswered. */
  withdrawals: WithdrawalSweeper;
  gateway: EngineGateway;
  /** The session verifier of this API, for the stream's handshake. */
  sessions: Sessions;
  /** The admin health page's in-memory history (sampled while started). */
  history: HealthHistory;
  /** The site's origins; call `listening(port)` once the server listens (the development default). */
  publicOrigins: PublicOrigins;
  /** The HTTP handler: the web app's files for GET pages, the API for the rest. */
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
  /**
   * Creates a market as `actorId` without an HTTP session (the platform's demo seeding): the admin
   * route's transaction, then waits briefly until the engine has it. Returns the market id.
   */
  createMarket(actorId: string, input: CreateMarketInput): Promise<string>;
  /** Starts the outbox relay and the withdrawal sweeper. */
  start(): void;
  /** Stops the relay, the sweeper and the reply subscription; the caller closes the ports it passed in. */
  stop(): Promise<void>;
}

export function createSmsSender(env: Env, logger: Logger): SmsSender {
  if (env.SMS_PROVIDER === "twilio") {
    return createTwilioSms({
      accountSid: env.TWILIO_ACCOUNT_SID ?? "",
      authToken: env.TWILIO_AUTH_TOKEN ?? "",
      from: env.TWILIO_FROM ?? "",
      baseUrl: env.TWILIO_BASE_URL,
    });
  }
  return createConsoleSms((line) => logger.info({ sms: line }, "console SMS (development only)"));
}

/** PAYMENT_GATEWAY: only `sandbox` confirms without the webhook, and env.ts refuses it in production. */
export function createPaymentGateway(env: Env): PaymentGateway {
  if (env.PAYMENT_GATEWAY === "provider") {
    return createProviderGateway({
      baseUrl: env.PAYMENT_PROVIDER_URL ?? "",
      keyId: env.PAYMENT_PROVIDER_KEY_ID ?? "",
      keySecret: env.PAYMENT_PROVIDER_KEY_SECRET ?? "",
      returnUrl: env.PAYMENT_RETURN_URL,
    });
  }
  if (env.PAYMENT_GATEWAY === "webhook") return createWebhookGateway();
  return createSandboxGateway();
}

export function createApiRuntime(options: ApiRuntimeOptions): ApiRuntime {
  const { env, db, kv, commandQueue, reader, logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics: ApiMetrics | undefined = options.metricsRegistry
    ? createApiMetrics(options.metricsRegistry)
    : undefined;
  const gateway = createQueueEngineGateway({
    queue: commandQueue,
    replies: options.pubsub as PubSub<CommandReply>,
    instanceId: options.instanceId,
    observe: metrics?.engineRoundTrip,
  });
  // Without Redis the command queue is process memory: a row counts as delivered only once the
  // engine answered it (after its journal write), so a kill -9 in between leaves it PENDING.
  const relay = createOutboxRelay({
    db,
    queue: commandQueue,
    confirmWith: env.REDIS_URL ? undefined : gateway,
    clock,
    logger,
  });
  const persisterHealth =
    options.persisterHealth ??
    createPersisterHealth({
      // The persister that committed last is the live one (stale rows of other names stop moving).
      offset: async () => {
        const [row] = await db
          .select({ offset: consumerOffsets.offset })
          .from(consumerOffsets)
          .orderBy(desc(consumerOffsets.updatedAt))
          .limit(1);
        return row?.offset ?? 0;
      },
      // The engine is the log's only writer: its log offset is the log's end.
      endOffset: async () => (await reader.stats()).logOffset,
      maxLag: env.PERSISTER_MAX_LAG,
      stuckAfterMs: env.PERSISTER_STUCK_MS,
    });
  // Shared rate-limit buckets across replicas; no offline queue, so a Redis outage falls back to the
  // in-process insurance limiter at once instead of stalling requests.
  const rateLimitRedis = env.REDIS_URL
    ? new Redis(env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    : undefined;
  rateLimitRedis?.on("error", (err) => logger.warn({ err }, "rate-limit redis error"));
  const publicOrigins = options.publicOrigins ?? createPublicOrigins(env);
  const deps: AppDeps = {
    config: env,
    publicOrigins,
    rateLimitRedis,
    sessionEvents: (event) =>
      void options.pubsub
        .publish(channels.sessions, event)
        .catch((err) => logger.warn({ err }, "session event not published")),
    db,
    readDb: options.readDb,
    kv,
    commandQueue,
    engine: gateway,
    sms: createSmsSender(env, logger),
    payments: createPaymentGateway(env),
    payouts: createSandboxPayouts(),
    clock,
    logger,
    outbox: relay,
    metrics,
    healthChecks: {
      // Down when it does not answer (stopped, paused), and when it answers that it is not serving:
      // log appends failing, or commands queued and none applied for a while.
      engine: async () => {
        const stats = await reader.stats();
        if (stats.degraded) throw new Error(stats.degraded);
      },
      persister: persisterHealthCheck(persisterHealth),
    },
  };
  const withdrawals = createWithdrawalSweeper(deps);
  const business = options.metricsRegistry ? createBusinessMetrics(options.metricsRegistry, db) : undefined;
  const provider =
    options.systemStats ??
    createSystemStatsProvider({
      engine: () => reader.stats(),
      persister: () => persisterHealth.read(),
    });
  const systemStats: SystemStatsProvider = async () => {
    const stats = await provider();
    business?.reconciled(stats.reconcile ? stats.reconcile.differences : null);
    return stats;
  };
  const history = createHealthHistory({ stats: systemStats, roundTrip: metrics?.roundTripSnapshot });
  const app = createApp(deps, {
    routes: [
      ...tradingRoutes({ reader }),
      createPortfolioFillsRoutes(),
      createAdminUserRoutes({ reader }),
      createAdminStatsRoutes({ stats: systemStats, history }),
    ],
    web: options.webDist ? createStaticWeb(options.webDist) : undefined,
  });
  const sessions = createSessions({
    kv,
    secret: env.JWT_SECRET,
    clock,
    sessionTtlSec: env.SESSION_TTL_SEC,
    accessTtlSec: env.ACCESS_TOKEN_TTL_SEC,
    adminPhones: env.ADMIN_PHONES,
  });
  return {
    app,
    publicOrigins,
    fetch: (request, server) => app.fetch(request, server),
    relay,
    withdrawals,
    gateway,
    sessions,
    async createMarket(actorId, input) {
      const row = await insertMarket(deps, actorId, input);
      relay.kick();
      for (let i = 0; i < 50 && !(await reader.market(row.id).catch(() => null)); i++) await Bun.sleep(20);
      return row.id;
    },
    history,
    start() {
      history.start();
      relay.start();
      withdrawals.start();
    },
    async stop() {
      history.stop();
      await withdrawals.stop();
      await relay.stop();
      await gateway.close();
      rateLimitRedis?.disconnect();
    },
  };
}
