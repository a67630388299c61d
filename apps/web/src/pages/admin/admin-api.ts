/** Admin routes (docs/order-path.md, plus /admin/users and /admin/stats which the brief adds). */
import { api, listOf } from "../../api/client";
import { normalizeMarket } from "../../api/normalize";
import type { Balance, Kyc, Position, User } from "../../api/types";

export interface AdminUser extends User {
  balance?: Balance;
  positions?: Position[];
  kycStatus?: string;
  createdAt?: number;
}

/** GET /admin/health (HealthHistoryView in packages/contracts/src/http/admin.ts). */
export interface HealthSample {
  t: number;
  orderRate: number | null;
  rtP50Ms: number | null;
  rtP99Ms: number | null;
  queueDepth: number | null;
  persisterLag: number | null;
  sockets: number | null;
}
export interface HealthHistory {
  status: "healthy" | "degraded";
  reasons: string[];
  intervalMs: number;
  limits: { queueDepth: number; persisterLag: number; persisterStuckSamples: number; rtP99Ms: number };
  samples: HealthSample[];
  current: {
    engineSeq: number | null;
    engineLogOffset: number | null;
    persisterOffset: number | null;
    persisterState: "ok" | "lagging" | "stuck" | null;
    persisterQuarantined: number | null;
    reconcile: { ok: boolean; differences: number } | null;
  } | null;
}

export interface NewMarket {
  title: string;
  description: string;
  category: string;
  rules: string;
  resolutionSource: string;
  closeAt: number;
  tick?: number;
}

export const admin = {
  kycQueue: async (status = "PENDING") =>
    listOf<Kyc>(await api.get(`/admin/kyc?status=${status}`), "requests"),
  decideKyc: (id: string, status: "VERIFIED" | "REJECTED", reason?: string) =>
    api.post<unknown>(
      `/admin/kyc/${encodeURIComponent(id)}/decision`,
      reason ? { status, reason } : { status },
    ),
  createMarket: async (m: NewMarket) => normalizeMarket(await api.post<unknown>("/admin/markets", m)),
  closeMarket: (id: string) => api.post<unknown>(`/admin/markets/${encodeURIComponent(id)}/close`),
  resolveMarket: (id: string, outcome: "YES" | "NO" | "VOID") =>
    api.post<unknown>(`/admin/markets/${encodeURIComponent(id)}/resolve`, { outcome }),
  users: async (q: string) =>
    listOf<AdminUser>(await api.get(`/admin/users?q=${encodeURIComponent(q)}`), "users"),
  healthHistory: () => api.get<HealthHistory>("/admin/health"),
};
