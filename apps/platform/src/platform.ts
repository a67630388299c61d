/**
 * The composition root: every process of SPEC §5 wired in one place. `npm start` runs them all in
 * one process on the embedded adapters; the same wiring runs on Redis/Kafka/Postgres when the
 * environment names them.
 */
import { existsSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { getRequestListener } from "@hono/node-server";
import {
  type Env,
  createApp,
  createConsoleSms,
  createOutboxRelay,
  createQueueEngineGateway,
  createInProcessEngineReader,
  createSandboxGateway,
  createSandboxPayouts,
  createSessions,
  createTwilioSms,
  systemClock,
  tradingRoutes,
} from "@ox/api";
import type { PubSub } from "@ox/bus";
import type { CommandReply } from "@ox/contracts/pipeline";
import { createDb, createSqlKv } from "@ox/db";
import { createEngineService, createFileSnapshotStore } from "@ox/engine-service";
import { createPersister } from "@ox/persister";
import { createStreamServer } from "@ox/stream";
import type { Logger } from "pino";
import { createAdapters } from "./adapters.ts";
import { createStaticWeb } from "./static-web.ts";

export interface PlatformOptions {
  env: Env;
  logger: Logger;
  webDist?: string;
}

export interface Platform {
  readonly url: string;
  readonly dataDir: string;
  readonly adapters: ReturnType<typeof createAdapters>["mode"];
  stop(): Promise<void>;
}

export async function startPlatform({ env, logger, webDist }: PlatformOptions): Promise<Platform> {
  const dataDir = resolve(env.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const adapters = createAdapters(
    { dataDir, redisUrl: env.REDIS_URL, kafkaBrokers: env.KAFKA_BROKERS, instanceId: "embedded" },
    logger,
  );

  // Storage: PGlite in the data directory unless DATABASE_URL names a server.
  const database = await createDb(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: join(dataDir, "pg") });
  // Sessions, OTPs and rate limits: Redis when configured, else a table, so a restart keeps sessions.
  const kv = env.REDIS_URL ? adapters.kv : createSqlKv(database.db);
  const log = await adapters.log();
  const pubsub = adapters.pubsub();

  // Engine: recovers from the newest snapshot + the log, then consumes the queue.
  const engine = createEngineService({
    queue: adapters.engineQueue(),
    log,
    pubsub,
    snapshots: createFileSnapshotStore({ dir: join(dataDir, "snapshots") }),
    logger: logger.child({ process: "engine" }),
  });
  const recovered = await engine.start();
  logger.info({ recovered }, "engine recovered");

  // Persister: the log into Postgres, from the offset stored there.
  const persister = createPersister({ log, db: database.db, logger: logger.child({ process: "persister" }) });
  persister.start();

  // API.
  const producer = adapters.producerQueue();
  const clock = systemClock;
  const apiLogger = logger.child({ process: "api" });
  const relay = createOutboxRelay({ db: database.db, queue: producer, clock, logger: apiLogger });
  const reader = createInProcessEngineReader(engine);
  const sms =
    env.SMS_PROVIDER === "twilio"
      ? createTwilioSms({
          accountSid: env.TWILIO_ACCOUNT_SID ?? "",
          authToken: env.TWILIO_AUTH_TOKEN ?? "",
          from: env.TWILIO_FROM ?? "",
          baseUrl: env.TWILIO_BASE_URL,
        })
      : createConsoleSms((line) => apiLogger.info({ sms: line }, "console SMS (development only)"));
  const app = createApp(
    {
      config: env,
      db: database.db,
      kv,
      commandQueue: producer,
      engine: createQueueEngineGateway({
        queue: producer,
        replies: pubsub as PubSub<CommandReply>,
        instanceId: "embedded",
      }),
      sms,
      payments: createSandboxGateway(),
      payouts: createSandboxPayouts(),
      clock,
      logger: apiLogger,
      outbox: relay,
      healthChecks: {
        engine: async () => {
          await reader.stats();
        },
      },
    },
    { routes: tradingRoutes({ reader }) },
  );
  relay.start();

  // HTTP: the API, the web app, and Socket.io on one port (one origin for the session cookie).
  const web = createStaticWeb(webDist ?? resolve(import.meta.dir, "../../web/dist"));
  const apiListener = getRequestListener(async (req) => {
    const { pathname } = new URL(req.url);
    if (req.method === "GET" && !pathname.startsWith("/api/") && pathname !== "/docs") {
      const page = web(pathname);
      if (page) return page;
    }
    return app.fetch(req);
  });
  // Socket.io attaches its own request listener in front of this one for /socket.io/.
  const server: Server = createServer((req, res) => void apiListener(req, res));
  const sessions = createSessions({
    kv,
    secret: env.JWT_SECRET,
    clock,
    sessionTtlSec: env.SESSION_TTL_SEC,
    accessTtlSec: env.ACCESS_TOKEN_TTL_SEC,
  });
  const stream = await createStreamServer({
    httpServer: server,
    pubsub,
    engineReader: reader,
    cookieName: "ox_session",
    verifyToken: async (token) => (await sessions.authenticate(token))?.session.userId ?? null,
    logger: logger.child({ process: "stream" }),
  });
  await new Promise<void>((r) => server.listen(env.PORT, r));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://localhost:${port}`,
    dataDir,
    adapters: adapters.mode,
    async stop() {
      // Drain order: stop taking requests, let the engine finish its batch and snapshot, let the
      // persister catch up with what the engine wrote, then close storage.
      await new Promise<void>((r) => server.close(() => r()));
      await stream.close();
      await relay.stop();
      await engine.stop();
      await persister.catchUp();
      await persister.stop();
      await log.close();
      await database.close();
    },
  };
}

export function webDistExists(dir: string) {
  return existsSync(join(dir, "index.html"));
}
