import { useInfiniteQuery } from "@tanstack/react-query";
import { portfolio } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Market } from "../api/types";
import { useT } from "../i18n";
import { formatRupees } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { Empty, ErrorState, Loading } from "./states";

export function FillsTable({ markets }: { markets: Map<string, Market> }) {
  const t = useT();
  const q = useInfiniteQuery({
    queryKey: keys.fills,
    queryFn: ({ pageParam }) => portfolio.fills(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const fills = q.data.pages.flatMap((p) => p.fills);
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
            {fills.map((f, i) => (
              <tr key={f.id ?? `${f.ts}-${i}`}>
                <td className="ellipsis">{markets.get(f.marketId)?.title ?? f.marketId}</td>
                <td>
                  {f.side === "BUY" ? t("buy") : t("sell")}{" "}
                  <span className={f.outcome === "YES" ? "tag tag-yes" : "tag tag-no"}>
                    {f.outcome === "YES" ? t("yes") : t("no")}
                  </span>
                </td>
                <td className="num">{formatRupees(f.price)}</td>
                <td className="num">{f.qty}</td>
                <td className="num muted">{formatDateTime(f.ts)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {q.hasNextPage && (
        <button
          type="button"
          className="btn btn-ghost"
          disabled={q.isFetchingNextPage}
          onClick={() => q.fetchNextPage()}
        >
          {t("loadMore")}
        </button>
      )}
    </>
  );
}
