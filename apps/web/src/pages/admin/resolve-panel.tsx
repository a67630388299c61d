import type { Market } from "@ox/client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "../../api/client";
import { useT } from "../../i18n";
import { formatRupees, PAYOUT_PAISE } from "../../lib/money";
import { useUi } from "../../state/ui-store";
import { admin } from "./admin-api";

type Outcome = "YES" | "NO" | "VOID";

/**
 * Resolving, in two steps: pick the outcome, then confirm a summary of what will be paid (from the
 * engine's live escrow). A CLOSED market is resolved; an OPEN one is closed first, and the panel
 * says so. The panel takes the row's full width so the title beside it is never squeezed.
 */
export function ResolvePanel({ m, onDone }: { m: Market; onDone: () => void }) {
  const t = useT();
  const toast = useUi((s) => s.toast);
  const [open, setOpen] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const closeFirst = m.status === "OPEN";
  const preview = useQuery({
    queryKey: ["admin", "settlement", m.id],
    queryFn: () => admin.settlement(m.id),
    enabled: outcome !== null,
  });
  const reset = () => {
    setOpen(false);
    setOutcome(null);
  };
  if (!open)
    return (
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOpen(true)}>
        {t(closeFirst ? "closeAndResolve" : "resolve")}
      </button>
    );
  const name = t(closeFirst ? "closeAndResolve" : "resolve");
  const confirm = async () => {
    if (!outcome) return;
    setBusy(true);
    try {
      if (closeFirst) await admin.closeMarket(m.id);
      await admin.resolveMarket(m.id, outcome);
      toast(t("resolvedToast", { outcome: t(`outcome${outcome}`) }), "success");
      reset();
      onDone();
    } catch (e) {
      toast(errorMessage(e), "error");
    } finally {
      setBusy(false);
    }
  };
  const p = preview.data;
  return (
    <section className="resolve-panel" aria-label={`${name}: ${m.title}`} data-testid="resolve-panel">
      <h3 className="resolve-title">{`${name}: ${m.title}`}</h3>
      {closeFirst && <p className="small">{t("resolveCloseFirst")}</p>}
      <fieldset className="resolve-outcomes">
        <legend className="small">{t("resolvePick")}</legend>
        {(["YES", "NO", "VOID"] as const).map((o) => (
          <label key={o} className={outcome === o ? "chip active" : "chip"}>
            <input
              type="radio"
              name={`outcome-${m.id}`}
              value={o}
              checked={outcome === o}
              onChange={() => setOutcome(o)}
            />
            {t(`outcome${o}`)}
          </label>
        ))}
      </fieldset>
      {outcome && (
        <p className="resolve-summary" data-testid="resolve-summary" aria-live="polite">
          {p
            ? outcome === "VOID"
              ? t("resolveVoidSummary", {
                  total: formatRupees(p.totalPaise, { fixed: true }),
                  shares: p.winningShares,
                })
              : t("resolveSummary", {
                  outcome: t(`outcome${outcome}`),
                  shares: p.winningShares,
                  per: formatRupees(p.payoutPerSharePaise ?? PAYOUT_PAISE),
                  total: formatRupees(p.totalPaise, { fixed: true }),
                })
            : preview.isError
              ? errorMessage(preview.error)
              : t("loading")}
        </p>
      )}
      <div className="resolve-actions">
        <button
          type="button"
          className="btn btn-danger btn-sm"
          disabled={busy || !outcome || !p}
          onClick={confirm}
        >
          {outcome ? `${t("confirm")}: ${name} ${t(`outcome${outcome}`)}` : t("confirm")}
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={reset}>
          {t("cancel")}
        </button>
      </div>
    </section>
  );
}
