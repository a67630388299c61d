import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { PubSub } from "@ox/bus";
import { createPublicOrigins, type PublicOrigins } from "@ox/config";
import { channels, type EventBatch, type SessionEvent } from "@ox/contracts/pipeline";
import type { BookView, EngineEvent, MarketView } from "@ox/engine";
import { Server as BunEngine } from "@socket.io/bun-engine";
import pino, { type Logger } from "pino";
import { Server, type ServerOptions, type Socket } from "socket.io";
import { readCookie, type VerifyToken } from "./auth.ts";
import { createMarketFeed, marketRoom } from "./market-feed.ts";
import { bookDeltaMsg, bookMsg, tickerMsg, tradeMsg, userMessages } from "./messages.ts";
import type { StreamMetrics } from "./metrics.ts";

/** The two live reads the stream needs; the API's EngineReader (local or remote) satisfies it. */
export interface StreamEngineReader {
  book(marketId: string): Promise<BookView | null>;
  market(marketId: string): Promise<MarketView | null>;
}

export interface StreamServerOptions {
  /**
   * Attach to this server, or listen on `port` (0 = any free port), or with `bun: true` neither:
   * Socket.IO runs on @socket.io/bun-engine and the caller serves `bun` (StreamServer) from its
   * own Bun.serve, next to its other routes (the embedded platform: one port, no node:http).
   */
  httpServer?: HttpServer;
  bun?: boolean;
  port?: number;
  host?: string;
  pubsub: PubSub<unknown>;
  /** Where the engine publishes EventBatches (channels.events). */
  eventsChannel?: string;
  engineReader: StreamEngineReader;
  /** Resolves the session cookie's token to a user id; absent = everyone is anonymous. */
  verifyToken?: VerifyToken;
  /** The API's session cookie. */
  cookieName?: string;
  /** `createAdapter(pub, sub)` of @socket.io/redis-adapter, for N stream processes. */
  redisAdapter?: ServerOptions["adapter"];
  cors?: ServerOptions["cors"];
  logger?: Logger;
  /** Minimum gap between two tickers of one market. */
  tickerIntervalMs?: number;
  /** Prometheus metrics (createStreamMetrics); absent = none. */
  metrics?: StreamMetrics;
  /**
   * A socket whose unsent packets exceed this is disconnected (checked every second): one slow
   * client must not make the process buffer without bound. Default 5 000.
   */
  maxBufferedPackets?: number;
  /**
   * The site's own origins (PUBLIC_ORIGINS, shared with the API's CSRF check). Default: this
   * server's loopback origins once it listens. The Host header is never trusted for this.
   */
  publicOrigins?: PublicOrigins;
  /**
   * Other origins whose pages may open a socket. Handshakes without an Origin (programs) pass, as
   * with the API's CSRF check.
   */
  allowedOrigins?: string[];
  /** Markets one socket may follow at once (default 50). */
  maxSubscriptionsPerSocket?: number;
  /** Where the API publishes SessionEvents (channels.sessions). */
  sessionsChannel?: string;
}

export interface StreamStats {
  /** Sockets connected to this process. */
  localSockets: number;
  /** Sockets connected to every process sharing the adapter. */
  clusterSockets: number;
  pendingSubscriptions: number;
  /** Markets with per-market state in this process (only those someone follows). */
  feeds: number;
}

/** What a Bun.serve needs to carry the stream (only with `bun: true`). */
export interface BunStreamHandler {
  /** Requests under SOCKET_IO_PATH go here. */
  handleRequest(req: Request, server: Bun.Server<unknown>): Promise<Response>;
  /** Bun.serve's `websocket` option. */
  websocket: ReturnType<BunEngine["handler"]>["websocket"];
  /** Seconds a long-polling request may stay open (Bun.serve's idleTimeout). */
  idleTimeout: number;
}

export const SOCKET_IO_PATH = "/socket.io/";

export interface StreamServer {
  readonly io: Server;
  /** The listening port; 0 with `bun: true` (the caller listens). */
  readonly port: number;
  readonly bun?: BunStreamHandler;
  stats(): Promise<StreamStats>;
  close(): Promise<void>;
}

export const userRoom = (userId: string) => `user:${userId}`;
const sessionRoom = (sid: string) => `session:${sid}`;
const MARKET_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const SNAPSHOT_ATTEMPTS = 3;

export async function createStreamServer(options: StreamServerOptions): Promise<StreamServer> {
  const log = options.logger ?? pino({ name: "stream" });
  const cookieName = options.cookieName ?? "session";
  const tickerIntervalMs = options.tickerIntervalMs ?? 100;
  // Notice a silently dropped connection within ~15 s (defaults are 25 s + 20 s), so clients
  // reconnect and resubscribe sooner.
  const pingInterval = 10_000;
  const pingTimeout = 5_000;
  const originAllowed = (origin: string | null | undefined) =>
    origin === undefined || origin === null || publicOrigins.has(origin) || allowedOrigins.has(origin);
  const httpServer = options.bun ? undefined : (options.httpServer ?? createServer());
  const bunEngine = options.bun
    ? new BunEngine({
        path: SOCKET_IO_PATH,
        pingInterval,
        pingTimeout,
        allowRequest: async (req) => {
          if (!originAllowed(req.headers.get("origin"))) throw "origin not allowed";
        },
      })
    : undefined;
  const io = new Server(httpServer, {
    adapter: options.redisAdapter,
    cors: options.cors,
    serveClient: false,
    pingInterval,
    pingTimeout,
    allowRequest: (req, callback) => callback(null, originAllowed(req.headers.origin)),
  });
  if (bunEngine) io.bind(bunEngine as unknown as Parameters<Server["bind"]>[0]);
  /** Connected engine.io clients (the Bun engine keeps them in a map and has no counter). */
  const clientsCount = (): number =>
    bunEngine
      ? ((bunEngine as unknown as { clients: Map<string, unknown> }).clients?.size ?? 0)
      : io.engine.clientsCount;
  const publicOrigins =
    options.publicOrigins ?? createPublicOrigins({ NODE_ENV: "development", PUBLIC_ORIGINS: [] });
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const maxSubscriptions = options.maxSubscriptionsPerSocket ?? 50;

  const { metrics } = options;
  const root = io.of("/");
  const hasLocal = (room: string) => (root.adapter.rooms.get(room)?.size ?? 0) > 0;
  const feed = createMarketFeed({
    emitToRoom(room, name, payload) {
      if (!hasLocal(room)) return;
      io.local.to(room).emit(name, payload);
      metrics?.emitted(name);
    },
    hasMembers: hasLocal,
  });
  const maxBuffered = options.maxBufferedPackets ?? 5_000;
  const slowCheck = setInterval(() => {
    for (const socket of io.of("/").sockets.values()) {
      const buffered = (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
      if (buffered <= maxBuffered) continue;
      log.warn({ socketId: socket.id, buffered }, "stream: slow consumer dropped");
      metrics?.slowConsumerDropped();
      socket.disconnect(true);
    }
  }, 1_000);
  slowCheck.unref?.();
  metrics?.watch({
    sockets: clientsCount,
    rooms: () => {
      let n = 0;
      for (const name of io.of("/").adapter.rooms.keys()) if (name.startsWith("market:")) n++;
      return n;
    },
  });
  /** Markets the engine confirmed; never deleted, so only real ones accumulate. */
  const knownMarkets = new Set<string>();

  const tickers = createTickerPump(options.engineReader, tickerIntervalMs, (marketId, view) =>
    feed.publish(marketId, "ticker", tickerMsg(view)),
  );

  function onEvent(e: EngineEvent) {
    if (e.type === "BOOK_DELTA") feed.publish(e.marketId, "book:delta", bookDeltaMsg(e));
    else if (e.type === "TRADE") {
      feed.publish(e.marketId, "trade", tradeMsg(e));
      tickers.touch(e.marketId);
    } else if (e.type === "MARKET_CLOSED" || e.type === "MARKET_RESOLVED") tickers.touch(e.marketId);
    // Most events concern users with no socket here: their messages are not even built.
    if (root.sockets.size === 0 || !concernsLocalUser(e)) return;
    for (const [userId, name, payload] of userMessages(e)) {
      const room = userRoom(userId);
      if (!hasLocal(room)) continue;
      io.local.to(room).emit(name, payload);
      metrics?.emitted(name);
    }
  }

  function concernsLocalUser(e: EngineEvent): boolean {
    if (e.type === "TRADE") return hasLocal(userRoom(e.makerUserId)) || hasLocal(userRoom(e.takerUserId));
    const userId = (e as { userId?: unknown }).userId;
    return typeof userId === "string" && hasLocal(userRoom(userId));
  }

  const unsubscribe = await options.pubsub.subscribe(options.eventsChannel ?? channels.events, (message) => {
    const batch = message as EventBatch;
    for (const e of batch?.events ?? []) {
      try {
        onEvent(e);
      } catch (err) {
        log.error({ err, seq: e.seq, type: e.type }, "stream: event fan-out failed");
      }
    }
  });

  // Logout revokes one session's sockets; a role change all of the user's (they reconnect and are
  // authenticated afresh).
  const unsubscribeSessions = await options.pubsub.subscribe(
    options.sessionsChannel ?? channels.sessions,
    (message) => {
      const e = message as SessionEvent;
      if (e?.type === "ROLE_CHANGED") io.local.in(userRoom(e.userId)).disconnectSockets(true);
      else if (e?.type === "SESSION_REVOKED" && e.sid)
        io.local.in(sessionRoom(e.sid)).disconnectSockets(true);
    },
  );

  io.use(async (socket, next) => {
    const token = readCookie(socket.handshake.headers.cookie, cookieName);
    const user = token && options.verifyToken ? await options.verifyToken(token) : null;
    socket.data.userId = user?.userId ?? null;
    socket.data.sid = user?.sid ?? null;
    socket.data.markets = new Set<string>();
    next();
  });

  io.on("connection", (socket) => {
    const userId = socket.data.userId as string | null;
    const sid = socket.data.sid as string | null;
    const followed = socket.data.markets as Set<string>;
    if (userId) socket.join(userRoom(userId));
    if (sid) socket.join(sessionRoom(sid));
    socket.on("subscribe", (msg: unknown, ack?: unknown) => {
      const reply = typeof ack === "function" ? (ack as (r: unknown) => void) : () => {};
      void subscribe(socket, msg, reply);
    });
    socket.on("unsubscribe", (msg: unknown) => {
      const marketId = (msg as { marketId?: unknown })?.marketId;
      if (typeof marketId !== "string" || !followed.delete(marketId)) return;
      socket.leave(marketRoom(marketId));
      feed.release(marketId, socket.id);
    });
    socket.on("disconnect", () => {
      feed.drop(socket.id);
      for (const marketId of followed) feed.release(marketId);
      followed.clear();
    });
  });

  async function marketExists(marketId: string): Promise<boolean> {
    if (knownMarkets.has(marketId)) return true;
    if (!(await options.engineReader.market(marketId))) return false;
    knownMarkets.add(marketId);
    return true;
  }

  async function subscribe(socket: Socket, msg: unknown, reply: (r: unknown) => void) {
    const marketId = (msg as { marketId?: unknown })?.marketId;
    if (typeof marketId !== "string" || !MARKET_ID.test(marketId)) {
      reply({ error: { code: "INVALID_MARKET", message: "marketId is required" } });
      return;
    }
    if (metrics && socket.rooms.has(marketRoom(marketId))) metrics.resubscribed();
    const followed = socket.data.markets as Set<string>;
    if (!followed.has(marketId) && followed.size >= maxSubscriptions) {
      reply({
        error: {
          code: "TOO_MANY_SUBSCRIPTIONS",
          message: `at most ${maxSubscriptions} markets per connection`,
        },
      });
      return;
    }
    // Per-market state only for a market that exists: unknown ids cost one engine read and nothing kept.
    try {
      if (!(await marketExists(marketId))) {
        reply({ error: { code: "MARKET_NOT_FOUND", message: `no market ${marketId}` } });
        return;
      }
    } catch (err) {
      log.warn({ err, marketId }, "stream: market lookup failed");
      reply({ error: { code: "ENGINE_UNAVAILABLE", message: "engine did not answer" } });
      return;
    }
    if (!socket.connected) return;
    followed.add(marketId);
    const failed = () => {
      followed.delete(marketId);
      feed.release(marketId);
    };
    const join = feed.begin(marketId, socket);
    try {
      for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
        const [book, market] = await Promise.all([
          options.engineReader.book(marketId),
          options.engineReader.market(marketId),
        ]);
        if (!join.current) return;
        if (!book) {
          join.cancel();
          failed();
          reply({ error: { code: "MARKET_NOT_FOUND", message: `no market ${marketId}` } });
          return;
        }
        socket.emit("book", bookMsg(book));
        metrics?.emitted("book");
        if (market) socket.emit("ticker", tickerMsg(market));
        if (join.snapshot(book.bookSeq)) {
          reply({ ok: true, seq: book.bookSeq });
          return;
        }
      }
      join.cancel();
      failed();
      reply({ error: { code: "SNAPSHOT_STALE", message: "could not bridge the snapshot to live deltas" } });
    } catch (err) {
      join.cancel();
      failed();
      log.warn({ err, marketId }, "stream: snapshot failed");
      reply({ error: { code: "ENGINE_UNAVAILABLE", message: "engine did not answer" } });
    }
  }

  if (httpServer && !options.httpServer) {
    await new Promise<void>((resolve) =>
      httpServer.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
    );
  }
  const port = (httpServer?.address() as AddressInfo | null)?.port ?? 0;
  if (httpServer && !options.httpServer) publicOrigins.listening(port);
  if (httpServer) log.info({ port }, "stream: listening");
  const bunHandler = bunEngine?.handler();

  return {
    io,
    port,
    bun: bunEngine &&
      bunHandler && {
        handleRequest: (req, server) =>
          bunEngine.handleRequest(req, server as Parameters<BunEngine["handleRequest"]>[1]),
        websocket: bunHandler.websocket,
        idleTimeout: bunHandler.idleTimeout,
      },
    async stats() {
      const all = await io.fetchSockets();
      return {
        localSockets: clientsCount(),
        clusterSockets: all.length,
        pendingSubscriptions: feed.pendingCount(),
        feeds: feed.size(),
      };
    },
    async close() {
      tickers.stop();
      clearInterval(slowCheck);
      await unsubscribe();
      await unsubscribeSessions();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

/** At most one market() read in flight per market, and at most one ticker per interval. */
function createTickerPump(
  reader: StreamEngineReader,
  intervalMs: number,
  emit: (marketId: string, view: MarketView) => void,
) {
  const dirty = new Set<string>();
  const busy = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;
  const run = async (marketId: string) => {
    dirty.delete(marketId);
    try {
      const view = await reader.market(marketId);
      if (view && !stopped) emit(marketId, view);
    } catch {
      // The next trade schedules another ticker; a missed one is harmless.
    }
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (dirty.has(marketId) && !stopped) void run(marketId);
      else busy.delete(marketId);
    }, intervalMs);
    timers.add(timer);
  };
  return {
    touch(marketId: string) {
      if (stopped) return;
      dirty.add(marketId);
      if (busy.has(marketId)) return;
      busy.add(marketId);
      void run(marketId);
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
