import { api } from "../api/client";
import { keys, useMarkets } from "../api/queries";
import { txKindLabel, useT } from "../i18n";
import { ledgerMarketId } from "../lib/ledger";
import { formatSignedRupees } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { LoadMore, useCursorPages } from "./paged";
import { Empty, ErrorState, Loading } from "./states";

export function TransactionsList() {
  const t = useT();
  const { q, items: txs } = useCursorPages(
    keys.transactions,
    (before: number | undefined) => api.wallet.transactions({ query: { before, limit: 50 } }),
    (p) => p.entries,
  );
  const markets = useMarkets();
  const titleOf = new Map((markets.data ?? []).map((m) => [m.id, m.title]));
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (txs.length === 0) return <Empty>{t("noTransactions")}</Empty>;
  return (
    <>
      <ul className="list" data-testid="transactions">
        {txs.map((x) => {
          const marketId = ledgerMarketId(x);
          const market = marketId ? (titleOf.get(marketId) ?? marketId) : null;
          return (
            <li key={x.id} className="list-row">
              <div className="grow">
                <span className="row-title tx-type">{txKindLabel(t, x.kind)}</span>
                {market && (
                  <div className="small" data-testid="tx-market">
                    {market}
                  </div>
                )}
                <div className="muted small">{formatDateTime(x.createdAt)}</div>
              </div>
              <strong className={x.amountPaise >= 0 ? "gain" : "loss"}>
                {formatSignedRupees(x.amountPaise, { fixed: true })}
              </strong>
            </li>
          );
        })}
      </ul>
      <LoadMore q={q} />
    </>
  );
}
