import type { z } from "@hono/zod-openapi";
import type { FillView, OrderView } from "@ox/contracts";
import type { ReplyFill } from "@ox/contracts/pipeline";
import type { orders } from "@ox/db";
import type { OrderView as EngineOrderView } from "@ox/engine";

type ApiOrder = z.infer<typeof OrderView>;

const avg = (valuePaise: number, qty: number) => (qty > 0 ? Math.round(valuePaise / qty) : null);

export function orderFromEngine(o: EngineOrderView): ApiOrder {
  return {
    id: o.orderId,
    marketId: o.marketId,
    clientOrderId: o.clientOrderId,
    outcome: o.outcome,
    side: o.side,
    type: o.orderType,
    timeInForce: o.tif,
    postOnly: o.postOnly,
    pricePaise: o.pricePaise,
    quantity: o.qty,
    status: o.status,
    filledQty: o.filledQty,
    remainingQty: o.remainingQty,
    filledValuePaise: o.filledValuePaise,
    avgPricePaise: avg(o.filledValuePaise, o.filledQty),
    feesPaise: o.feesPaise,
    createdAt: o.ts,
  };
}

export function orderFromRow(r: typeof orders.$inferSelect): ApiOrder {
  const open = r.status === "OPEN";
  return {
    id: r.id,
    marketId: r.marketId,
    clientOrderId: r.clientOrderId,
    outcome: r.outcome,
    side: r.side,
    type: r.orderType,
    timeInForce: r.tif,
    postOnly: r.postOnly,
    pricePaise: r.pricePaise,
    quantity: r.qty,
    status: r.status,
    filledQty: r.filledQty,
    remainingQty: open ? r.qty - r.filledQty : 0,
    filledValuePaise: r.filledValuePaise,
    avgPricePaise: avg(r.filledValuePaise, r.filledQty),
    feesPaise: r.feesPaise,
    createdAt: r.createdAt,
  };
}

export const fillView = (f: ReplyFill): z.infer<typeof FillView> => ({
  tradeSeq: f.seq,
  kind: f.kind,
  qty: f.qty,
  pricePaise: f.pricePaise,
  feePaise: f.feePaise,
});
