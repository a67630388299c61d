import type { Market } from "@ox/client";
import { useEffect, useRef } from "react";
import { useMarketTitle, useT } from "../i18n";
import type { Outcome } from "../lib/book";
import { useMarketRoom } from "../lib/use-live-market";
import { Link } from "./link";
import { TradeTicket } from "./trade-ticket";

/**
 * The trade ticket as a bottom sheet over the page (Probo's), sitting above the bottom navigation
 * with its action button pinned to the sheet's foot. Escape or the backdrop closes it.
 */
export function TicketSheet(props: { market: Market; outcome: Outcome; onClose: () => void }) {
  const t = useT();
  const titleOf = useMarketTitle();
  const ref = useRef<HTMLDivElement>(null);
  useMarketRoom(props.market.id);
  const { onClose } = props;
  useEffect(() => {
    ref.current?.focus();
    const esc = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", esc);
    return () => window.removeEventListener("keydown", esc);
  }, [onClose]);
  return (
    <>
      <div className="sheet-backdrop" aria-hidden="true" onClick={onClose} />
      <div
        className="sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby="sheet-h"
        tabIndex={-1}
        ref={ref}
        data-testid="ticket-sheet"
      >
        <div className="sheet-head">
          <h2 id="sheet-h">{titleOf(props.market)}</h2>
          <button type="button" className="btn btn-ghost" onClick={onClose} aria-label={t("closeSheet")}>
            ✕
          </button>
        </div>
        <div className="sheet-link">
          <Link href={`/markets/${encodeURIComponent(props.market.id)}`} className="small">
            {t("openMarket")} →
          </Link>
        </div>
        <TradeTicket market={props.market} initialOutcome={props.outcome} />
      </div>
    </>
  );
}
