/** Live market data pushed by the socket: books (seq-checked), tickers and recent trades. */
import { create } from "zustand";
import { applyDelta, type BookDelta, type BookSnapshot, type BookState, bookFromSnapshot } from "../lib/book";

/** One trade as the market page lists it: `price` is the YES price in paise; `id` the trade seq. */
export interface Trade {
  id?: string;
  price: number;
  qty: number;
  ts: number;
}

/** The latest buy prices (paise), last YES price and volume of a market, from the socket's ticker. */
export interface Ticker {
  marketId: string;
  yesPrice?: number | null;
  noPrice?: number | null;
  lastPrice?: number | null;
  volume?: number;
  status?: string;
}

interface LiveState {
  connected: boolean;
  books: Record<string, BookState>;
  tickers: Record<string, Ticker>;
  trades: Record<string, Trade[]>;
  setConnected: (c: boolean) => void;
  snapshot: (marketId: string, s: BookSnapshot) => void;
  /** Returns false on a seq gap: the caller must re-subscribe. */
  delta: (marketId: string, d: BookDelta) => boolean;
  ticker: (t: Ticker) => void;
  trade: (marketId: string, t: Trade) => void;
  seedTrades: (marketId: string, ts: Trade[]) => void;
}

export const MAX_TRADES = 30;

export const useLive = create<LiveState>((set, get) => ({
  connected: false,
  books: {},
  tickers: {},
  trades: {},
  setConnected: (connected) => set({ connected }),
  snapshot: (marketId, s) => {
    const current = get().books[marketId];
    // An HTTP snapshot may arrive after a newer socket one; keep the newest.
    if (current && current.seq > s.seq) return;
    set({ books: { ...get().books, [marketId]: bookFromSnapshot(s) } });
  },
  delta: (marketId, d) => {
    const book = get().books[marketId];
    if (!book) return true; // no snapshot yet: the coming snapshot covers this delta
    const r = applyDelta(book, d);
    if (r.status === "gap") return false;
    if (r.status === "applied") set({ books: { ...get().books, [marketId]: r.book } });
    return true;
  },
  ticker: (t) => {
    const defined = Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as Ticker;
    set({ tickers: { ...get().tickers, [t.marketId]: { ...get().tickers[t.marketId], ...defined } } });
  },
  trade: (marketId, t) => {
    const list = get().trades[marketId] ?? [];
    if (t.id && list.some((x) => x.id === t.id)) return;
    set({ trades: { ...get().trades, [marketId]: [t, ...list].slice(0, MAX_TRADES) } });
  },
  seedTrades: (marketId, ts) => {
    const live = get().trades[marketId] ?? [];
    const ids = new Set(live.map((t) => t.id).filter(Boolean));
    const merged = [...live, ...ts.filter((t) => !t.id || !ids.has(t.id))].sort((a, b) => b.ts - a.ts);
    set({ trades: { ...get().trades, [marketId]: merged.slice(0, MAX_TRADES) } });
  },
}));
