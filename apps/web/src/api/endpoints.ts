/** One function per API route the UI uses (docs/order-path.md). */
import type { BookSnapshot } from "../lib/book";
import { api, listOf } from "./client";
import {
  normalizeFill,
  normalizeMarket,
  normalizeOrder,
  normalizePortfolio,
  normalizeTrade,
  normalizeTransaction,
  pick,
  toMs,
} from "./normalize";
import type { Candle, Fill, Kyc, Market, Order, ReferralInfo, Transaction, User } from "./types";

export type Interval = "1m" | "5m" | "1h" | "1d";

const qs = (o: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
};

/** History pages answer `{…, nextBefore}` (a createdAt cursor) or `{…, nextCursor}`. */
type Page = { nextBefore?: number | null; nextCursor?: string | null } | null;
const nextOf = (r: Page): string | null => {
  const n = r?.nextBefore ?? r?.nextCursor;
  return n === null || n === undefined ? null : String(n);
};

export const auth = {
  requestOtp: (phone: string) => api.post<{ expiresInSec: number; devOtp?: string }>("/auth/otp", { phone }),
  verify: (phone: string, otp: string) => api.post<{ user: User }>("/auth/verify", { phone, otp }),
  logout: () => api.post<unknown>("/auth/logout"),
  /** The session probe: `{user: null}` (200) for an anonymous visitor, so a first visit logs no error. */
  me: async () => (await api.get<{ user: User | null }>("/auth/session")).user,
};

export const markets = {
  list: async (f: { status?: string; category?: string } = {}) =>
    listOf<unknown>(await api.get(`/markets${qs(f)}`), "markets").map(normalizeMarket),
  get: async (id: string) => normalizeMarket(await api.get(`/markets/${encodeURIComponent(id)}`)),
  orderbook: (id: string) => api.get<BookSnapshot>(`/markets/${encodeURIComponent(id)}/orderbook`),
  trades: async (id: string) =>
    listOf<Record<string, unknown>>(await api.get(`/markets/${encodeURIComponent(id)}/trades`), "trades").map(
      normalizeTrade,
    ),
  candles: async (id: string, interval: Interval) =>
    listOf<Record<string, unknown>>(
      await api.get(`/markets/${encodeURIComponent(id)}/candles${qs({ interval })}`),
      "candles",
    ).map(
      (c): Candle => ({
        time: toMs(c.t ?? c.time ?? c.ts ?? c.start ?? c.bucket),
        open: pick(c, "open") ?? 0,
        high: pick(c, "high") ?? 0,
        low: pick(c, "low") ?? 0,
        close: pick(c, "close") ?? 0,
        volume: pick(c, "volume", "volumeQty") ?? undefined,
      }),
    ),
};

export const orders = {
  place: async (body: unknown) => {
    const r = await api.post<{ order?: Record<string, unknown>; duplicate?: boolean }>("/orders", body);
    return { ...r, order: r.order ? normalizeOrder(r.order) : undefined };
  },
  cancel: (id: string) => api.del<{ order?: Order }>(`/orders/${encodeURIComponent(id)}`),
  list: async (status?: string): Promise<Order[]> =>
    listOf<Record<string, unknown>>(await api.get(`/orders${qs({ status })}`), "orders").map(normalizeOrder),
};

export const portfolio = {
  get: async () => normalizePortfolio(await api.get("/portfolio")),
  fills: async (cursor?: string) => {
    const r = await api.get<Page>(`/portfolio/fills${qs({ before: cursor, limit: 50 })}`);
    return {
      fills: listOf<Record<string, unknown>>(r, "fills").map(normalizeFill) as Fill[],
      nextCursor: nextOf(r),
    };
  },
};

export const wallet = {
  transactions: async (cursor?: string) => {
    const r = await api.get<Page>(`/wallet/transactions${qs({ before: cursor, limit: 50 })}`);
    const rows = listOf<Record<string, unknown>>(r, "entries");
    const list = rows.length ? rows : listOf<Record<string, unknown>>(r, "transactions");
    return { transactions: list.map(normalizeTransaction) as Transaction[], nextCursor: nextOf(r) };
  },
  deposit: (amount: number) =>
    api.post<{ deposit?: { id: string; status: string }; redirectUrl?: string | null }>("/wallet/deposits", {
      amount,
    }),
  withdraw: (amount: number) => api.post<unknown>("/wallet/withdrawals", { amount }),
};

export const referrals = {
  get: async (): Promise<ReferralInfo> => {
    const r = await api.get<Record<string, unknown>>("/referrals");
    const list = Array.isArray(r.referrals) ? r.referrals : null;
    return {
      code: String(r.code ?? ""),
      redeemed: r.redeemed as boolean | undefined,
      referredCount: list ? list.length : (r.referredCount as number | undefined),
      earned: (r.totalBonusPaise ?? r.earned) as number | undefined,
    };
  },
  redeem: (code: string) => api.post<unknown>("/referrals/redeem", { code }),
};

export const kyc = {
  get: async (): Promise<Kyc> => {
    const r = await api.get<(Kyc & { kyc?: Kyc | null }) | null>("/kyc");
    const k = r && "kyc" in r ? r.kyc : r;
    return k?.status ? k : { status: "NONE" };
  },
  submit: (body: { pan: string; name: string; bankAccount: string; ifsc: string }) =>
    api.post<unknown>("/kyc", body),
};

export type { Market };
