import { api } from "../api/client";
import { keys } from "../api/queries";
import { useT } from "../i18n";
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
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (txs.length === 0) return <Empty>{t("noTransactions")}</Empty>;
  return (
    <>
      <ul className="list" data-testid="transactions">
        {txs.map((x) => (
          <li key={x.id} className="list-row">
            <div className="grow">
              <span className="row-title tx-type">{x.kind.replace(/_/g, " ").toLowerCase()}</span>
              <div className="muted small">{formatDateTime(x.createdAt)}</div>
            </div>
            <strong className={x.amountPaise >= 0 ? "gain" : "loss"}>
              {formatSignedRupees(x.amountPaise)}
            </strong>
          </li>
        ))}
      </ul>
      <LoadMore q={q} />
    </>
  );
}
