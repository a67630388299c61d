import { useEffect } from "react";
import { useTrades } from "../api/queries";
import { useT } from "../i18n";
import { formatRupees } from "../lib/money";
import { formatTime } from "../lib/time";
import { useLive } from "../state/live-store";
import { liveTrade } from "../state/socket";
import { Empty, ErrorState, Loading } from "./states";

export function TradesList({ marketId }: { marketId: string }) {
  const t = useT();
  const q = useTrades(marketId);
  const trades = useLive((s) => s.trades[marketId]);
  useEffect(() => {
    if (q.data) useLive.getState().seedTrades(marketId, q.data.map(liveTrade));
  }, [q.data, marketId]);
  if (q.isPending && !trades) return <Loading />;
  if (q.isError && !trades) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (!trades?.length) return <Empty>{t("noTrades")}</Empty>;
  return (
    <table className="table trades" aria-label={t("recentTrades")}>
      <thead>
        <tr>
          <th scope="col">{t("yes")}</th>
          <th scope="col">{t("no")}</th>
          <th scope="col" className="num">
            {t("quantity")}
          </th>
          <th scope="col" className="num">
            {t("time")}
          </th>
        </tr>
      </thead>
      <tbody>
        {trades.slice(0, 15).map((tr, i) => (
          <tr key={tr.id ?? `${tr.ts}-${i}`}>
            <td className="yes-text">{formatRupees(tr.price)}</td>
            <td className="no-text">{formatRupees(1000 - tr.price)}</td>
            <td className="num">{tr.qty}</td>
            <td className="num muted">{formatTime(tr.ts)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
