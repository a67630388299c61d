/**
 * A batch of log records → the rows it means, with no I/O. Rows that several events touch (an order
 * filled then closed, a balance moved three times) are folded into one row per key, so the writer
 * issues one multi-row statement per table.
 */
import type { LogEntry } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import type { engineBalances, engineTransfers, LedgerKind, orders, payouts, positions, trades } from "@ox/db";
import type { EngineEvent, OrderAcceptedEvent, PlaceOrderCommand, TradeEvent } from "@ox/engine";

export type OrderRow = typeof orders.$inferInsert;
/** Changes to an order accepted in an earlier batch. Applies only if the row is older than `firstSeq`. */
export interface OrderUpdate {
  id: string;
  firstSeq: number;
  lastSeq: number;
  filledQtyDelta: number;
  filledValueDelta: number;
  feesDelta: number;
  close: { status: "FILLED" | "CANCELLED" | "EXPIRED"; reason: string; filledQty: number } | null;
  /** The last ORDER_AMENDED of the batch: the order's price, quantity and locks now. */
  amend: { pricePaise: number; qty: number; lockedPaise: number; lockedShares: number } | null;
  ts: number;
}
export interface MarketUpdate {
  id: string;
  firstSeq: number;
  lastSeq: number;
  volumeDelta: number;
  pairsDelta: number;
  lastYesPricePaise: number | null;
  status: "CLOSED" | "RESOLVED" | "VOIDED" | null;
  outcome: "YES" | "NO" | "VOID" | null;
  closedAt: number | null;
  resolvedAt: number | null;
}
/** A money movement for the ledger; `origin` ones were written where the money started (Postgres). */
export interface Movement {
  userId: string;
  kind: LedgerKind;
  amountPaise: number;
  reference: string;
  description: string;
  ts: number;
  /** CREDITED/DEBITED ref: the writer decides whether Postgres already holds this movement. */
  engineRef: string | null;
}

export type BalanceRow = Omit<typeof engineBalances.$inferInsert, "lockedPaise"> & {
  lockedPaise: number | null;
};

export interface Plan {
  newOrders: Map<string, OrderRow>;
  orderUpdates: Map<string, OrderUpdate>;
  trades: Array<typeof trades.$inferInsert>;
  /** `lockedPaise: null`: only available is known (CREDITED/DEBITED carry no lock); keep the stored lock. */
  balances: Map<string, BalanceRow>;
  positions: Map<string, typeof positions.$inferInsert>;
  transfers: Array<typeof engineTransfers.$inferInsert>;
  payouts: Array<typeof payouts.$inferInsert>;
  markets: Map<string, MarketUpdate>;
  movements: Movement[];
  events: number;
}

export function planBatch(entries: Array<LogEntry<LogRecord>>): Plan {
  const plan: Plan = {
    newOrders: new Map(),
    orderUpdates: new Map(),
    trades: [],
    balances: new Map(),
    positions: new Map(),
    transfers: [],
    payouts: [],
    markets: new Map(),
    movements: [],
    events: 0,
  };
  for (const { record } of entries) {
    for (const e of record.events) {
      plan.events++;
      apply(plan, record, e);
    }
  }
  return plan;
}

function apply(plan: Plan, record: LogRecord, e: EngineEvent) {
  switch (e.type) {
    case "ORDER_ACCEPTED":
      plan.newOrders.set(e.orderId, acceptedRow(e));
      return;
    case "ORDER_REJECTED": {
      const cmd = (record.orders?.get(e.orderId) ?? record.command) as PlaceOrderCommand;
      plan.newOrders.set(e.orderId, {
        id: e.orderId,
        userId: e.userId,
        marketId: e.marketId,
        clientOrderId: e.clientOrderId,
        outcome: cmd.outcome,
        side: cmd.side,
        orderType: cmd.orderType,
        tif: cmd.tif ?? (cmd.orderType === "MARKET" ? "IOC" : "GTC"),
        expiresAt: typeof cmd.expiresAt === "number" ? cmd.expiresAt : null,
        stp: cmd.stp ?? "CANCEL_RESTING",
        postOnly: cmd.postOnly ?? false,
        pricePaise: cmd.pricePaise ?? 0,
        qty: cmd.qty,
        maxCostPaise: cmd.maxCostPaise ?? null,
        status: "REJECTED",
        rejectCode: e.code,
        lastSeq: e.seq,
        createdAt: e.ts,
        updatedAt: e.ts,
      });
      return;
    }
    case "TRADE":
      return trade(plan, e);
    case "ORDER_CLOSED": {
      const row = plan.newOrders.get(e.orderId);
      const close = { status: e.status, reason: e.reason, filledQty: e.filledQty };
      if (row)
        Object.assign(row, {
          status: e.status,
          closeReason: e.reason,
          filledQty: e.filledQty,
          lastSeq: e.seq,
          updatedAt: e.ts,
        });
      else Object.assign(orderUpdate(plan, e.orderId, e.seq, e.ts), { close });
      return;
    }
    case "ORDER_AMENDED": {
      // The row follows the amend: price and quantity (filled + new remaining), the lock as it is now.
      const amend = {
        pricePaise: e.pricePaise,
        qty: e.qty,
        lockedPaise: e.lockedPaise,
        lockedShares: e.lockedShares,
      };
      const row = plan.newOrders.get(e.orderId);
      if (row) Object.assign(row, amend, { lastSeq: e.seq, updatedAt: e.ts });
      else Object.assign(orderUpdate(plan, e.orderId, e.seq, e.ts), { amend });
      return;
    }
    case "USER_CREATED":
      plan.balances.set(e.userId, {
        userId: e.userId,
        availablePaise: 0,
        lockedPaise: 0,
        lastSeq: e.seq,
        updatedAt: e.ts,
      });
      return;
    case "BALANCE":
      plan.balances.set(e.userId, {
        userId: e.userId,
        availablePaise: e.availablePaise,
        lockedPaise: e.lockedPaise,
        lastSeq: e.seq,
        updatedAt: e.ts,
      });
      return;
    case "POSITION": {
      plan.positions.set(`${e.userId}\u0000${e.marketId}`, {
        userId: e.userId,
        marketId: e.marketId,
        yesQty: e.yesQty,
        noQty: e.noQty,
        yesLockedQty: e.yesLockedQty,
        noLockedQty: e.noLockedQty,
        yesCostPaise: e.yesCostPaise,
        noCostPaise: e.noCostPaise,
        lastSeq: e.seq,
        updatedAt: e.ts,
      });
      return;
    }
    case "CREDITED":
    case "DEBITED": {
      const credit = e.type === "CREDITED";
      plan.transfers.push({
        seq: e.seq,
        ref: e.ref,
        userId: e.userId,
        direction: credit ? "CREDIT" : "DEBIT",
        kind: credit ? e.kind : null,
        amountPaise: e.amountPaise,
        availableAfterPaise: e.availablePaise,
        ts: e.ts,
      });
      const known = plan.balances.get(e.userId);
      plan.balances.set(e.userId, {
        userId: e.userId,
        availablePaise: e.availablePaise,
        lockedPaise: known?.lockedPaise ?? null,
        lastSeq: e.seq,
        updatedAt: e.ts,
      });
      const kind: LedgerKind = credit ? e.kind : "WITHDRAWAL";
      move(
        plan,
        e.userId,
        kind,
        credit ? e.amountPaise : -e.amountPaise,
        `evt:${e.seq}:${e.userId}:${kind}`,
        `${kind} ${e.ref}`,
        e.ts,
        e.ref,
      );
      return;
    }
    case "PAYOUT": {
      // The event as the row: the writer reads only the table's columns (`type` is not one).
      plan.payouts.push(e);
      move(
        plan,
        e.userId,
        "PAYOUT",
        e.amountPaise,
        `evt:${e.seq}:${e.userId}:PAYOUT`,
        `Payout ${e.outcome} in ${e.marketId}`,
        e.ts,
        null,
      );
      return;
    }
    case "MARKET_CLOSED":
      Object.assign(marketUpdate(plan, e.marketId, e.seq), { status: "CLOSED", closedAt: e.ts });
      return;
    case "MARKET_RESOLVED": {
      const m = marketUpdate(plan, e.marketId, e.seq);
      m.status = e.outcome === "VOID" ? "VOIDED" : "RESOLVED";
      m.outcome = e.outcome;
      m.resolvedAt = e.ts;
      m.pairsDelta -= e.pairs;
      return;
    }
    default:
      return;
  }
}

function acceptedRow(e: OrderAcceptedEvent): OrderRow {
  return {
    id: e.orderId,
    userId: e.userId,
    marketId: e.marketId,
    clientOrderId: e.clientOrderId,
    outcome: e.outcome,
    side: e.side,
    orderType: e.orderType,
    tif: e.tif,
    // Log records written before GTD and STP existed carry neither field.
    expiresAt: e.expiresAt ?? null,
    stp: e.stp ?? "CANCEL_RESTING",
    postOnly: e.postOnly,
    pricePaise: e.pricePaise,
    qty: e.qty,
    filledQty: 0,
    filledValuePaise: 0,
    feesPaise: 0,
    maxCostPaise: e.maxCostPaise,
    lockedPaise: e.lockedPaise,
    lockedShares: e.lockedShares,
    status: "OPEN",
    acceptedSeq: e.seq,
    lastSeq: e.seq,
    createdAt: e.ts,
    updatedAt: e.ts,
  };
}

function trade(plan: Plan, e: TradeEvent) {
  plan.trades.push(e); // as a payout: the event is the row, read by the table's columns only
  const m = marketUpdate(plan, e.marketId, e.seq);
  m.volumeDelta += e.qty;
  m.lastYesPricePaise = e.yesPricePaise;
  if (e.kind === "MINT") m.pairsDelta += e.qty;
  if (e.kind === "MERGE") m.pairsDelta -= e.qty;
  const parties = [
    {
      orderId: e.makerOrderId,
      userId: e.makerUserId,
      side: e.makerSide,
      price: e.makerPricePaise,
      fee: e.makerFeePaise,
      outcome: e.makerOutcome,
    },
    {
      orderId: e.takerOrderId,
      userId: e.takerUserId,
      side: e.takerSide,
      price: e.takerPricePaise,
      fee: e.takerFeePaise,
      outcome: e.takerOutcome,
    },
  ];
  for (const p of parties) {
    const value = p.price * e.qty;
    const row = plan.newOrders.get(p.orderId);
    if (row) {
      row.filledQty = (row.filledQty ?? 0) + e.qty;
      row.filledValuePaise = (row.filledValuePaise ?? 0) + value;
      row.feesPaise = (row.feesPaise ?? 0) + p.fee;
      row.lastSeq = e.seq;
      row.updatedAt = e.ts;
    } else {
      const u = orderUpdate(plan, p.orderId, e.seq, e.ts);
      u.filledQtyDelta += e.qty;
      u.filledValueDelta += value;
      u.feesDelta += p.fee;
    }
    const what = `${p.side} ${e.qty} ${p.outcome} @ ${p.price} (${e.kind}) in ${e.marketId}`;
    move(
      plan,
      p.userId,
      "TRADE",
      p.side === "BUY" ? -value : value,
      `evt:${e.seq}:${p.userId}:TRADE`,
      what,
      e.ts,
      null,
    );
    move(plan, p.userId, "FEE", -p.fee, `evt:${e.seq}:${p.userId}:FEE`, `Fee on ${what}`, e.ts, null);
  }
}

function move(
  plan: Plan,
  userId: string,
  kind: LedgerKind,
  amountPaise: number,
  reference: string,
  description: string,
  ts: number,
  engineRef: string | null,
) {
  if (amountPaise !== 0)
    plan.movements.push({ userId, kind, amountPaise, reference, description, ts, engineRef });
}

function orderUpdate(plan: Plan, id: string, seq: number, ts: number): OrderUpdate {
  let u = plan.orderUpdates.get(id);
  if (!u) {
    u = {
      id,
      firstSeq: seq,
      lastSeq: seq,
      filledQtyDelta: 0,
      filledValueDelta: 0,
      feesDelta: 0,
      close: null,
      amend: null,
      ts,
    };
    plan.orderUpdates.set(id, u);
  }
  u.lastSeq = seq;
  u.ts = ts;
  return u;
}

function marketUpdate(plan: Plan, id: string, seq: number): MarketUpdate {
  let m = plan.markets.get(id);
  if (!m) {
    m = {
      id,
      firstSeq: seq,
      lastSeq: seq,
      volumeDelta: 0,
      pairsDelta: 0,
      lastYesPricePaise: null,
      status: null,
      outcome: null,
      closedAt: null,
      resolvedAt: null,
    };
    plan.markets.set(id, m);
  }
  m.lastSeq = seq;
  return m;
}
