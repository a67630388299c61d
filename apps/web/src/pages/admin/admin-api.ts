/** The admin pages' calls, through the one client (docs/architecture.md#one-vocabulary-contracts-and-client). */
import type { HealthHistory, SchemaInput } from "@ox/client";
import { api } from "../../api/client";

export type { HealthHistory };
export type HealthSample = HealthHistory["samples"][number];

export const admin = {
  kycQueue: async () => (await api.admin.kycQueue()).requests,
  revealKyc: (id: string) => api.admin.revealKyc({ params: { id } }),
  settlement: (id: string) => api.admin.settlement({ params: { id } }),
  decideKyc: (id: string, status: "VERIFIED" | "REJECTED", reason?: string) =>
    api.admin.decideKyc({ params: { id }, body: reason ? { status, reason } : { status } }),
  createMarket: async (m: SchemaInput<"CreateMarketRequest">) =>
    (await api.admin.createMarket({ body: m })).market,
  closeMarket: (id: string) => api.admin.closeMarket({ params: { id } }),
  resolveMarket: (id: string, outcome: "YES" | "NO" | "VOID") =>
    api.admin.resolveMarket({ params: { id }, body: { outcome } }),
  users: async (q: string) => (await api.admin.users({ query: { q } })).users,
  healthHistory: () => api.admin.health(),
};
