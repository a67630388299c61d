/**
 * The API's production adapters, made from the environment: SMS provider, payment gateway, payouts,
 * the shared rate-limit Redis, the engine and persister health checks. Used by the API's own process
 * (main.ts) and the embedded platform; both then build the API with build.ts, as the tests do.
 */
import { createPersisterHealth, type PersisterHealthProbe, persisterHealthCheck } from "@ox/bus";
import type { Env } from "@ox/config";
import { consumerOffsets } from "@ox/db";
import { desc } from "drizzle-orm";
import Redis from "ioredis";
import type { Logger } from "pino";
import { type Api, type ApiAdapters, buildApi } from "./build.ts";
import {
  createSandboxGateway,
  createSandboxPayouts,
  createWebhookGateway,
  type PaymentGateway,
} from "./payments/gateway.ts";
import { createProviderGateway } from "./payments/provider-gateway.ts";
import { listMarkets } from "./routes/markets.ts";
import { createConsoleSms, type SmsSender } from "./sms/sms.ts";
import { createTwilioSms } from "./sms/twilio-sms.ts";
import { createStaticWeb } from "./static-web.ts";

/** The ports the process opened (the builder's adapters of the same names), the environment, and what it overrides. */
export type ApiRuntimeOptions = Pick<
  ApiAdapters,
  | "db"
  | "readDb"
  | "kv"
  | "commandQueue"
  | "pubsub"
  | "reader"
  | "instanceId"
  | "shardMap"
  | "logger"
  | "clock"
  | "systemStats"
  | "metricsRegistry"
  | "publicOrigins"
> & {
  env: Env;
  /** The built web app (apps/web/dist) to serve beside the API; absent or unbuilt means API only. */
  webDist?: string;
  /**
   * The persister's health for /health and /admin/stats. Default (distributed): the freshest
   * consumer_offsets row in Postgres against the engine's log offset, both read at each call.
   */
  persisterHealth?: PersisterHealthProbe;
};

/** The built API (build.ts); `stop()` also closes the rate-limit Redis connection the runtime opened. */
export type ApiRuntime = Api;

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

/** The production adapters from the environment, then the one builder. */
export function createApiRuntime(options: ApiRuntimeOptions): ApiRuntime {
  const { env, db, reader, logger } = options;
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
  const api = buildApi({
    config: env,
    db,
    readDb: options.readDb,
    kv: options.kv,
    commandQueue: options.commandQueue,
    pubsub: options.pubsub,
    reader,
    instanceId: options.instanceId,
    shardMap: options.shardMap,
    logger,
    clock: options.clock,
    sms: createSmsSender(env, logger),
    payments: createPaymentGateway(env),
    payouts: createSandboxPayouts(),
    rateLimitRedis,
    sessionCacheMs: env.REDIS_URL ? env.SESSION_CACHE_MS : 0,
    metricsRegistry: options.metricsRegistry,
    healthChecks: {
      // Down when it does not answer (stopped, paused), and when it answers that it is not serving:
      // log appends failing, or commands queued and none applied for a while.
      engine: async () => {
        const stats = await reader.stats();
        if (stats.degraded) throw new Error(stats.degraded);
      },
      persister: persisterHealthCheck(persisterHealth),
    },
    systemStats: options.systemStats,
    persisterHealth,
    publicOrigins: options.publicOrigins,
    // Without Redis the command queue is process memory: a row counts as delivered only once the
    // engine answered it (after its journal write), so a kill -9 in between leaves it PENDING.
    relay: { confirmByReply: !env.REDIS_URL },
    web: options.webDist
      ? createStaticWeb(options.webDist, {
          homeMarkets: () => listMarkets(db, reader),
          onError: (err) => logger.warn({ err }, "home page pre-render failed; served plain"),
        })
      : undefined,
  });
  return {
    ...api,
    async stop() {
      await api.stop();
      rateLimitRedis?.disconnect();
    },
  };
}
