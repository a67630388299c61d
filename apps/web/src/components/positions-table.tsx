import type { Market, MarketPnl, Position } from "@ox/client";
import { useState } from "react";
import { useMarketTitle, useT } from "../i18n";
import type { BookState, Outcome } from "../lib/book";
import { formatRupees, formatSignedRupees } from "../lib/money";
import { sellableQty } from "../lib/sizing";
import { useMarketRoom } from "../lib/use-live-market";
import { markPrice, valuePosition } from "../lib/valuation";
import { type Ticker, useLive } from "../state/live-store";
import { ExitForm } from "./exit-form";
import { Link } from "./link";

/** One outcome held in one market, valued at the live book. */
export interface PositionLine {
  marketId: string;
  market?: Market;
  outcome: Outcome;
  qty: number;
  sellable: number;
  /** Cost basis of these shares (the engine's), in paise. */
  costPaise: number;
  valuePaise: number | null;
  pnlPaise: number | null;
}

/** Every held outcome of `positions` marked to the live books and tickers (integer paise). */
export function usePositionLines(positions: Position[], markets: Map<string, Market>): PositionLine[] {
  const books = useLive((s) => s.books);
  const tickers = useLive((s) => s.tickers);
  return positions.flatMap((p) => {
    const market = markets.get(p.marketId);
    const line = (outcome: Outcome, qty: number, locked: number, cost: number): PositionLine => {
      const mark = markPrice(outcome, markInputs(books[p.marketId], tickers[p.marketId], market));
      const v = valuePosition(qty, qty > 0 ? cost / qty : null, mark);
      return {
        marketId: p.marketId,
        market,
        outcome,
        qty,
        sellable: sellableQty(qty, locked),
        costPaise: cost,
        valuePaise: v.valuePaise,
        pnlPaise: v.valuePaise !== null ? v.valuePaise - cost : null,
      };
    };
    const out: PositionLine[] = [];
    if (p.yes > 0) out.push(line("YES", p.yes, p.yesLocked, p.yesCostPaise));
    if (p.no > 0) out.push(line("NO", p.no, p.noLocked, p.noCostPaise));
    return out;
  });
}

function markInputs(book: BookState | undefined, ticker: Ticker | undefined, market?: Market) {
  return {
    book,
    yesPrice: ticker?.yesPrice ?? market?.yesPricePaise,
    noPrice: ticker?.noPrice ?? market?.noPricePaise,
    lastPrice: ticker?.lastPrice ?? market?.lastYesPricePaise,
  };
}

export function PositionsList({ lines, pnl }: { lines: PositionLine[]; pnl: Map<string, MarketPnl> }) {
  return (
    <ul className="list" data-testid="positions">
      {lines.map((l, i) => (
        <PositionRow
          key={`${l.marketId}-${l.outcome}`}
          line={l}
          // Realized P&L is per market: shown once, on the market's first line.
          realized={lines.findIndex((x) => x.marketId === l.marketId) === i ? pnl.get(l.marketId) : undefined}
        />
      ))}
    </ul>
  );
}

const signedClass = (p: number | null) => (p === null ? "" : p >= 0 ? "gain" : "loss");

export function PositionRow({ line, realized }: { line: PositionLine; realized?: MarketPnl }) {
  const t = useT();
  const titleOf = useMarketTitle();
  const title = line.market ? titleOf(line.market) : line.marketId;
  const open = line.market?.status === "OPEN";
  const liveStatus = useLive((s) => s.tickers[line.marketId]?.status);
  useMarketRoom(open ? line.marketId : undefined);
  const [exiting, setExiting] = useState(false);
  const canExit = (liveStatus ?? line.market?.status) === "OPEN" && line.sellable > 0;
  const avg = line.qty > 0 ? Math.round(line.costPaise / line.qty) : 0;
  const outcomeLabel = line.outcome === "YES" ? t("yes") : t("no");
  return (
    <li className="position-item" data-testid="position-row">
      <div className="list-row position-row">
        <div className="grow">
          <Link href={`/markets/${encodeURIComponent(line.marketId)}`} className="row-title">
            {title}
          </Link>
          <div className="muted small">
            <span className={line.outcome === "YES" ? "tag tag-yes" : "tag tag-no"}>{outcomeLabel}</span>{" "}
            {t("shares", { n: line.qty })}
            {avg ? ` · ${t("avg", { price: formatRupees(avg) })}` : ""}
          </div>
        </div>
        {canExit && (
          <button
            type="button"
            className="btn btn-ghost"
            aria-expanded={exiting}
            onClick={() => setExiting((x) => !x)}
            aria-label={`${t("exit")}: ${outcomeLabel} · ${title}`}
          >
            {t("exit")}
          </button>
        )}
      </div>
      <dl className="pnl-grid" data-testid="position-pnl">
        <div>
          <dt>{t("invested")}</dt>
          <dd>{formatRupees(line.costPaise)}</dd>
        </div>
        <div>
          <dt>{t("current")}</dt>
          <dd>{line.valuePaise !== null ? formatRupees(line.valuePaise) : "—"}</dd>
        </div>
        <div>
          <dt>{t("unrealizedPnl")}</dt>
          <dd className={signedClass(line.pnlPaise)}>
            {line.pnlPaise !== null ? formatSignedRupees(line.pnlPaise) : "—"}
          </dd>
        </div>
        {realized && (
          <div>
            <dt>{t("realizedPnl")}</dt>
            <dd className={signedClass(realized.realizedPaise)}>
              {formatSignedRupees(realized.realizedPaise)}
            </dd>
          </div>
        )}
      </dl>
      {exiting && canExit && (
        <ExitForm
          marketId={line.marketId}
          tickPaise={line.market?.tickPaise ?? 50}
          outcome={line.outcome}
          sellable={line.sellable}
        />
      )}
    </li>
  );
}
