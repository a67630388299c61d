import type { Market } from "@ox/client";
import { lazy, Suspense, useState } from "react";
import { ApiError } from "../api/client";
import { useMarket } from "../api/queries";
import { Link } from "../components/link";
import { MyPosition } from "../components/my-position";
import { OrderBook } from "../components/order-book";
import { Empty, ErrorState, Loading } from "../components/states";
import { type BookPick, TradeTicket } from "../components/trade-ticket";
import { TradesList } from "../components/trades-list";
import { categoryLabel, statusLabel, useMarketTitle, useT } from "../i18n";
import { formatCompact } from "../lib/money";
import { chancePct } from "../lib/sizing";
import { formatDateTime, timeLeft } from "../lib/time";
import { useLivePrices, useMarketRoom } from "../lib/use-live-market";
import { useNow } from "../lib/use-now";
import { useLive } from "../state/live-store";
import { useRoute } from "../state/router";

const PriceChart = lazy(() => import("../components/price-chart"));

export function MarketPage({ id }: { id: string }) {
  const t = useT();
  const q = useMarket(id);
  useMarketRoom(id);
  if (q.isPending) return <Loading />;
  if (q.isError) {
    if (q.error instanceof ApiError && q.error.status === 404) return <Empty>{t("marketNotFound")}</Empty>;
    return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  }
  return <MarketView market={q.data} />;
}

function MarketView({ market }: { market: Market }) {
  const t = useT();
  const title = useMarketTitle()(market);
  const now = useNow(1000);
  const search = useRoute((s) => s.search);
  const live = useLivePrices(market);
  const initialOutcome = new URLSearchParams(search).get("outcome") === "NO" ? "NO" : "YES";
  const left = timeLeft(market.closeAt, now);
  const book = useLive((s) => s.books[market.id]);
  const chance = chancePct(book, live.lastPrice, { yes: live.yes, no: live.no });
  const status = live.status;
  const [pick, setPick] = useState<BookPick | null>(null);
  return (
    <div className="page market-page">
      <div className="mp-head">
        <Link href="/" className="back">
          ← {t("back")}
        </Link>
        <div className="mp-tags">
          <span className="chip">{categoryLabel(t, market.category)}</span>
          <span className={`status status-${status.toLowerCase()}`}>{statusLabel(t, status)}</span>
        </div>
        <h1 className="mp-title">{title}</h1>
        <div className="mp-stats">
          {chance !== null && <span className="big-chance">{t("chance", { pct: chance })}</span>}
          <span className="muted">
            {t("volume")} {formatCompact(live.volume)}
          </span>
          <span className="muted" data-testid="countdown">
            {status === "OPEN" && left
              ? t("closesIn", { t: left })
              : market.outcome
                ? t("resolvedAs", { outcome: t(`outcome${market.outcome}`) })
                : t("closed")}
          </span>
        </div>
      </div>
      <div className="mp-grid">
        <section className="card mp-chart" aria-labelledby="chart-h">
          <h2 id="chart-h">{t("priceHistory")}</h2>
          <Suspense fallback={<Loading />}>
            <PriceChart marketId={market.id} />
          </Suspense>
        </section>
        <div className="mp-ticket">
          <TradeTicket market={market} initialOutcome={initialOutcome} pick={pick} />
          <MyPosition market={market} />
        </div>
        <section className="card mp-book" aria-labelledby="book-h">
          <h2 id="book-h">{t("orderBook")}</h2>
          <p className="muted small">{t("bookHint")}</p>
          <OrderBook
            marketId={market.id}
            onPick={(outcome, pricePaise) => setPick((p) => ({ outcome, pricePaise, n: (p?.n ?? 0) + 1 }))}
          />
        </section>
        <section className="card mp-trades" aria-labelledby="trades-h">
          <h2 id="trades-h">{t("recentTrades")}</h2>
          <TradesList marketId={market.id} />
        </section>
        <section className="card mp-about" aria-labelledby="about-h">
          <h2 id="about-h">{t("about")}</h2>
          {market.description && <p>{market.description}</p>}
          <dl className="facts">
            <div>
              <dt>{t("rules")}</dt>
              <dd className="prewrap">{market.rules || "—"}</dd>
            </div>
            <div>
              <dt>{t("source")}</dt>
              <dd>{market.resolutionSource || "—"}</dd>
            </div>
            <div>
              <dt>{t("closeAtLabel")}</dt>
              <dd>{formatDateTime(market.closeAt)}</dd>
            </div>
          </dl>
        </section>
      </div>
    </div>
  );
}
