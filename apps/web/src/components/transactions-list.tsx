import { wallet } from "../api/endpoints";
import { toMs } from "../api/normalize";
import { keys } from "../api/queries";
import { useT } from "../i18n";
import { formatSignedRupees } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { LoadMore, useCursorPages } from "./paged";
import { Empty, ErrorState, Loading } from "./states";

export function TransactionsList() {
  const t = useT();
  const { q, items: txs } = useCursorPages(keys.transactions, wallet.transactions, (p) => p.transactions);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (txs.length === 0) return <Empty>{t("noTransactions")}</Empty>;
  return (
    <>
      <ul className="list" data-testid="transactions">
        {txs.map((x) => (
          <li key={x.id} className="list-row">
            <div className="grow">
              <span className="row-title tx-type">{x.type.replace(/_/g, " ").toLowerCase()}</span>
              <div className="muted small">
                {formatDateTime(toMs(x.ts ?? x.createdAt))}
                {x.status ? ` · ${x.status.toLowerCase()}` : ""}
              </div>
            </div>
            <strong className={x.amount >= 0 ? "gain" : "loss"}>{formatSignedRupees(x.amount)}</strong>
          </li>
        ))}
      </ul>
      <LoadMore q={q} />
    </>
  );
}
