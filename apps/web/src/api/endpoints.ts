/** One function per SPEC §6 route the UI uses. */
import type { BookSnapshot } from "../lib/book";
import { api, listOf } from "./client";
import { normalizeMarket, normalizePortfolio, toMs } from "./normalize";
import type { Candle, Fill, Kyc, Market, Order, ReferralInfo, Trade, Transaction, User } from "./types";

export type Interval = "1m" | "5m" | "1h" | "1d";

const qs = (o: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
};

export const auth = {
  requestOtp: (phone: string) => api.post<{ expiresInSec: number; devOtp?: string }>("/auth/otp", { phone }),
  verify: (phone: string, otp: string) => api.post<{ user: User }>("/auth/verify", { phone, otp }),
  logout: () => api.post<unknown>("/auth/logout"),
  me: async () => {
    const r = await api.get<{ user?: User } & Partial<User>>("/me");
    return (r.user ?? r) as User;
  },
};

export const markets = {
  list: async (f: { status?: string; category?: string } = {}) =>
    listOf<unknown>(await api.get(`/markets${qs(f)}`), "markets").map(normalizeMarket),
  get: async (id: string) => normalizeMarket(await api.get(`/markets/${encodeURIComponent(id)}`)),
  orderbook: (id: string) => api.get<BookSnapshot>(`/markets/${encodeURIComponent(id)}/orderbook`),
  trades: async (id: string) =>
    listOf<Trade>(await api.get(`/markets/${encodeURIComponent(id)}/trades`), "trades").map((t) => ({
      ...t,
      ts: toMs(t.ts ?? (t as { createdAt?: number }).createdAt),
    })),
  candles: async (id: string, interval: Interval) =>
    listOf<Candle>(await api.get(`/markets/${encodeURIComponent(id)}/candles${qs({ interval })}`), "candles").map((c) => ({
      ...c,
      time: toMs(c.time ?? (c as { ts?: number }).ts),
    })),
};

export const orders = {
  place: (body: unknown) => api.post<{ order: Order }>("/orders", body),
  cancel: (id: string) => api.del<{ order?: Order }>(`/orders/${encodeURIComponent(id)}`),
  list: async (status?: string) => listOf<Order>(await api.get(`/orders${qs({ status })}`), "orders"),
};

export const portfolio = {
  get: async () => normalizePortfolio(await api.get("/portfolio")),
  fills: async (cursor?: string) => {
    const r = await api.get<{ nextCursor?: string | null }>(`/portfolio/fills${qs({ cursor, limit: 50 })}`);
    return { fills: listOf<Fill>(r, "fills").map((f) => ({ ...f, ts: toMs(f.ts ?? (f as { createdAt?: number }).createdAt) })), nextCursor: r?.nextCursor ?? null };
  },
};

export const wallet = {
  transactions: async (cursor?: string) => {
    const r = await api.get<{ nextCursor?: string | null }>(`/wallet/transactions${qs({ cursor, limit: 50 })}`);
    return { transactions: listOf<Transaction>(r, "transactions"), nextCursor: r?.nextCursor ?? null };
  },
  deposit: (amount: number) => api.post<unknown>("/wallet/deposits", { amount }),
  withdraw: (amount: number) => api.post<unknown>("/wallet/withdrawals", { amount }),
};

export const referrals = {
  get: async () => {
    const r = await api.get<ReferralInfo & { referral?: ReferralInfo }>("/referrals");
    return r.referral ?? r;
  },
  redeem: (code: string) => api.post<unknown>("/referrals/redeem", { code }),
};

export const kyc = {
  get: async (): Promise<Kyc> => {
    const r = await api.get<(Kyc & { kyc?: Kyc | null }) | null>("/kyc");
    return r?.kyc ?? (r?.status ? r : { status: "NONE" });
  },
  submit: (body: { pan: string; name: string; bankAccount: string; ifsc: string }) => api.post<unknown>("/kyc", body),
};

export type { Market };
