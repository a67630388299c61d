import type { Market } from "@ox/client";
import { api } from "../api/client";
import { keys } from "../api/queries";
import { useT } from "../i18n";
import { formatRupees } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { LoadMore, useCursorPages } from "./paged";
import { Empty, ErrorState, Loading } from "./states";

export function FillsTable({ markets }: { markets: Map<string, Market> }) {
  const t = useT();
  const { q, items: fills } = useCursorPages(
    keys.fills,
    (before: number | undefined) => api.portfolio.fills({ query: { before, limit: 50 } }),
    (p) => p.fills,
  );
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (fills.length === 0) return <Empty>{t("noFills")}</Empty>;
  return (
    <>
      <div className="table-wrap">
        <table className="table" aria-label={t("fills")} data-testid="fills">
          <thead>
            <tr>
              <th scope="col">{t("navHome")}</th>
              <th scope="col">{t("side")}</th>
              <th scope="col" className="num">
                {t("price")}
              </th>
              <th scope="col" className="num">
                {t("quantity")}
              </th>
              <th scope="col" className="num">
                {t("time")}
              </th>
            </tr>
          </thead>
          <tbody>
            {fills.map((f) => (
              <tr key={`${f.tradeSeq}-${f.role}`}>
                <td className="ellipsis">{markets.get(f.marketId)?.title ?? f.marketId}</td>
                <td>
                  {f.side === "BUY" ? t("buy") : t("sell")}{" "}
                  <span className={f.outcome === "YES" ? "tag tag-yes" : "tag tag-no"}>
                    {f.outcome === "YES" ? t("yes") : t("no")}
                  </span>
                </td>
                <td className="num">{formatRupees(f.pricePaise)}</td>
                <td className="num">{f.qty}</td>
                <td className="num muted">{formatDateTime(f.ts)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LoadMore q={q} />
    </>
  );
}
