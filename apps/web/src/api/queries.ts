/** TanStack Query hooks: the server state the pages read, with one key table. */
import { QueryClient, useQuery } from "@tanstack/react-query";
import { ApiError } from "./client";
import { auth, type Interval, kyc, markets, orders, portfolio, referrals } from "./endpoints";
import type { User } from "./types";

export const keys = {
  me: ["me"] as const,
  markets: ["markets"] as const,
  market: (id: string) => ["market", id] as const,
  trades: (id: string) => ["trades", id] as const,
  candles: (id: string, i: Interval) => ["candles", id, i] as const,
  portfolio: ["portfolio"] as const,
  openOrders: ["orders", "open"] as const,
  fills: ["fills"] as const,
  transactions: ["transactions"] as const,
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

/** The signed-in user, or null when the session cookie is missing or expired. */
export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: async (): Promise<User | null> => {
      try {
        return await auth.me();
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
        throw e;
      }
    },
    staleTime: 60_000,
  });
}

export const useMarkets = () =>
  useQuery({ queryKey: keys.markets, queryFn: () => markets.list(), refetchInterval: 30_000 });
export const useMarket = (id: string) =>
  useQuery({ queryKey: keys.market(id), queryFn: () => markets.get(id) });
export const useTrades = (id: string) =>
  useQuery({ queryKey: keys.trades(id), queryFn: () => markets.trades(id) });
export const useCandles = (id: string, i: Interval) =>
  useQuery({ queryKey: keys.candles(id, i), queryFn: () => markets.candles(id, i), refetchInterval: 30_000 });

export const usePortfolio = (enabled = true) =>
  useQuery({ queryKey: keys.portfolio, queryFn: portfolio.get, enabled });
export const useOpenOrders = (enabled = true) =>
  useQuery({ queryKey: keys.openOrders, queryFn: () => orders.list("open"), enabled });
/** An admin's decision sends no socket event, so the status is re-read whenever a KYC view mounts. */
export const useKyc = (enabled = true) =>
  useQuery({ queryKey: keys.kyc, queryFn: kyc.get, enabled, refetchOnMount: "always" });
export const useReferrals = (enabled = true) =>
  useQuery({ queryKey: keys.referrals, queryFn: referrals.get, enabled });
