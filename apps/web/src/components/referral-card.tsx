import { useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { keys, useMe, useReferrals } from "../api/queries";
import { useT } from "../i18n";
import { formatRupees } from "../lib/money";
import { useUi } from "../state/ui-store";

export function ReferralCard() {
  const t = useT();
  const me = useMe();
  const q = useReferrals();
  const qc = useQueryClient();
  const toast = useUi((s) => s.toast);
  const code = q.data?.code ?? me.data?.referralCode;
  const link = code ? `${location.origin}/login?ref=${encodeURIComponent(code)}` : "";
  const share = async () => {
    try {
      if (navigator.share) await navigator.share({ title: t("appName"), text: t("referral"), url: link });
      else {
        await navigator.clipboard.writeText(link);
        toast(t("copied"), "success");
      }
    } catch {}
  };
  return (
    <section className="card" aria-labelledby="ref-h">
      <h2 id="ref-h">{t("referral")}</h2>
      {code && (
        <div className="refcode">
          <span className="muted small">{t("yourCode")}</span>
          <strong className="code" data-testid="referral-code">
            {code}
          </strong>
          <button type="button" className="btn btn-ghost btn-sm" onClick={share}>
            {t("share")}
          </button>
        </div>
      )}
      {q.data && (
        <p data-testid="referral-reward">
          {t("referralReward", {
            amount: formatRupees(q.data.rewardPaise),
            min: formatRupees(q.data.qualifyingDepositPaise),
          })}
        </p>
      )}
      {q.data && (
        <p className="muted small">
          {t("referredStats", { n: q.data.referrals.length, amount: formatRupees(q.data.totalBonusPaise) })}
        </p>
      )}
      <RedeemForm
        onDone={() => {
          qc.invalidateQueries({ queryKey: keys.referrals });
          qc.invalidateQueries({ queryKey: keys.portfolio });
          toast(t("redeemDone"), "success");
        }}
      />
      {q.isError && <p className="muted small">{String((q.error as Error).message)}</p>}
    </section>
  );
}

function RedeemForm({ onDone }: { onDone: () => void }) {
  const t = useT();
  const toast = useUi((s) => s.toast);
  const initial = new URLSearchParams(location.search).get("ref") ?? sessionStorage.getItem("ox.ref") ?? "";
  return (
    <form
      className="amount-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const code = String(new FormData(e.currentTarget).get("code") ?? "").trim();
        if (!code) return;
        try {
          await api.referrals.redeem({ body: { code } });
          sessionStorage.removeItem("ox.ref");
          onDone();
        } catch (err) {
          toast((err as Error).message, "error");
        }
      }}
    >
      <label className="field" htmlFor="redeem-code">
        <span>{t("redeemLabel")}</span>
      </label>
      <div className="amount-row">
        <input id="redeem-code" name="code" defaultValue={initial} autoCapitalize="characters" />
        <button type="submit" className="btn btn-ghost">
          {t("redeem")}
        </button>
      </div>
    </form>
  );
}
