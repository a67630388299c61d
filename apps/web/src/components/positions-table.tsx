import type { Market, Position } from "@ox/client";
import { useT } from "../i18n";
import type { Outcome } from "../lib/book";
import { formatRupees, formatSignedRupees } from "../lib/money";
import { useMarketRoom } from "../lib/use-live-market";
import { markPrice, valuePosition } from "../lib/valuation";
import { useLive } from "../state/live-store";
import { Link } from "./link";

export function PositionsList({
  positions,
  markets,
}: {
  positions: Position[];
  markets: Map<string, Market>;
}) {
  const rows = positions.flatMap((p) => {
    const out: { p: Position; outcome: Outcome; qty: number; avg: number | null | undefined }[] = [];
    // The cost basis over the shares (not the rounded average), so value − cost is exact in paise.
    if (p.yes > 0) out.push({ p, outcome: "YES", qty: p.yes, avg: p.yesCostPaise / p.yes });
    if (p.no > 0) out.push({ p, outcome: "NO", qty: p.no, avg: p.noCostPaise / p.no });
    return out;
  });
  return (
    <ul className="list" data-testid="positions">
      {rows.map((r) => (
        <PositionRow
          key={`${r.p.marketId}-${r.outcome}`}
          market={markets.get(r.p.marketId)}
          marketId={r.p.marketId}
          outcome={r.outcome}
          qty={r.qty}
          avg={r.avg}
        />
      ))}
    </ul>
  );
}

function PositionRow(props: {
  market?: Market;
  marketId: string;
  outcome: Outcome;
  qty: number;
  avg: number | null | undefined;
}) {
  const t = useT();
  const open = props.market?.status === "OPEN";
  useMarketRoom(open ? props.marketId : undefined);
  const book = useLive((s) => s.books[props.marketId]);
  const ticker = useLive((s) => s.tickers[props.marketId]);
  const mark = markPrice(props.outcome, {
    book,
    yesPrice: ticker?.yesPrice ?? props.market?.yesPricePaise,
    noPrice: ticker?.noPrice ?? props.market?.noPricePaise,
    lastPrice: ticker?.lastPrice ?? props.market?.lastYesPricePaise,
  });
  const v = valuePosition(props.qty, props.avg, mark);
  const pnlClass = v.pnlPaise === null ? "" : v.pnlPaise >= 0 ? "gain" : "loss";
  return (
    <li className="list-row position-row">
      <div className="grow">
        <Link href={`/markets/${encodeURIComponent(props.marketId)}`} className="row-title">
          {props.market?.title ?? props.marketId}
        </Link>
        <div className="muted small">
          <span className={props.outcome === "YES" ? "tag tag-yes" : "tag tag-no"}>
            {props.outcome === "YES" ? t("yes") : t("no")}
          </span>{" "}
          {t("shares", { n: props.qty })}
          {props.avg ? ` · ${t("avg", { price: formatRupees(Math.round(props.avg)) })}` : ""}
        </div>
      </div>
      <div className="right">
        <div>{v.valuePaise !== null ? formatRupees(v.valuePaise) : "—"}</div>
        <div className={`small ${pnlClass}`}>
          <span className="sr-only">{t("pnl")} </span>
          {v.pnlPaise !== null ? formatSignedRupees(v.pnlPaise) : ""}
        </div>
      </div>
    </li>
  );
}
