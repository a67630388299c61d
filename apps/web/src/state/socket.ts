/**
 * One Socket.io connection (same origin, path /socket.io, cookie auth). Market rooms are
 * ref-counted; after any reconnect every room is re-subscribed, and a `book:delta` seq gap
 * re-subscribes that market to get a fresh snapshot.
 */
import type {
  BalanceMsg,
  BookDeltaMsg,
  BookMsg,
  FillMsg,
  LevelMsg,
  OrderMsg,
  TickerMsg,
  TradeMsg,
} from "@ox/contracts";
import { io, type Socket } from "socket.io-client";
import type { BookSnapshot, Level } from "../lib/book";
import { type Ticker, type Trade, useLive } from "./live-store";

export interface UserEventHandlers {
  order?: (o: OrderMsg) => void;
  fill?: (f: FillMsg) => void;
  balance?: (b: BalanceMsg) => void;
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
  s.on("book", (p: BookMsg) => {
    if (rooms.has(p.marketId)) useLive.getState().snapshot(p.marketId, bookSnapshot(p));
  });
  s.on("book:delta", (d: BookDeltaMsg) => {
    if (!rooms.has(d.marketId)) return;
    const change = { seq: d.seq, outcome: d.outcome, price: d.pricePaise, qty: d.qty };
    if (!useLive.getState().delta(d.marketId, change)) resubscribe(d.marketId);
  });
  s.on("trade", (t: TradeMsg) => useLive.getState().trade(t.marketId, liveTrade(t)));
  s.on("ticker", (t: TickerMsg) => useLive.getState().ticker(toTicker(t)));
  s.on("order", (o: OrderMsg) => handlers.order?.(o));
  s.on("fill", (f: FillMsg) => handlers.fill?.(f));
  s.on("balance", (b: BalanceMsg) => handlers.balance?.(b));
  s.on("position", () => handlers.changed?.("position"));
  s.on("wallet", () => handlers.changed?.("wallet"));
  socket = s;
  return s;
}

const level = (l: LevelMsg): Level => ({ price: l.pricePaise, qty: l.qty });

/** A book (socket `book` or `GET /markets/{id}/orderbook`) as lib/book keeps it. */
export function bookSnapshot(m: { seq: number; yes: LevelMsg[]; no: LevelMsg[] }): BookSnapshot {
  return { seq: m.seq, yes: m.yes.map(level), no: m.no.map(level) };
}

/** A ticker as the store keeps it: the price to buy each outcome now is the ask on its side. */
export function toTicker(t: TickerMsg): Ticker {
  return {
    marketId: t.marketId,
    yesPrice: t.yesAskPaise,
    noPrice: t.noAskPaise,
    lastPrice: t.lastYesPricePaise,
    volume: t.volumeQty,
    status: t.status,
  };
}

/** A trade as the store lists it; REST (`GET /markets/{id}/trades`) and socket trades share these fields. */
export function liveTrade(t: Pick<TradeMsg, "seq" | "yesPricePaise" | "qty" | "ts">): Trade {
  return { id: String(t.seq), price: t.yesPricePaise, qty: t.qty, ts: t.ts };
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
