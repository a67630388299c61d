import type { RateTier } from "@ox/client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, errorMessage } from "../../api/client";
import { type MessageKey, useT } from "../../i18n";
import { useUi } from "../../state/ui-store";

const TIERS: Record<RateTier, MessageKey> = {
  standard: "tier_standard",
  pro: "tier_pro",
  market_maker: "tier_market_maker",
};

/** A user's rate-limit tier (admin-set, audited) and how many live API keys they hold. */
export function RateTierControl({ userId }: { userId: string }) {
  const t = useT();
  const qc = useQueryClient();
  const toast = useUi((s) => s.toast);
  const key = ["admin", "userKeys", userId] as const;
  const q = useQuery({ queryKey: key, queryFn: () => api.admin.userKeys({ params: { id: userId } }) });
  if (!q.data) return null;
  const live = q.data.keys.filter((k) => k.revokedAt === null).length;
  return (
    <span className="small" data-testid="rate-tier">
      <label>
        {t("adminRateTier")}{" "}
        <select
          value={q.data.tier}
          onChange={async (e) => {
            try {
              await api.admin.setRateTier({
                params: { id: userId },
                body: { tier: e.target.value as RateTier },
              });
              await qc.invalidateQueries({ queryKey: key });
              toast(t("adminTierSaved"), "success");
            } catch (err) {
              toast(errorMessage(err), "error");
            }
          }}
        >
          {(Object.keys(TIERS) as RateTier[]).map((tier) => (
            <option key={tier} value={tier}>
              {t(TIERS[tier])}
            </option>
          ))}
        </select>
      </label>{" "}
      <span className="muted">{t("adminApiKeys", { n: live })}</span>
    </span>
  );
}
