/**
 * The trading socket (packages/contracts trading-socket.ts; README "Trading programmatically"): a
 * plain WebSocket at /api/v1/ws on the API's own port, in both deployments (the API process's
 * Bun.serve and the embedded platform's). Programs place, cancel and subscribe over one connection.
 *
 * One code path with HTTP: the handshake is an ordinary route behind the API's auth middleware
 * (signature with timestamp skew and replay checks, or the session cookie), and every order
 * message is answered by the HTTP route itself, called in process (`app.fetch`) as the socket's
 * caller: the same validation, rate limits per tier, idempotency and error codes. The caller rides
 * in the fetch's env under a module-private symbol, which no request from the network can carry.
 *
 * Fills, order events and book deltas come from the engine's event fan-out (channels.events on the
 * API's pub/sub, as the stream gets them), subscribed once per process while a socket is open.
 */
import type { PubSub } from "@ox/bus";
import {
  bookDeltaMsg,
  bookMsg,
  fillMsg,
  type OrderEventMsg,
  TRADING_SOCKET_CLOSE,
  TRADING_SOCKET_MAX_BOOKS,
  TRADING_SOCKET_MAX_MESSAGE_BYTES,
  TRADING_SOCKET_MAX_QUEUED,
  TradingClientMessage,
  type TradingServerMessage,
} from "@ox/contracts";
import { channels, type EventBatch, type SessionEvent } from "@ox/contracts/pipeline";
import type { EngineEvent } from "@ox/engine";
import type { EngineReader } from "@ox/engine-client";
import type { Sessions } from "@ox/sessions";
import type { ServerWebSocket, WebSocketHandler } from "bun";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { AppEnv } from "./app-env.ts";
import { validationMessage } from "./app-env.ts";
import type { ApiKeyStore } from "./auth/api-keys.ts";
import { ApiError } from "./errors.ts";
import { authorizeKey } from "./middleware/signed-auth.ts";

/** Who a connection is, fixed at the handshake; `token` follows the session's sliding refresh. */
export type SocketCaller =
  | { kind: "key"; keyId: string; userId: string; ip: string }
  | { kind: "session"; sid: string; userId: string; ip: string; token: string };

const SOCKET_CALLER = Symbol("ox.trading-socket.caller");

/** The socket caller of an in-process request from a trading socket, else undefined. */
export function socketCallerOf(c: Context): SocketCaller | undefined {
  const env = c.env as Record<symbol, unknown> | undefined;
  if (!env || typeof env !== "object") return undefined;
  return env[SOCKET_CALLER] as SocketCaller | undefined;
}

/**
 * Auth of a socket's message: the key is looked up again (a revoked key is refused from its next
 * message) with its address and the route's scope, or the session is authenticated again.
 */
export function socketAuth(options: {
  keys: ApiKeyStore;
  sessions: Sessions;
  adminPhones: readonly string[];
}): MiddlewareHandler<AppEnv> {
  const admins = new Set(options.adminPhones);
  return async function socketAuthMiddleware(c, next) {
    const caller = socketCallerOf(c) as SocketCaller;
    if (caller.kind === "key") {
      const record = await options.keys.lookup(caller.keyId);
      if (record === null) throw new ApiError("API_KEY_UNKNOWN", "no such API key");
      if (record === "revoked") throw new ApiError("API_KEY_REVOKED", "this API key was revoked");
      if (record.allowIps && !record.allowIps.includes(caller.ip))
        throw new ApiError("API_KEY_IP_REFUSED", "this API key may not be used from this address");
      authorizeKey(c, admins, caller.keyId, record, new URL(c.req.url).pathname);
    } else {
      const auth = await options.sessions.authenticate(caller.token);
      if (!auth) throw new ApiError("UNAUTHENTICATED", "the session ended; sign in again");
      if (auth.refreshedToken) caller.token = auth.refreshedToken;
      c.set("session", auth.session);
    }
    return next();
  };
}

/** What Bun keeps per connection (`ws.data`); `oxTrading` tells it from Socket.IO's in one server. */
export interface TradingSocketData {
  oxTrading: Connection;
}

type Ws = ServerWebSocket<TradingSocketData>;
type ServerMsg = TradingServerMessage extends infer M
  ? M extends { seq: number }
    ? Omit<M, "seq">
    : never
  : never;

interface Connection {
  readonly caller: SocketCaller;
  ws: Ws | null;
  seq: number;
  queue: TradingClientMessage[];
  busy: boolean;
  closed: boolean;
  /** Followed markets: null while the snapshot is being read (deltas buffered), then live. */
  books: Map<string, { buffer: EngineEvent[] } | null>;
  orders: boolean;
}

/** Unsent bytes on one connection beyond which it is closed (TRADING_SOCKET_CLOSE.SLOW_CONSUMER). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** How often every connection's key or session is checked again, for one that sends nothing. */
const RECHECK_MS = 5_000;
const SNAPSHOT_ATTEMPTS = 3;

export interface TradingSocketOptions {
  /** The API's own handler: every order message is one in-process call of an HTTP route. */
  fetch(request: Request, env: unknown): Response | Promise<Response>;
  pubsub: PubSub<unknown>;
  reader: EngineReader;
  keys: ApiKeyStore;
  sessions: Sessions;
  logger: Logger;
}

export interface TradingSocket {
  /** Bun.serve's `websocket` option (or one branch of it: shareWebSocket). */
  readonly websocket: WebSocketHandler<TradingSocketData>;
  /** Connections open on this process. */
  connections(): number;
  /** Closes every connection (1001) and the event subscription. */
  close(): Promise<void>;
}

const isApiError = (body: unknown): body is { error: { code: string; message: string } } =>
  typeof (body as { error?: { code?: unknown } })?.error?.code === "string";

function orderEvent(e: EngineEvent): [userId: string, OrderEventMsg] | null {
  if (e.type === "ORDER_ACCEPTED")
    return [
      e.userId,
      {
        event: "accepted",
        orderId: e.orderId,
        marketId: e.marketId,
        clientOrderId: e.clientOrderId,
        outcome: e.outcome,
        side: e.side,
        type: e.orderType,
        pricePaise: e.pricePaise,
        quantity: e.qty,
        ts: e.ts,
      },
    ];
  if (e.type === "ORDER_REJECTED")
    return [
      e.userId,
      {
        event: "rejected",
        orderId: e.orderId,
        marketId: e.marketId,
        clientOrderId: e.clientOrderId,
        code: e.code,
        ts: e.ts,
      },
    ];
  if (e.type === "ORDER_AMENDED")
    return [
      e.userId,
      {
        event: "amended",
        orderId: e.orderId,
        marketId: e.marketId,
        clientAmendId: e.clientAmendId,
        pricePaise: e.pricePaise,
        quantity: e.qty,
        remainingQty: e.remainingQty,
        priorityKept: e.priorityKept,
        ts: e.ts,
      },
    ];
  if (e.type === "ORDER_CLOSED")
    return [
      e.userId,
      {
        event: "closed",
        orderId: e.orderId,
        marketId: e.marketId,
        status: e.status,
        reason: e.reason,
        filledQty: e.filledQty,
        cancelledQty: e.cancelledQty,
        ts: e.ts,
      },
    ];
  return null;
}

export function createTradingSocket(options: TradingSocketOptions): TradingSocket {
  const { logger, reader } = options;
  const open = new Set<Connection>();
  const byUser = new Map<string, Set<Connection>>();
  const byMarket = new Map<string, Set<Connection>>();
  /** The last bookSeq this process saw per market: a snapshot older than it missed deltas. */
  const lastBookSeq = new Map<string, number>();
  let subscription: Promise<Array<() => Promise<void>>> | null = null;
  let recheck: ReturnType<typeof setInterval> | null = null;

  const index = <K>(map: Map<K, Set<Connection>>, key: K, conn: Connection, add: boolean) => {
    let set = map.get(key);
    if (add) {
      if (!set) {
        set = new Set();
        map.set(key, set);
      }
      set.add(conn);
    } else if (set) {
      set.delete(conn);
      if (set.size === 0) map.delete(key);
    }
  };

  function send(conn: Connection, msg: ServerMsg) {
    const ws = conn.ws;
    if (!ws || conn.closed) return;
    conn.seq += 1;
    ws.send(JSON.stringify({ ...msg, seq: conn.seq }));
    if (ws.getBufferedAmount() > MAX_BUFFERED_BYTES) {
      logger.warn({ userId: conn.caller.userId }, "trading socket: slow consumer closed");
      shut(conn, TRADING_SOCKET_CLOSE.SLOW_CONSUMER, "slow consumer");
    }
  }
  const fail = (conn: Connection, id: string | null, code: string, message: string, retryAfterSec?: number) =>
    send(conn, {
      type: "error",
      id,
      error: retryAfterSec === undefined ? { code, message } : { code, message, retryAfterSec },
    });

  function shut(conn: Connection, code: number, reason: string) {
    if (conn.closed) return;
    conn.closed = true;
    conn.ws?.close(code, reason);
  }

  function onEvent(e: EngineEvent) {
    if (e.type === "BOOK_DELTA") {
      lastBookSeq.set(e.marketId, e.bookSeq);
      const conns = byMarket.get(e.marketId);
      if (!conns) return;
      for (const conn of conns) {
        const state = conn.books.get(e.marketId);
        if (state === undefined) continue;
        if (state === null) send(conn, { type: "book_delta", data: bookDeltaMsg(e) });
        else state.buffer.push(e);
      }
      return;
    }
    if (e.type === "TRADE") {
      for (const role of ["MAKER", "TAKER"] as const) {
        const userId = role === "MAKER" ? e.makerUserId : e.takerUserId;
        for (const conn of byUser.get(userId) ?? [])
          if (conn.orders) send(conn, { type: "fill", data: fillMsg(e, role) });
      }
      return;
    }
    const order = orderEvent(e);
    if (!order) return;
    for (const conn of byUser.get(order[0]) ?? [])
      if (conn.orders) send(conn, { type: "order", data: order[1] });
  }

  /** The event and session channels, subscribed at the first connection and kept until close(). */
  function subscribe() {
    subscription ??= Promise.all([
      options.pubsub.subscribe(channels.events, (message) => {
        for (const e of (message as EventBatch)?.events ?? []) {
          try {
            onEvent(e);
          } catch (err) {
            logger.error({ err, seq: e.seq, type: e.type }, "trading socket: event fan-out failed");
          }
        }
      }),
      options.pubsub.subscribe(channels.sessions, (message) => {
        const e = message as SessionEvent;
        for (const conn of open) {
          const c = conn.caller;
          const ended =
            (e?.type === "SESSION_REVOKED" && c.kind === "session" && c.sid === e.sid) ||
            (e?.type === "ROLE_CHANGED" && c.userId === e.userId);
          if (ended) shut(conn, TRADING_SOCKET_CLOSE.UNAUTHENTICATED, "session ended");
        }
      }),
    ]);
    recheck ??= setInterval(() => void recheckAll(), RECHECK_MS);
    recheck.unref?.();
    return subscription;
  }

  /** A connection whose key was revoked or whose session ended is closed even if it sends nothing. */
  async function recheckAll() {
    for (const conn of open) {
      const c = conn.caller;
      try {
        let live: boolean;
        if (c.kind === "key") live = typeof (await options.keys.lookup(c.keyId)) === "object";
        else {
          const auth = await options.sessions.authenticate(c.token);
          if (auth?.refreshedToken) c.token = auth.refreshedToken;
          live = auth !== null;
        }
        if (!live) shut(conn, TRADING_SOCKET_CLOSE.UNAUTHENTICATED, "unauthenticated");
      } catch {
        // The Kv is down: the next message's own check decides.
      }
    }
  }

  /** One HTTP route, called in process as this connection's caller. */
  async function call(conn: Connection, method: string, path: string, body?: unknown) {
    const env = {
      [SOCKET_CALLER]: conn.caller,
      // clientIp(): the handshake's client address (already resolved through TRUSTED_PROXIES).
      requestIP: () => ({ address: conn.caller.ip }),
    };
    const init: RequestInit = { method, headers: { accept: "application/json" } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { ...init.headers, "content-type": "application/json" };
    }
    const res = await options.fetch(new Request(`http://trading-socket${path}`, init), env);
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    const retryAfter = res.headers.get("retry-after");
    return { status: res.status, body: json, retryAfterSec: retryAfter ? Number(retryAfter) : undefined };
  }

  /** Answers one message with the route's body as the ack, or its error; an ended auth closes. */
  async function route(
    conn: Connection,
    msg: { id: string; type: "place" | "cancel" | "amend" | "cancel_all" | "heartbeat" },
    method: string,
    path: string,
    body?: unknown,
  ): Promise<unknown | null> {
    const res = await call(conn, method, path, body);
    if (res.status < 300) return res.body;
    if (isApiError(res.body)) {
      fail(conn, msg.id, res.body.error.code, res.body.error.message, res.retryAfterSec);
      const code = res.body.error.code;
      if (code === "API_KEY_REVOKED" || code === "UNAUTHENTICATED" || code === "API_KEY_UNKNOWN")
        shut(conn, TRADING_SOCKET_CLOSE.UNAUTHENTICATED, "unauthenticated");
    } else fail(conn, msg.id, "INTERNAL", `HTTP ${res.status}`);
    return null;
  }

  /** Key callers need `read` to follow a market or their orders (checked again, a key may be revoked). */
  async function mayRead(conn: Connection, id: string): Promise<boolean> {
    const c = conn.caller;
    if (c.kind === "session") {
      const auth = await options.sessions.authenticate(c.token);
      if (auth?.refreshedToken) c.token = auth.refreshedToken;
      if (auth) return true;
      fail(conn, id, "UNAUTHENTICATED", "the session ended; sign in again");
      shut(conn, TRADING_SOCKET_CLOSE.UNAUTHENTICATED, "unauthenticated");
      return false;
    }
    const record = await options.keys.lookup(c.keyId);
    if (record === null || record === "revoked") {
      fail(conn, id, "API_KEY_REVOKED", "this API key was revoked");
      shut(conn, TRADING_SOCKET_CLOSE.UNAUTHENTICATED, "unauthenticated");
      return false;
    }
    if (record.scopes.includes("read")) return true;
    fail(conn, id, "API_KEY_SCOPE", 'this API key lacks the "read" scope');
    return false;
  }

  /** Snapshot, then the deltas after it: none missed, none twice (the stream's join, per connection). */
  async function followBook(conn: Connection, id: string, marketId: string) {
    if (!conn.books.has(marketId) && conn.books.size >= TRADING_SOCKET_MAX_BOOKS) {
      fail(conn, id, "TOO_MANY_SUBSCRIPTIONS", `at most ${TRADING_SOCKET_MAX_BOOKS} markets per connection`);
      return;
    }
    await subscribe();
    for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
      const pending = { buffer: [] as EngineEvent[] };
      conn.books.set(marketId, pending);
      index(byMarket, marketId, conn, true);
      const seen = lastBookSeq.get(marketId) ?? -1;
      let book: Awaited<ReturnType<EngineReader["book"]>>;
      try {
        book = await reader.book(marketId);
      } catch {
        forget(conn, marketId);
        fail(conn, id, "ENGINE_UNAVAILABLE", "the engine did not answer; retry shortly", 2);
        return;
      }
      if (!book) {
        forget(conn, marketId);
        fail(conn, id, "MARKET_NOT_FOUND", "no such market");
        return;
      }
      if (conn.books.get(marketId) !== pending) return; // unsubscribed meanwhile
      const after = pending.buffer.filter((d) => d.type === "BOOK_DELTA" && d.bookSeq > book.bookSeq);
      const first = after[0];
      const bridged =
        seen <= book.bookSeq &&
        (!first || (first.type === "BOOK_DELTA" && first.bookSeq === book.bookSeq + 1));
      if (!bridged) continue;
      send(conn, {
        type: "ack",
        id,
        op: "subscribe",
        result: { channel: "book", marketId, bookSeq: book.bookSeq },
      });
      send(conn, { type: "book", data: bookMsg(book) });
      for (const d of after)
        if (d.type === "BOOK_DELTA") send(conn, { type: "book_delta", data: bookDeltaMsg(d) });
      conn.books.set(marketId, null);
      return;
    }
    forget(conn, marketId);
    fail(conn, id, "SNAPSHOT_STALE", "could not bridge the snapshot to the live deltas; subscribe again");
  }

  function forget(conn: Connection, marketId: string) {
    conn.books.delete(marketId);
    index(byMarket, marketId, conn, false);
  }

  async function handle(conn: Connection, msg: TradingClientMessage) {
    switch (msg.type) {
      case "ping":
        send(conn, { type: "pong", id: msg.id });
        return;
      case "place": {
        const result = await route(conn, msg, "POST", "/api/v1/orders", msg.order);
        if (result) send(conn, { type: "ack", id: msg.id, op: "place", result });
        return;
      }
      case "cancel": {
        const path = `/api/v1/orders/${encodeURIComponent(msg.orderId)}`;
        const result = await route(conn, msg, "DELETE", path);
        if (result) send(conn, { type: "ack", id: msg.id, op: "cancel", result });
        return;
      }
      case "amend": {
        const path = `/api/v1/orders/${encodeURIComponent(msg.orderId)}`;
        const result = await route(conn, msg, "PATCH", path, msg.amend);
        if (result) send(conn, { type: "ack", id: msg.id, op: "amend", result });
        return;
      }
      case "cancel_all": {
        // One CANCEL_ALL engine command (DELETE /orders), in one market or in every market.
        const query = msg.marketId ? `?marketId=${encodeURIComponent(msg.marketId)}` : "";
        const result = await route(conn, msg, "DELETE", `/api/v1/orders${query}`);
        if (result) send(conn, { type: "ack", id: msg.id, op: "cancel_all", result });
        return;
      }
      case "heartbeat": {
        // The dead-man switch (POST /heartbeat): a socket that closes leaves it armed, so it fires.
        const result = await route(conn, msg, "POST", "/api/v1/heartbeat", { timeoutMs: msg.timeoutMs });
        if (result) send(conn, { type: "ack", id: msg.id, op: "heartbeat", result });
        return;
      }
      case "subscribe":
        if (!(await mayRead(conn, msg.id))) return;
        if (msg.channel === "book") {
          await followBook(conn, msg.id, msg.marketId);
          return;
        }
        await subscribe();
        conn.orders = true;
        send(conn, { type: "ack", id: msg.id, op: "subscribe", result: { channel: "orders" } });
        return;
      case "unsubscribe":
        if (msg.channel === "book") {
          if (!msg.marketId) {
            fail(conn, msg.id, "VALIDATION_ERROR", "marketId: required for the book channel");
            return;
          }
          forget(conn, msg.marketId);
        } else conn.orders = false;
        send(conn, {
          type: "ack",
          id: msg.id,
          op: "unsubscribe",
          result: msg.marketId ? { channel: msg.channel, marketId: msg.marketId } : { channel: msg.channel },
        });
        return;
    }
  }

  /** One message at a time, in the order sent (a cancel never overtakes the place before it). */
  async function drain(conn: Connection) {
    if (conn.busy) return;
    conn.busy = true;
    try {
      for (let msg = conn.queue.shift(); msg && !conn.closed; msg = conn.queue.shift()) {
        try {
          await handle(conn, msg);
        } catch (err) {
          logger.error({ err, type: msg.type }, "trading socket: message failed");
          fail(conn, msg.id, "INTERNAL", "internal error");
        }
      }
    } finally {
      conn.busy = false;
    }
  }

  function receive(conn: Connection, raw: string | Buffer) {
    const size = typeof raw === "string" ? Buffer.byteLength(raw) : raw.byteLength;
    if (size > TRADING_SOCKET_MAX_MESSAGE_BYTES) {
      fail(conn, null, "VALIDATION_ERROR", `a message is at most ${TRADING_SOCKET_MAX_MESSAGE_BYTES} bytes`);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(typeof raw === "string" ? raw : raw.toString("utf8"));
    } catch {
      fail(conn, null, "VALIDATION_ERROR", "a message is one JSON object");
      return;
    }
    const rawId = (json as { id?: unknown })?.id;
    const id = typeof rawId === "string" && /^[A-Za-z0-9_.:-]{1,64}$/.test(rawId) ? rawId : null;
    const parsed = TradingClientMessage.safeParse(json);
    if (!parsed.success) {
      fail(conn, id, "VALIDATION_ERROR", validationMessage(parsed.error, "message"));
      return;
    }
    if (conn.queue.length >= TRADING_SOCKET_MAX_QUEUED) {
      fail(conn, parsed.data.id, "RATE_LIMITED", `at most ${TRADING_SOCKET_MAX_QUEUED} messages waiting`, 1);
      return;
    }
    conn.queue.push(parsed.data);
    void drain(conn);
  }

  const websocket: WebSocketHandler<TradingSocketData> = {
    maxPayloadLength: TRADING_SOCKET_MAX_MESSAGE_BYTES * 2,
    open(ws) {
      const conn = ws.data.oxTrading;
      conn.ws = ws;
      open.add(conn);
      index(byUser, conn.caller.userId, conn, true);
      void subscribe();
    },
    message(ws, raw) {
      receive(ws.data.oxTrading, raw);
    },
    close(ws) {
      const conn = ws.data.oxTrading;
      conn.closed = true;
      conn.ws = null;
      conn.queue.length = 0;
      open.delete(conn);
      index(byUser, conn.caller.userId, conn, false);
      for (const marketId of conn.books.keys()) index(byMarket, marketId, conn, false);
      conn.books.clear();
    },
  };

  return {
    websocket,
    connections: () => open.size,
    async close() {
      for (const conn of open) shut(conn, 1001, "server stopping");
      if (recheck) clearInterval(recheck);
      recheck = null;
      const subs = subscription;
      subscription = null;
      if (subs) for (const unsubscribe of await subs) await unsubscribe();
    },
  };
}

/** A new connection's `ws.data` for a caller the handshake authenticated. */
export function tradingSocketData(caller: SocketCaller): TradingSocketData {
  return {
    oxTrading: {
      caller,
      ws: null,
      seq: 0,
      queue: [],
      busy: false,
      closed: false,
      books: new Map(),
      orders: false,
    },
  };
}

/**
 * One Bun.serve `websocket` for the trading socket and another (Socket.IO's Bun engine): each
 * connection goes to the handler that upgraded it, told apart by `ws.data.oxTrading`.
 */
export function shareWebSocket(
  trading: WebSocketHandler<TradingSocketData>,
  other: WebSocketHandler<unknown>,
): WebSocketHandler<unknown> {
  const mine = (ws: ServerWebSocket<unknown>): ws is ServerWebSocket<TradingSocketData> =>
    Boolean((ws.data as Partial<TradingSocketData> | undefined)?.oxTrading);
  return {
    ...other,
    // The larger limit; each handler checks its own.
    maxPayloadLength: Math.max(other.maxPayloadLength ?? 16 * 1024 * 1024, trading.maxPayloadLength ?? 0),
    open(ws) {
      return mine(ws) ? trading.open?.(ws) : other.open?.(ws);
    },
    message(ws, message) {
      return mine(ws) ? trading.message?.(ws, message) : other.message?.(ws, message);
    },
    close(ws, code, reason) {
      return mine(ws) ? trading.close?.(ws, code, reason) : other.close?.(ws, code, reason);
    },
    drain(ws) {
      return mine(ws) ? trading.drain?.(ws) : other.drain?.(ws);
    },
  };
}
