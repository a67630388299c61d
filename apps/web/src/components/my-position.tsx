import type { Market } from "@ox/client";
import { useMemo } from "react";
import { useMe, useOpenOrders, usePnl, usePortfolio } from "../api/queries";
import { useT } from "../i18n";
import { formatSignedRupees } from "../lib/money";
import { OpenOrders } from "./open-orders";
import { PositionsList, usePositionLines } from "./positions-table";

/** The market page's "Your position": shares held here with their P&L and Exit, and own open orders here. */
export function MyPosition({ market }: { market: Market }) {
  const me = useMe();
  if (!me.data) return null;
  return <Mine market={market} />;
}

function Mine({ market }: { market: Market }) {
  const t = useT();
  const portfolio = usePortfolio();
  const pnlQ = usePnl();
  const openOrders = useOpenOrders();
  const markets = useMemo(() => new Map([[market.id, market]]), [market]);
  const positions = (portfolio.data?.positions ?? []).filter(
    (p) => p.marketId === market.id && (p.yes > 0 || p.no > 0),
  );
  const lines = usePositionLines(positions, markets);
  const mine = pnlQ.data?.markets.find((p) => p.marketId === market.id);
  const pnl = useMemo(() => new Map(mine ? [[market.id, mine]] : []), [mine, market.id]);
  const orders = (openOrders.data ?? []).filter((o) => o.marketId === market.id);
  return (
    <section className="card mp-mine" aria-labelledby="mine-h" data-testid="my-position">
      <h2 id="mine-h">{t("yourPosition")}</h2>
      {lines.length > 0 ? (
        <PositionsList lines={lines} pnl={pnl} />
      ) : (
        <p className="muted">
          {t("noPositionHere")}
          {mine && mine.realizedPaise !== 0 && (
            <>
              {" "}
              {t("realizedPnl")}:{" "}
              <strong className={mine.realizedPaise >= 0 ? "gain" : "loss"}>
                {formatSignedRupees(mine.realizedPaise)}
              </strong>
            </>
          )}
        </p>
      )}
      {orders.length > 0 && (
        <>
          <h3 className="review-title">{t("yourOrdersHere")}</h3>
          <OpenOrders list={orders} markets={markets} />
        </>
      )}
    </section>
  );
}
