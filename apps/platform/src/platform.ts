/**
 * The composition root: every process (docs/architecture.md#processes) wired in one place. `npm start` runs them all in
 * one process on the embedded adapters; the same wiring runs on Redis/Kafka/Postgres when the
 * environment names them.
 */
import { join, resolve } from "node:path";
import { createApiRuntime, createSystemStatsProvider, shareWebSocket } from "@ox/api";
import { createAdapters, createWriteThroughKv } from "@ox/bus";
import { createPublicOrigins, type Env, secureDataDir } from "@ox/config";
import { createDb, createSqlKv, users } from "@ox/db";
import { createInProcessEngineReader, reconcile } from "@ox/engine-client";
import { createEngineMetrics, createEngineService, createFileSnapshotStore } from "@ox/engine-service";
import { createMetricsRegistry } from "@ox/metrics";
import { createPersister, createPersisterMetrics } from "@ox/persister";
import { createStreamMetrics, createStreamServer, SOCKET_IO_PATH } from "@ox/stream";
import type { Logger } from "pino";
import type { DemoSeedTarget } from "./demo-markets.ts";
import { startPersisterThread } from "./persister-thread.ts";
import type { PersisterWorkerData } from "./persister-worker.ts";

export interface PlatformOptions {
  env: Env;
  logger: Logger;
  webDist?: string;
}

export interface Platform {
  readonly url: string;
  readonly dataDir: string;
  readonly adapters: ReturnType<typeof createAdapters>["mode"];
  /** The interface the server listens on. */
  readonly host: string;
  /** For the demo seeding: the database and market creation without an HTTP session. */
  readonly seed: DemoSeedTarget;
  /**
   * Rejects when the engine stopped on a fatal error (a failed journal write, an engine exception,
   * a log that disagrees with its replay); the process must then exit. Resolves after stop().
   */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export async function startPlatform({ env, logger, webDist }: PlatformOptions): Promise<Platform> {
  // 0700 / 0600 before PGlite, the journal or the snapshots open anything in it.
  const dataDir = secureDataDir(env.DATA_DIR);
  // The same adapter factory as the separate processes: it honours the stream, group and topic names.
  const adapters = createAdapters({ ...env, DATA_DIR: dataDir }, { instanceId: "embedded", logger });

  const log = await adapters.log();
  // Where createAdapters keeps the file journal (packages/bus adapters.ts), for the threads that read it.
  const journalPath = join(dataDir, "journal", "events.journal");
  // One Prometheus registry for the whole process, served by the API at GET /metrics (none when
  // METRICS=off, the overhead benchmark's "B" side).
  const registry = env.METRICS === "on" ? createMetricsRegistry() : undefined;
  const persisterMetrics = registry && createPersisterMetrics(registry);

  // Storage: a Postgres server when DATABASE_URL names one, with the persister on this thread.
  // Else PGlite in the data directory, on a worker thread with the persister (persister-thread.ts):
  // PGlite's WASM Postgres and the persister's writes were half of this thread's CPU under load.
  const storage = env.DATABASE_URL
    ? await (async () => {
        const handle = await createDb({ url: env.DATABASE_URL });
        const persister = createPersister({
          log,
          db: handle.db,
          logger: logger.child({ process: "persister" }),
          maxLag: env.PERSISTER_MAX_LAG,
          stuckAfterMs: env.PERSISTER_STUCK_MS,
          metrics: persisterMetrics,
        });
        return {
          db: handle.db,
          persister,
          failed: new Promise<never>(() => {}),
          close: () => handle.close(),
        };
      })()
    : await startPersisterThread({
        data: {
          pgDir: join(dataDir, "pg"),
          // The worker reads the journal there, and through this thread if it is not that file.
          journalPath,
          // bench:e2e --profile: the worker profiles itself (Bun's --cpu-prof is the main thread's).
          cpuProfileDir: process.env.OX_WORKER_CPU_PROF_DIR || undefined,
          // The platform's logger's level: the worker's lines are written through it.
          logLevel: logger.level as PersisterWorkerData["logLevel"],
          // Fewer, larger transactions: the worker shares the machine's cores with the order path.
          lingerMs: 200,
          // A lagging persister catches up in larger transactions: PGlite's cost per record falls
          // with the batch (bench:persister: 139 ms per 1 000 records at 500, 115 at 2 000), and
          // behind the log they double up to 8 000 (bench:persister, PGlite: 10.3 ms per 1 000
          // events at 8 000, 12.8 at 2 000).
          batchSize: 2_000,
          maxBatchSize: 8_000,
          // The order path first: under a burst the storage thread waits for idle CPU (it lags,
          // reports it in health and metrics, and catches up after; apps/platform/README.md).
          nice: 19,
          maxLag: env.PERSISTER_MAX_LAG,
          stuckAfterMs: env.PERSISTER_STUCK_MS,
        },
        log,
        logger,
        metrics: persisterMetrics,
      });
  const { db, persister } = storage;
  // PGlite lays out a new cluster with explicit 0666 modes (umask does not apply to a chmod); the
  // files Postgres creates afterwards are 0600 under the umask.
  secureDataDir(dataDir);
  // Sessions, OTPs and rate limits: Redis when configured, else a table (a restart keeps sessions)
  // read through a memory cache, so an authenticated order never waits on the database.
  const kv = env.REDIS_URL ? adapters.kv : createWriteThroughKv(createSqlKv(db));
  const pubsub = adapters.pubsub();

  // Engine: recovers from the newest snapshot + the log, then consumes the queue. On the file
  // journal a worker thread that follows it takes the snapshots (engine-service snapshot-worker.ts).
  const engine = createEngineService({
    queue: adapters.engineQueue(),
    log,
    pubsub,
    snapshots: createFileSnapshotStore({ dir: join(dataDir, "snapshots"), keep: env.SNAPSHOT_KEEP }),
    snapshotEveryCommands: env.SNAPSHOT_EVERY_COMMANDS,
    snapshotEveryMs: env.SNAPSHOT_EVERY_MS,
    // At the storage thread's nice 19: under a burst the order path first; the snapshots then lag
    // (ox_engine_snapshot_age_seconds) and a restart replays more of the journal.
    ...(env.SNAPSHOT_WORKER === "on" &&
      "readPayloads" in log && { snapshotWorker: { journalPath, nice: 19 } }),
    logger: logger.child({ process: "engine" }),
    metrics: registry && createEngineMetrics(registry),
  });
  const recovered = await engine.start();
  logger.info({ recovered }, "engine recovered");

  // Persister: the log into Postgres, from the offset stored there.
  // Its committed offset against the journal's / topic's end, read at every call.
  const persisterHealth = { read: () => persister.health() };
  persister.start();

  // API: the same wiring as the API's own process (apps/api/src/runtime.ts), on the in-process reader.
  const reader = createInProcessEngineReader(engine);
  // One list of the site's origins for the API's CSRF check and the stream's handshake check.
  const publicOrigins = createPublicOrigins(env);
  const api = createApiRuntime({
    publicOrigins,
    env,
    db: db,
    kv,
    commandQueue: adapters.producerQueue(),
    pubsub,
    reader,
    instanceId: "embedded",
    logger: logger.child({ process: "api" }),
    persisterHealth,
    metricsRegistry: registry,
    webDist: webDist ?? resolve(import.meta.dir, "../../web/dist"),
    systemStats: createSystemStatsProvider({
      engine: () => engine.stats(),
      persister: () => persister.health(),
      stream: () => stream.stats(),
      // Only meaningful once Postgres has everything the engine logged; skipped while it lags.
      reconcile: async () => {
        if (persister.status().offset < engine.stats().logOffset) return null;
        const userIds = async () => (await db.select({ id: users.id }).from(users)).map((u) => u.id);
        const report = await reconcile({ db: db, engine: { ...reader, userIds } });
        return { ok: report.ok, differences: report.differences.length };
      },
    }),
  });
  const { sessions } = api;
  api.start();

  // HTTP: the API, the web app, and Socket.io on one port (one origin for the session cookie), all
  // on Bun.serve: Socket.IO runs on its Bun engine, so no request goes through node:http. Bun passes
  // its server as the fetch's env, so the API sees each client's own address (server.requestIP).
  const stream = await createStreamServer({
    bun: true,
    pubsub,
    engineReader: reader,
    cookieName: "ox_session",
    verifyToken: async (token) => {
      const auth = await sessions.authenticate(token);
      return auth ? { userId: auth.session.userId, sid: auth.session.sid } : null;
    },
    publicOrigins,
    allowedOrigins: env.ALLOWED_ORIGINS,
    maxSubscriptionsPerSocket: env.STREAM_MAX_SUBSCRIPTIONS,
    logger: logger.child({ process: "stream" }),
    metrics: registry && createStreamMetrics(registry),
  });
  const bunStream = stream.bun;
  if (!bunStream) throw new Error("the stream server did not give a Bun handler");
  const host = env.HOST ?? (env.NODE_ENV === "production" ? "0.0.0.0" : "127.0.0.1");
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      port: env.PORT,
      hostname: host,
      // Long-polling requests are held up to the ping interval: the engine says how long.
      idleTimeout: bunStream.idleTimeout,
      fetch(req, srv) {
        // The path starts after "scheme://host[:port]": no URL parse for the API's requests.
        const url = req.url;
        const pathAt = url.indexOf("/", url.indexOf("//") + 2);
        if (pathAt >= 0 && url.startsWith(SOCKET_IO_PATH, pathAt)) return bunStream.handleRequest(req, srv);
        return api.fetch(req, srv);
      },
      // Socket.IO's connections and the trading socket's (GET /api/v1/ws, upgraded by the API).
      websocket: shareWebSocket(
        api.tradingSocket.websocket,
        bunStream.websocket as Parameters<typeof shareWebSocket>[1],
      ),
    });
  } catch (err) {
    await stream.close();
    await api.stop();
    throw err;
  }
  const port = server.port ?? env.PORT;
  publicOrigins.listening(port);
  const loopback = host === "127.0.0.1" || host === "::1" || host === "localhost";

  return {
    url: `http://${loopback || host === "0.0.0.0" || host === "::" ? "localhost" : host}:${port}`,
    host,
    seed: { db: db, createMarket: api.createMarket },
    // The engine stopping on a fatal error, or the storage worker dying.
    done: Promise.race([engine.done, storage.failed]),
    dataDir,
    adapters: adapters.mode,
    async stop() {
      // Drain order: stop taking requests, let the engine finish its batch and snapshot, let the
      // persister catch up with what the engine wrote, then close storage.
      // Stop accepting; the sockets (and held polls) close with the stream; requests in flight finish.
      const stopped = server.stop();
      await stream.close();
      // Bun's stop() waits for open WebSockets: the trading socket's close now (1001), as the stream's.
      await api.tradingSocket.close();
      await stopped;
      await api.stop();
      await engine.stop();
      await persister.catchUp();
      await persister.stop();
      // Nothing reads the journal after this: the persister has stopped.
      await storage.close();
      await log.close();
    },
  };
}
