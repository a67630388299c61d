/** Trade-ticket arithmetic in integer paise: what an order costs, pays and earns if right. */
import { type BookState, liquidity, type Outcome, type Side, sweep } from "./book";
import { PAYOUT_PAISE, probabilityPct } from "./money";

export type OrderKind = "LIMIT" | "MARKET" | "IOC" | "FOK";

export interface TicketInput {
  outcome: Outcome;
  side: Side;
  kind: OrderKind;
  pricePaise: number;
  qty: number;
  tickPaise: number;
}

export interface TicketQuote {
  /** BUY: cash locked now (price × qty, or the sweep estimate for MARKET). SELL: cash received. */
  amountPaise: number;
  /** BUY: shares that pay ₹10 each if right. */
  payoutPaise: number;
  /** BUY: payout − cost. SELL: receive − nothing (shares already owned), shown as proceeds. */
  profitPaise: number;
  probabilityPct: number;
  /** MARKET only: shares the current book can fill and the worst price it would touch. */
  estimate?: { filledQty: number; worstPrice: number | null };
}

export function clampPrice(pricePaise: number, tickPaise: number): number {
  const snapped = Math.round(pricePaise / tickPaise) * tickPaise;
  return Math.min(PAYOUT_PAISE - tickPaise, Math.max(tickPaise, snapped));
}

export function stepPrice(pricePaise: number, steps: number, tickPaise: number): number {
  return clampPrice(pricePaise + steps * tickPaise, tickPaise);
}

export function quoteTicket(input: TicketInput, book: BookState | null): TicketQuote {
  const qty = Math.max(0, Math.trunc(input.qty));
  const price = clampPrice(input.pricePaise, input.tickPaise);
  if (input.kind === "MARKET" && book) {
    const est = sweep(liquidity(book, input.outcome, input.side), qty);
    const payout = input.side === "BUY" ? est.filledQty * PAYOUT_PAISE : 0;
    return {
      amountPaise: est.amountPaise,
      payoutPaise: payout,
      profitPaise: input.side === "BUY" ? payout - est.amountPaise : est.amountPaise,
      probabilityPct: probabilityPct(est.worstPrice ?? price),
      estimate: { filledQty: est.filledQty, worstPrice: est.worstPrice },
    };
  }
  const amount = price * qty;
  const payout = input.side === "BUY" ? qty * PAYOUT_PAISE : 0;
  return {
    amountPaise: amount,
    payoutPaise: payout,
    profitPaise: input.side === "BUY" ? payout - amount : amount,
    probabilityPct: probabilityPct(price),
  };
}

/** The POST /orders body for a ticket (docs/order-path.md). MARKET sends its worst acceptable price as a bound. */
export function orderBody(marketId: string, input: TicketInput, clientOrderId: string, postOnly = false) {
  const price = clampPrice(input.pricePaise, input.tickPaise);
  const base = { marketId, outcome: input.outcome, side: input.side, quantity: input.qty, clientOrderId };
  switch (input.kind) {
    case "MARKET":
      return { ...base, type: "MARKET" as const, pricePaise: price, timeInForce: "IOC" as const };
    case "IOC":
    case "FOK":
      return { ...base, type: "LIMIT" as const, pricePaise: price, timeInForce: input.kind };
    default:
      return {
        ...base,
        type: "LIMIT" as const,
        pricePaise: price,
        timeInForce: "GTC" as const,
        ...(postOnly ? { postOnly } : {}),
      };
  }
}
