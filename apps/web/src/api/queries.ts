/** TanStack Query hooks: the server state the pages read, with one key table. */
import type { CandleInterval, KycStatus, User } from "@ox/client";
import { QueryClient, useQuery } from "@tanstack/react-query";
import { ApiError, api } from "./client";

export const keys = {
  me: ["me"] as const,
  markets: ["markets"] as const,
  market: (id: string) => ["market", id] as const,
  trades: (id: string) => ["trades", id] as const,
  candles: (id: string, i: CandleInterval) => ["candles", id, i] as const,
  portfolio: ["portfolio"] as const,
  openOrders: ["orders", "open"] as const,
  fills: ["fills"] as const,
  /** Under fills: whatever refreshes the fills refreshes the P&L replayed from them. */
  pnl: ["fills", "pnl"] as const,
  transactions: ["transactions"] as const,
  withdrawals: ["withdrawals"] as const,
  deposits: ["deposits"] as const,
  kyc: ["kyc"] as const,
  referrals: ["referrals"] as const,
};

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: true,
        retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2,
      },
    },
  });
}

/** The signed-in user, or null for an anonymous visitor (the session probe answers `{user: null}`). */
export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: async (): Promise<User | null> => {
      try {
        return (await api.auth.session()).user;
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
        throw e;
      }
    },
    staleTime: 60_000,
  });
}

export const isAdmin = (user: User | null | undefined) => user?.role === "ADMIN";

export const useMarkets = () =>
  useQuery({
    queryKey: keys.markets,
    queryFn: async () => (await api.markets.list()).markets,
    refetchInterval: 30_000,
  });
export const useMarket = (id: string) =>
  useQuery({
    queryKey: keys.market(id),
    queryFn: async () => (await api.markets.get({ params: { id } })).market,
  });
export const useTrades = (id: string) =>
  useQuery({
    queryKey: keys.trades(id),
    queryFn: async () => (await api.markets.trades({ params: { id } })).trades,
  });
export const useCandles = (id: string, interval: CandleInterval) =>
  useQuery({
    queryKey: keys.candles(id, interval),
    queryFn: async () => (await api.markets.candles({ params: { id }, query: { interval } })).candles,
    refetchInterval: 30_000,
  });

/**
 * The signed-in user's latest fills for the chart's markers (one page; under the fills key, so a
 * new fill's invalidation reaches it). Nothing for an anonymous visitor.
 */
export function useMarketFills() {
  const me = useMe();
  return useQuery({
    queryKey: [...keys.fills, "chart"],
    queryFn: async () => (await api.portfolio.fills({ query: { limit: 200 } })).fills,
    enabled: !!me.data,
  });
}

export const usePortfolio = (enabled = true) =>
  useQuery({ queryKey: keys.portfolio, queryFn: () => api.portfolio.get(), enabled });
/** Realized P&L and cost basis per market; from Postgres, so it is re-read while shown (persister lag). */
export const usePnl = (enabled = true) =>
  useQuery({ queryKey: keys.pnl, queryFn: () => api.portfolio.pnl(), enabled, refetchInterval: 5_000 });
export const useWithdrawals = () =>
  useQuery({
    queryKey: keys.withdrawals,
    queryFn: async () => (await api.wallet.withdrawals()).withdrawals,
  });
export const useDeposits = () =>
  useQuery({
    queryKey: keys.deposits,
    queryFn: async () => (await api.wallet.deposits()).deposits,
  });
export const useOpenOrders = (enabled = true) =>
  useQuery({
    queryKey: keys.openOrders,
    queryFn: async () => (await api.orders.list({ query: { status: "open" } })).orders,
    enabled,
  });
/** An admin's decision sends no socket event, so the status is re-read whenever a KYC view mounts. */
export const useKyc = (enabled = true) =>
  useQuery({
    queryKey: keys.kyc,
    queryFn: async (): Promise<{ status: KycStatus; reason: string | null }> => {
      // No request yet is `kyc: null`, which /me calls NONE.
      const { kyc } = await api.kyc.get();
      return kyc ? { status: kyc.status, reason: kyc.reason } : { status: "NONE", reason: null };
    },
    enabled,
    refetchOnMount: "always",
  });
export const useReferrals = (enabled = true) =>
  useQuery({ queryKey: keys.referrals, queryFn: () => api.referrals.get(), enabled });
