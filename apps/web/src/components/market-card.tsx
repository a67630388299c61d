import type { Market } from "@ox/client";
import { useT } from "../i18n";
import { formatCompact, formatRupees, probabilityPct } from "../lib/money";
import { timeLeft } from "../lib/time";
import { useLivePrices, useMarketRoom } from "../lib/use-live-market";
import { navigate } from "../state/router";
import { Link } from "./link";

export function MarketCard({ market, now }: { market: Market; now: number }) {
  const t = useT();
  useMarketRoom(market.status === "OPEN" ? market.id : undefined);
  const live = useLivePrices(market);
  const left = timeLeft(market.closeAt, now);
  const chanceFrom = live.yes ?? (live.no !== null ? 1000 - live.no : null);
  const open = live.status === "OPEN";
  const go = (outcome: "YES" | "NO") =>
    navigate(`/markets/${encodeURIComponent(market.id)}?outcome=${outcome}`);
  // The accessible name starts with the visible text (WCAG 2.5.3 label in name), then says which market.
  const yesText = t("buyYesAt", { price: live.yes !== null ? formatRupees(live.yes) : "—" });
  const noText = t("buyNoAt", { price: live.no !== null ? formatRupees(live.no) : "—" });
  return (
    <article className="card market-card" aria-labelledby={`m-${market.id}`}>
      <div className="mc-top">
        <span className="chip">{market.category}</span>
        <span className="muted small">
          {open && left
            ? t("closesIn", { t: left })
            : market.outcome
              ? t("resolvedAs", { outcome: market.outcome })
              : t("closed")}
        </span>
      </div>
      <h2 id={`m-${market.id}`} className="mc-title">
        <Link href={`/markets/${encodeURIComponent(market.id)}`}>{market.title}</Link>
      </h2>
      <div className="mc-meta muted small">
        {chanceFrom !== null && <span>{t("chance", { pct: probabilityPct(chanceFrom) })}</span>}
        <span>
          {t("volume")} {formatCompact(live.volume)}
        </span>
      </div>
      {open && (
        <div className="mc-actions">
          <button
            type="button"
            className="btn btn-yes"
            onClick={() => go("YES")}
            aria-label={`${yesText}: ${market.title}`}
          >
            {yesText}
          </button>
          <button
            type="button"
            className="btn btn-no"
            onClick={() => go("NO")}
            aria-label={`${noText}: ${market.title}`}
          >
            {noText}
          </button>
        </div>
      )}
    </article>
  );
}
