import type { Market, Order } from "@ox/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, errorMessage } from "../api/client";
import { keys } from "../api/queries";
import { useMarketTitle, useT } from "../i18n";
import { formatRupees } from "../lib/money";
import { useUi } from "../state/ui-store";
import { Link } from "./link";

export function OpenOrders({ list, markets }: { list: Order[]; markets: Map<string, Market> }) {
  return (
    <ul className="list" data-testid="open-orders">
      {list.map((o) => (
        <OrderRow key={o.id} order={o} market={markets.get(o.marketId)} />
      ))}
    </ul>
  );
}

function OrderRow({ order, market }: { order: Order; market?: Market }) {
  const t = useT();
  const titleOf = useMarketTitle();
  const qc = useQueryClient();
  const toast = useUi((s) => s.toast);
  const cancel = useMutation({
    mutationFn: () => api.orders.cancel({ params: { id: order.id } }),
    onSuccess: () => {
      qc.setQueryData<Order[]>(keys.openOrders, (l) => l?.filter((o) => o.id !== order.id));
      qc.invalidateQueries({ queryKey: keys.openOrders });
      qc.invalidateQueries({ queryKey: keys.portfolio });
    },
    onError: (e) => toast(errorMessage(e), "error"),
  });
  return (
    <li className="list-row">
      <div className="grow">
        <Link href={`/markets/${encodeURIComponent(order.marketId)}`} className="row-title">
          {market ? titleOf(market) : order.marketId}
        </Link>
        <div className="muted small">
          {order.side === "BUY" ? t("buy") : t("sell")}{" "}
          <span className={order.outcome === "YES" ? "tag tag-yes" : "tag tag-no"}>
            {order.outcome === "YES" ? t("yes") : t("no")}
          </span>{" "}
          {order.pricePaise ? `@ ${formatRupees(order.pricePaise)}` : ""} · {t("filled")} {order.filledQty}/
          {order.quantity}
        </div>
      </div>
      <button
        type="button"
        className="btn btn-ghost btn-sm"
        disabled={cancel.isPending}
        onClick={() => cancel.mutate()}
        aria-label={t("cancelOrder", { id: order.id.slice(0, 8) })}
      >
        {t("cancel")}
      </button>
    </li>
  );
}
