/**
 * One Socket.io connection (same origin, path /socket.io, cookie auth). Market rooms are
 * ref-counted; after any reconnect every room is re-subscribed, and a `book:delta` seq gap
 * re-subscribes that market to get a fresh snapshot.
 */
import { io, type Socket } from "socket.io-client";
import { normalizeBalance, normalizeFill, normalizeTrade, pick } from "../api/normalize";
import type { Balance, Fill, Order } from "../api/types";
import type { BookDelta, BookSnapshot } from "../lib/book";
import { type Ticker, useLive } from "./live-store";

export interface UserEventHandlers {
  order?: (o: Order) => void;
  fill?: (f: Fill) => void;
  balance?: (b: Balance) => void;
  /** `position` and `wallet` events: something in the portfolio or ledger changed. */
  changed?: (what: "position" | "wallet") => void;
  /** A later connection after a drop: user events sent meanwhile were lost, re-read them. */
  reconnected?: () => void;
}

let socket: Socket | null = null;
const rooms = new Map<string, number>();
let handlers: UserEventHandlers = {};

export function setUserEventHandlers(h: UserEventHandlers) {
  handlers = h;
}

function marketIdOf(p: { marketId?: string } | null | undefined): string | undefined {
  return p?.marketId;
}

function connect(): Socket {
  if (socket) return socket;
  const s = io({ path: "/socket.io", withCredentials: true, transports: ["websocket", "polling"] });
  const live = useLive.getState();
  let connectedBefore = false;
  s.on("connect", () => {
    live.setConnected(true);
    for (const marketId of rooms.keys()) s.emit("subscribe", { marketId });
    if (connectedBefore) handlers.reconnected?.();
    connectedBefore = true;
  });
  s.on("disconnect", () => live.setConnected(false));
  s.on("connect_error", () => live.setConnected(false));
  s.on("book", (p: BookSnapshot & { marketId: string }) => {
    const id = marketIdOf(p);
    if (id && rooms.has(id)) useLive.getState().snapshot(id, p);
  });
  s.on("book:delta", (d: BookDelta & { marketId: string }) => {
    const id = marketIdOf(d);
    if (!id || !rooms.has(id)) return;
    if (!useLive.getState().delta(id, d)) resubscribe(id);
  });
  s.on("trade", (t: Record<string, unknown> & { marketId: string }) => {
    const id = marketIdOf(t);
    if (id) useLive.getState().trade(id, normalizeTrade(t));
  });
  s.on("ticker", (t: Record<string, unknown> & { marketId: string }) => {
    if (t?.marketId) useLive.getState().ticker(toTicker(t));
  });
  s.on("order", (o: Order) => handlers.order?.(o));
  s.on("fill", (f: Record<string, unknown>) => handlers.fill?.(normalizeFill(f) as Fill));
  s.on("balance", (b: unknown) => handlers.balance?.(normalizeBalance(b)));
  s.on("position", () => handlers.changed?.("position"));
  s.on("wallet", () => handlers.changed?.("wallet"));
  socket = s;
  return s;
}

/** Stream tickers carry `yesAsk`/`noAsk` (the price to buy each outcome now); older shapes `yesPrice`. */
export function toTicker(t: Record<string, unknown> & { marketId: string }): Ticker {
  const yesBid = pick(t, "yesBid");
  const noBid = pick(t, "noBid");
  const has = (k: string) => k in t;
  return {
    marketId: t.marketId,
    yesPrice:
      pick(t, "yesPrice", "yesAsk") ??
      (noBid !== null ? 1000 - noBid : has("yesAsk") || has("yesPrice") ? null : undefined),
    noPrice:
      pick(t, "noPrice", "noAsk") ??
      (yesBid !== null ? 1000 - yesBid : has("noAsk") || has("noPrice") ? null : undefined),
    lastPrice: pick(t, "lastPrice", "lastYesPrice"),
    volume: pick(t, "volume", "volumeQty") ?? undefined,
    status: typeof t.status === "string" ? t.status.toUpperCase() : undefined,
  };
}

export function resubscribe(marketId: string) {
  const s = connect();
  s.emit("unsubscribe", { marketId });
  s.emit("subscribe", { marketId });
}

/** Join a market room; returns the leave function (for a React effect's cleanup). */
export function subscribeMarket(marketId: string): () => void {
  const s = connect();
  const n = rooms.get(marketId) ?? 0;
  rooms.set(marketId, n + 1);
  if (n === 0 && s.connected) s.emit("subscribe", { marketId });
  return () => {
    const left = (rooms.get(marketId) ?? 1) - 1;
    if (left > 0) rooms.set(marketId, left);
    else {
      rooms.delete(marketId);
      socket?.emit("unsubscribe", { marketId });
    }
  };
}

/** Start the connection early so tickers and user events flow on every page. */
export function ensureSocket() {
  connect();
}

/** The session cookie changed (login/logout): reconnect so the server re-authenticates the socket. */
export function reauthenticateSocket() {
  if (!socket) return connect();
  socket.disconnect();
  socket.connect();
}

/** For tests and the e2e: force a drop to exercise reconnect. */
export function dropSocketForTest() {
  socket?.io.engine?.close();
}
