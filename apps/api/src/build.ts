/**
 * The one place the API is assembled: adapters in, the Hono app and its background workers out.
 * `createApiRuntime` (runtime.ts) makes the adapters from the environment for the API's own process
 * and the embedded platform; the test kit (test-harness.ts) makes test adapters and calls this too,
 * so every test runs the routes, middleware and sessions production runs.
 */
import type { CommandQueue, Kv, PersisterHealthProbe, PubSub } from "@ox/bus";
import { createPublicOrigins, type PublicOrigins } from "@ox/config";
import {
  type CommandEnvelope,
  type CommandReply,
  type CommandReplyBatch,
  channels,
  type SessionEvent,
} from "@ox/contracts/pipeline";
import type { Db } from "@ox/db";
import type { ShardMap } from "@ox/engine/shards";
import { createQueueEngineGateway, type EngineGateway, type EngineReader } from "@ox/engine-client";
import type { Registry } from "@ox/metrics";
import { createSessions, type Sessions } from "@ox/sessions";
import type Redis from "ioredis";
import type { Logger } from "pino";
import { createApp, type RouteFactory } from "./app.ts";
import { apiKeyServerSecret, createApiKeyStore } from "./auth/api-keys.ts";
import { createRoleChangeHandler } from "./auth/role-change.ts";
import { createDeadManSwitch, type DeadManOptions, type DeadManSwitch } from "./dead-man.ts";
import { type ApiConfig, type AppDeps, type Clock, systemClock } from "./deps.ts";
import { createHealthHistory, type HealthHistory } from "./health-history.ts";
import { type ApiMetrics, createApiMetrics } from "./metrics.ts";
import { createBusinessMetrics } from "./metrics-business.ts";
import { createOutboxRelay, type OutboxRelay } from "./outbox-relay.ts";
import type { PaymentGateway, PayoutProvider } from "./payments/gateway.ts";
import { type CreateMarketInput, insertMarket } from "./routes/admin-markets.ts";
import { createSystemStatsProvider, type SystemStatsProvider } from "./routes/admin-stats.ts";
import type { SmsSender } from "./sms/sms.ts";
import type { StaticWeb } from "./static-web.ts";
import { createTradingSocket, type TradingSocket } from "./trading-socket.ts";
import { createWithdrawalSweeper, type WithdrawalSweeper } from "./withdrawal-sweeper.ts";

/** Everything the API talks to. The builder creates nothing that reaches outside the process. */
export interface ApiAdapters {
  config: ApiConfig;
  /** The primary: writes and reads that must see their own writes. */
  db: Db;
  /** History and analytics reads (a streaming replica); absent → `db`. */
  readDb?: Db;
  kv: Kv;
  /** The producer side of the engine's command queue (orders, and the outbox relay). */
  commandQueue: CommandQueue<CommandEnvelope>;
  /** Carries the engine's replies to this instance, and the session events the stream acts on. */
  pubsub: PubSub<unknown>;
  /** Live engine state: in process (embedded, tests) or over pub/sub (distributed). */
  reader: EngineReader;
  /** Unique per API instance: names its reply channel. */
  instanceId: string;
  /** The shard map (SHARD_MAP) of a sharded deployment: `commandQueue` routes by it, batches are split. */
  shardMap?: ShardMap;
  logger: Logger;
  clock?: Clock;
  sms: SmsSender;
  payments: PaymentGateway;
  payouts: PayoutProvider;
  /** The site's origins (CSRF, stream handshake); default from `config.PUBLIC_ORIGINS`. */
  publicOrigins?: PublicOrigins;
  /** Shared rate-limit buckets (distributed); absent → in process. The caller closes it. */
  rateLimitRedis?: Redis;
  /** Called for every request a rate limit refuses. */
  onRateLimited?: AppDeps["onRateLimited"];
  /** The process's Prometheus registry: the API adds its metrics and serves GET /metrics. */
  metricsRegistry?: Registry;
  /** Readiness checks of GET /health beyond the database, kv and command queue, by name. */
  healthChecks?: AppDeps["healthChecks"];
  /** GET /admin/stats. Default: the engine's figures from `reader`, the persister's from `persisterHealth`. */
  systemStats?: SystemStatsProvider;
  persisterHealth?: PersisterHealthProbe;
  /** The admin health page's history. Default: one sampling `systemStats` and the round-trip metric. */
  history?: HealthHistory;
  /** The built web app: a page or asset for a GET outside /api, /docs and /metrics, or null. */
  web?: StaticWeb;
  /** How long a request waits for the engine's reply (default 2 s). */
  engineTimeoutMs?: number;
  /**
   * Session records kept in memory this long (ms; @ox/sessions `cacheMs`), dropped by the session
   * events of other replicas on `pubsub`. Default 0: a Kv read per request.
   */
  sessionCacheMs?: number;
  /**
   * Outbox relay: poll interval and backoff cap (defaults 1 s and 30 s); `confirmByReply` marks a
   * row SENT on the engine's reply rather than on the queue's acceptance (an in-memory queue).
   */
  relay?: { intervalMs?: number; maxBackoffMs?: number; confirmByReply?: boolean };
  /** Routers mounted after the API's own (a test's route that throws). */
  extraRoutes?: RouteFactory[];
  /** The dead-man switch's sweep interval (default 500 ms). */
  deadMan?: Pick<DeadManOptions, "intervalMs">;
}

export interface Api {
  app: ReturnType<typeof createApp>;
  /** What the routes were given; tests read the clock, kv and config from here. */
  deps: AppDeps;
  relay: OutboxRelay;
  /** Finishes withdrawals whose engine DEBIT went unanswered. */
  withdrawals: WithdrawalSweeper;
  /** Cancel-on-disconnect: arm/refresh (`heartbeat`), `disarm`, and its sweeper (dead-man.ts). */
  deadMan: DeadManSwitch;
  gateway: EngineGateway;
  /** The API's session store and verifier; the stream's handshake uses the same one. */
  sessions: Sessions;
  /** The admin health page's in-memory history (sampled while started). */
  history: HealthHistory;
  /** GET /api/v1/ws: give `tradingSocket.websocket` to Bun.serve (`shareWebSocket` beside Socket.IO). */
  tradingSocket: TradingSocket;
  /** The site's origins; call `listening(port)` once the server listens (the development default). */
  publicOrigins: PublicOrigins;
  /** The HTTP handler: the web app's files for GET pages, the API for the rest. */
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
  /**
   * Creates a market as `actorId` without an HTTP session (the platform's demo seeding): the admin
   * route's transaction, then waits briefly until the engine has it. Returns the market id.
   */
  createMarket(actorId: string, input: CreateMarketInput): Promise<string>;
  /** Starts the outbox relay, the withdrawal sweeper, the dead-man sweeper and the health history. */
  start(): void;
  /** Stops what start() started and the reply subscription; the caller closes the adapters it passed in. */
  stop(): Promise<void>;
}

export function buildApi(adapters: ApiAdapters): Api {
  const { config, db, kv, commandQueue, reader, logger } = adapters;
  const clock = adapters.clock ?? systemClock;
  const metrics: ApiMetrics | undefined = adapters.metricsRegistry
    ? createApiMetrics(adapters.metricsRegistry)
    : undefined;
  const gateway = createQueueEngineGateway({
    queue: commandQueue,
    replies: adapters.pubsub as PubSub<CommandReply | CommandReplyBatch>,
    instanceId: adapters.instanceId,
    shardMap: adapters.shardMap,
    timeoutMs: adapters.engineTimeoutMs,
    observe: metrics?.engineRoundTrip,
  });
  const { confirmByReply, ...relayTiming } = adapters.relay ?? {};
  const relay = createOutboxRelay({
    db,
    queue: commandQueue,
    confirmWith: confirmByReply ? gateway : undefined,
    clock,
    logger,
    ...relayTiming,
  });
  // Session events for the stream (channels.sessions): it disconnects the sockets concerned.
  const sessionEvents = (event: SessionEvent) =>
    void adapters.pubsub
      .publish(channels.sessions, event)
      .catch((err) => logger.warn({ err, type: event.type }, "session event not published"));
  const sessions = createSessions({
    kv,
    secret: config.JWT_SECRET,
    clock,
    sessionTtlSec: config.SESSION_TTL_SEC,
    accessTtlSec: config.ACCESS_TOKEN_TTL_SEC,
    adminPhones: config.ADMIN_PHONES,
    onRevoked: (sid) => sessionEvents({ type: "SESSION_REVOKED", sid }),
    onRoleChanged: createRoleChangeHandler({ db, logger, sessionEvents }),
    cacheMs: adapters.sessionCacheMs ?? 0,
  });
  // Another replica's revocations and role changes drop what this one keeps of those sessions.
  const sessionsWatched =
    (adapters.sessionCacheMs ?? 0) > 0
      ? adapters.pubsub
          .subscribe(channels.sessions, (message) => {
            const e = message as SessionEvent | null;
            if (e?.type === "SESSION_REVOKED" && typeof e.sid === "string") sessions.forget(e.sid);
            else if (e?.type === "ROLE_CHANGED" && typeof e.userId === "string")
              sessions.forgetUser(e.userId);
          })
          .catch((err) => {
            logger.warn({ err }, "session events not subscribed; kept sessions expire by their age only");
            return null;
          })
      : Promise.resolve(null);
  const publicOrigins = adapters.publicOrigins ?? createPublicOrigins(config);
  const deps: AppDeps = {
    config,
    publicOrigins,
    db,
    readDb: adapters.readDb,
    kv,
    commandQueue,
    engine: gateway,
    sms: adapters.sms,
    payments: adapters.payments,
    payouts: adapters.payouts,
    clock,
    logger,
    outbox: relay,
    sessionEvents,
    metrics,
    healthChecks: adapters.healthChecks,
    rateLimitRedis: adapters.rateLimitRedis,
    onRateLimited: adapters.onRateLimited,
  };
  const withdrawals = createWithdrawalSweeper(deps);
  const deadMan = createDeadManSwitch(deps, { ...adapters.deadMan, registry: adapters.metricsRegistry });
  const business = adapters.metricsRegistry ? createBusinessMetrics(adapters.metricsRegistry, db) : undefined;
  const { persisterHealth } = adapters;
  const provider =
    adapters.systemStats ??
    createSystemStatsProvider({
      engine: () => reader.stats(),
      persister: persisterHealth ? () => persisterHealth.read() : undefined,
    });
  const systemStats: SystemStatsProvider = async () => {
    const stats = await provider();
    business?.reconciled(stats.reconcile ? stats.reconcile.differences : null);
    return stats;
  };
  const history =
    adapters.history ?? createHealthHistory({ stats: systemStats, roundTrip: metrics?.roundTripSnapshot });
  const keys = createApiKeyStore({ db, kv, serverSecret: apiKeyServerSecret(config) });
  const app = createApp(deps, {
    keys,
    sessions,
    reader,
    systemStats,
    history,
    web: adapters.web,
    extraRoutes: adapters.extraRoutes,
    deadMan,
  });
  const tradingSocket = createTradingSocket({
    fetch: (request, env) => app.fetch(request, env),
    pubsub: adapters.pubsub,
    reader,
    keys,
    sessions,
    logger: logger.child({ component: "trading-socket" }),
  });
  return {
    app,
    deps,
    tradingSocket,
    fetch: (request, server) => app.fetch(request, server),
    relay,
    withdrawals,
    deadMan,
    gateway,
    sessions,
    history,
    publicOrigins,
    async createMarket(actorId, input) {
      const row = await insertMarket(deps, actorId, input);
      relay.kick();
      for (let i = 0; i < 50 && !(await reader.market(row.id).catch(() => null)); i++) await Bun.sleep(20);
      return row.id;
    },
    start() {
      history.start();
      relay.start();
      withdrawals.start();
      deadMan.start();
    },
    async stop() {
      await tradingSocket.close();
      history.stop();
      await deadMan.stop();
      await withdrawals.stop();
      await relay.stop();
      await gateway.close();
      await (await sessionsWatched)?.();
    },
  };
}
