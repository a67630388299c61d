import type { Market, MarketPnl } from "@ox/client";
import { useMemo } from "react";
import { useMarkets, useOpenOrders, usePnl, usePortfolio } from "../api/queries";
import { FillsTable } from "../components/fills-table";
import { Link } from "../components/link";
import { OpenOrders } from "../components/open-orders";
import { type PositionLine, PositionsList, usePositionLines } from "../components/positions-table";
import { QueryView } from "../components/states";
import { useMarketTitle, useT } from "../i18n";
import { formatRupees, formatSignedRupees } from "../lib/money";

const SETTLED = new Set(["RESOLVED", "VOIDED"]);

export function PortfolioPage() {
  const t = useT();
  const portfolio = usePortfolio();
  const openOrders = useOpenOrders();
  const pnlQ = usePnl();
  const marketsQ = useMarkets();
  const markets = useMemo(() => new Map((marketsQ.data ?? []).map((m) => [m.id, m])), [marketsQ.data]);
  const pnl = useMemo(() => new Map((pnlQ.data?.markets ?? []).map((m) => [m.marketId, m])), [pnlQ.data]);
  const active = (portfolio.data?.positions ?? []).filter((p) => {
    const m = markets.get(p.marketId);
    return (p.yes > 0 || p.no > 0) && (!m || m.status === "OPEN" || m.status === "CLOSED");
  });
  const lines = usePositionLines(active, markets);
  const held = new Set(lines.map((l) => l.marketId));
  const all = pnlQ.data?.markets ?? [];
  const closed = all.filter(
    (p) => !held.has(p.marketId) && !SETTLED.has(markets.get(p.marketId)?.status ?? "") && p.soldPaise > 0,
  );
  const settled = all.filter((p) => SETTLED.has(markets.get(p.marketId)?.status ?? ""));
  return (
    <div className="page">
      <h1 className="page-title">{t("navPortfolio")}</h1>
      {portfolio.data && (
        <div className="stat-row">
          <div className="stat card">
            <span className="muted small">{t("available")}</span>
            <strong data-testid="balance-available">
              {formatRupees(portfolio.data.balance.availablePaise)}
            </strong>
          </div>
          <div className="stat card">
            <span className="muted small">{t("locked")}</span>
            <strong data-testid="balance-locked">{formatRupees(portfolio.data.balance.lockedPaise)}</strong>
          </div>
        </div>
      )}
      <Totals lines={lines} realizedPaise={pnlQ.data?.totals.realizedPaise ?? null} />
      <section className="card" aria-labelledby="pos-h">
        <h2 id="pos-h">{t("positions")}</h2>
        <QueryView
          query={portfolio}
          isEmpty={() => lines.length === 0}
          empty={
            <>
              {t("noPositions")} <Link href="/">{t("navHome")} →</Link>
            </>
          }
        >
          {() => <PositionsList lines={lines} pnl={pnl} />}
        </QueryView>
      </section>
      {closed.length > 0 && (
        <section className="card" aria-labelledby="closed-h">
          <h2 id="closed-h">{t("closedPositions")}</h2>
          <PnlList list={closed} markets={markets} testId="closed-positions" />
        </section>
      )}
      <section className="card" aria-labelledby="oo-h">
        <h2 id="oo-h">{t("openOrders")}</h2>
        <QueryView query={openOrders} isEmpty={(l) => l.length === 0} empty={t("noOpenOrders")}>
          {(l) => <OpenOrders list={l} markets={markets} />}
        </QueryView>
      </section>
      <section className="card" aria-labelledby="set-h">
        <h2 id="set-h">{t("settled")}</h2>
        {settled.length === 0 ? (
          <p className="muted">{t("noSettled")}</p>
        ) : (
          <PnlList list={settled} markets={markets} testId="settled" settledView />
        )}
      </section>
      <section className="card" aria-labelledby="fills-h">
        <h2 id="fills-h">{t("fills")}</h2>
        <FillsTable markets={markets} />
      </section>
    </div>
  );
}

/** Totals over the open positions (engine cost, live marks) and realized P&L over every market. */
function Totals({ lines, realizedPaise }: { lines: PositionLine[]; realizedPaise: number | null }) {
  const t = useT();
  const invested = lines.reduce((s, l) => s + l.costPaise, 0);
  const marked = lines.every((l) => l.valuePaise !== null);
  const value = lines.reduce((s, l) => s + (l.valuePaise ?? 0), 0);
  const stat = (label: string, text: string, testId: string, signed?: number | null) => (
    <div className="stat card">
      <span className="muted small">{label}</span>
      <strong
        data-testid={testId}
        className={signed === undefined || signed === null ? "" : signed >= 0 ? "gain" : "loss"}
      >
        {text}
      </strong>
    </div>
  );
  return (
    <section className="stat-row" aria-label={t("pnlTotals")} data-testid="pnl-totals">
      {stat(t("invested"), formatRupees(invested), "total-invested")}
      {stat(t("current"), marked ? formatRupees(value) : "—", "total-value")}
      {stat(
        t("unrealizedPnl"),
        marked ? formatSignedRupees(value - invested) : "—",
        "total-unrealized",
        marked ? value - invested : null,
      )}
      {stat(
        t("realizedPnl"),
        realizedPaise !== null ? formatSignedRupees(realizedPaise) : "—",
        "total-realized",
        realizedPaise,
      )}
    </section>
  );
}

/**
 * Markets without shares left: closed by selling (realized P&L), or settled (payout and profit; any
 * cost still recorded after resolution paid nothing and counts as lost).
 */
function PnlList(props: {
  list: MarketPnl[];
  markets: Map<string, Market>;
  testId: string;
  settledView?: boolean;
}) {
  const t = useT();
  const titleOf = useMarketTitle();
  return (
    <ul className="list" data-testid={props.testId}>
      {props.list.map((p) => {
        const m = props.markets.get(p.marketId);
        const profit = p.realizedPaise - p.investedPaise;
        return (
          <li key={p.marketId} className="list-row">
            <div className="grow">
              <Link href={`/markets/${encodeURIComponent(p.marketId)}`} className="row-title">
                {m ? titleOf(m) : p.marketId}
              </Link>
              {props.settledView && m?.outcome && (
                <div className="muted small">{t("resolvedAs", { outcome: m.outcome })}</div>
              )}
            </div>
            <dl className="pnl-grid">
              {props.settledView && (
                <div>
                  <dt>{t("payout")}</dt>
                  <dd>{formatRupees(p.payoutPaise)}</dd>
                </div>
              )}
              <div>
                <dt>{props.settledView ? t("profitLabel") : t("realizedPnl")}</dt>
                <dd className={profit >= 0 ? "gain" : "loss"}>{formatSignedRupees(profit)}</dd>
              </div>
            </dl>
          </li>
        );
      })}
    </ul>
  );
}
