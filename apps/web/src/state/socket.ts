/**
 * One Socket.io connection (same origin, path /socket.io, cookie auth). Market rooms are
 * ref-counted; after any reconnect every room is re-subscribed, and a `book:delta` seq gap
 * re-subscribes that market to get a fresh snapshot.
 */
import { io, type Socket } from "socket.io-client";
import type { Balance, Fill, Order, Trade } from "../api/types";
import type { BookDelta, BookSnapshot } from "../lib/book";
import { type Ticker, useLive } from "./live-store";

export interface UserEventHandlers {
  order?: (o: Order) => void;
  fill?: (f: Fill) => void;
  balance?: (b: Balance) => void;
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
  s.on("connect", () => {
    live.setConnected(true);
    for (const marketId of rooms.keys()) s.emit("subscribe", { marketId });
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
  s.on("trade", (t: Trade & { marketId: string }) => {
    const id = marketIdOf(t);
    if (id) useLive.getState().trade(id, { ...t, ts: t.ts ?? Date.now() });
  });
  s.on("ticker", (t: Ticker) => {
    if (t?.marketId) useLive.getState().ticker(t);
  });
  s.on("order", (o: Order) => handlers.order?.(o));
  s.on("fill", (f: Fill) => handlers.fill?.(f));
  s.on("balance", (b: Balance) => handlers.balance?.(b));
  socket = s;
  return s;
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
