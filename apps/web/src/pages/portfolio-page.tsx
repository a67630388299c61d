import type { LedgerEntry, Market } from "@ox/client";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api } from "../api/client";
import { keys, useMarkets, useOpenOrders, usePortfolio } from "../api/queries";
import { FillsTable } from "../components/fills-table";
import { Link } from "../components/link";
import { OpenOrders } from "../components/open-orders";
import { PositionsList } from "../components/positions-table";
import { QueryView } from "../components/states";
import { useT } from "../i18n";
import { formatRupees } from "../lib/money";

export function PortfolioPage() {
  const t = useT();
  const portfolio = usePortfolio();
  const openOrders = useOpenOrders();
  const marketsQ = useMarkets();
  const markets = useMemo(() => new Map((marketsQ.data ?? []).map((m) => [m.id, m])), [marketsQ.data]);
  const ledger = useQuery({
    queryKey: [...keys.transactions, "payouts"],
    queryFn: () => api.wallet.transactions(),
  });
  const settled = useMemo(() => settledFrom(ledger.data?.entries ?? [], markets), [ledger.data, markets]);
  const active = (portfolio.data?.positions ?? []).filter((p) => {
    const m = markets.get(p.marketId);
    return (p.yes > 0 || p.no > 0) && (!m || m.status === "OPEN" || m.status === "CLOSED");
  });
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
      <section className="card" aria-labelledby="pos-h">
        <h2 id="pos-h">{t("positions")}</h2>
        <QueryView
          query={portfolio}
          isEmpty={() => active.length === 0}
          empty={
            <>
              {t("noPositions")} <Link href="/">{t("navHome")} →</Link>
            </>
          }
        >
          {() => <PositionsList positions={active} markets={markets} />}
        </QueryView>
      </section>
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
          <ul className="list" data-testid="settled">
            {settled.map((s) => (
              <li key={s.marketId} className="list-row">
                <div className="grow">
                  <span className="row-title">{s.title}</span>
                  <div className="muted small">{t("resolvedAs", { outcome: s.outcome })}</div>
                </div>
                <div className="right">
                  <span className="muted small">{t("payout")}</span> <strong>{formatRupees(s.payout)}</strong>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="fills-h">
        <h2 id="fills-h">{t("fills")}</h2>
        <FillsTable markets={markets} />
      </section>
    </div>
  );
}

/** One resolved market's payout to this user (paise), summed from its PAYOUT ledger entries. */
interface Settlement {
  marketId: string;
  title: string;
  outcome: "YES" | "NO" | "VOID";
  payout: number;
}

/** Settlements from PAYOUT ledger entries, matched to a market by the id in their description. */
function settledFrom(ledger: LedgerEntry[], markets: Map<string, Market>): Settlement[] {
  const byMarket = new Map<string, Settlement>();
  for (const x of ledger) {
    if (x.kind !== "PAYOUT") continue;
    const text = x.description ?? x.reference;
    const m = [...markets.values()].find((mk) => text.includes(mk.id));
    const id = m?.id ?? x.reference;
    const prev = byMarket.get(id);
    byMarket.set(id, {
      marketId: id,
      title: m?.title ?? text,
      outcome: m?.outcome ?? "VOID",
      payout: (prev?.payout ?? 0) + x.amountPaise,
    });
  }
  return [...byMarket.values()];
}
