import type { Market } from "@ox/client";
import { lazy, Suspense, useState } from "react";
import { categoryLabel, useMarketTitle, useT } from "../i18n";
import type { Outcome } from "../lib/book";
import { formatCompact, formatRupees } from "../lib/money";
import { chancePct } from "../lib/sizing";
import { timeLeft } from "../lib/time";
import { useLivePrices, useMarketRoom } from "../lib/use-live-market";
import { PHONE_QUERY, useMedia } from "../lib/use-media";
import { useLive } from "../state/live-store";
import { navigate } from "../state/router";
import { Link } from "./link";

/** The sheet carries the whole ticket: loaded on the first tap, outside the home page's entry chunk. */
const TicketSheet = lazy(() => import("./ticket-sheet").then((m) => ({ default: m.TicketSheet })));

export function MarketCard({ market, now }: { market: Market; now: number }) {
  const t = useT();
  const title = useMarketTitle()(market);
  useMarketRoom(market.status === "OPEN" ? market.id : undefined);
  const live = useLivePrices(market);
  const left = timeLeft(market.closeAt, now);
  const book = useLive((s) => s.books[market.id]);
  const chance = chancePct(book, live.lastPrice, { yes: live.yes, no: live.no });
  const open = live.status === "OPEN";
  const phone = useMedia(PHONE_QUERY);
  const [sheet, setSheet] = useState<Outcome | null>(null);
  // On a phone Yes/No opens the ticket as a bottom sheet; on a wide screen the market page has room.
  const go = (outcome: Outcome) =>
    phone ? setSheet(outcome) : navigate(`/markets/${encodeURIComponent(market.id)}?outcome=${outcome}`);
  // The accessible name starts with the visible text (WCAG 2.5.3 label in name), then says which market.
  const yesText = t("buyYesAt", { price: live.yes !== null ? formatRupees(live.yes) : "—" });
  const noText = t("buyNoAt", { price: live.no !== null ? formatRupees(live.no) : "—" });
  return (
    <article className="card market-card" aria-labelledby={`m-${market.id}`}>
      <div className="mc-top">
        <span className="chip">{categoryLabel(t, market.category)}</span>
        <span className="muted small">
          {open && left
            ? t("closesIn", { t: left })
            : market.outcome
              ? t("resolvedAs", { outcome: t(`outcome${market.outcome}`) })
              : t("closed")}
        </span>
      </div>
      <h2 id={`m-${market.id}`} className="mc-title">
        <Link href={`/markets/${encodeURIComponent(market.id)}`}>{title}</Link>
      </h2>
      <div className="mc-meta muted small">
        {chance !== null && <span>{t("chance", { pct: chance })}</span>}
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
            aria-label={`${yesText}: ${title}`}
          >
            {yesText}
          </button>
          <button
            type="button"
            className="btn btn-no"
            onClick={() => go("NO")}
            aria-label={`${noText}: ${title}`}
          >
            {noText}
          </button>
        </div>
      )}
      {sheet && (
        <Suspense fallback={null}>
          <TicketSheet market={market} outcome={sheet} onClose={() => setSheet(null)} />
        </Suspense>
      )}
    </article>
  );
}
