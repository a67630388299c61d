/**
 * Engine events → socket payloads (docs/order-path.md). The book is kept in YES terms by the engine; sockets get
 * it as Probo shows it: bids per outcome, each in its own outcome's price.
 */
import { type BalanceMsg, fillMsg, type TickerMsg, type TradeMsg } from "@ox/contracts";
import type { EngineEvent, MarketView, TradeEvent } from "@ox/engine";

// The book and fill mappings are shared with the API's trading socket (packages/contracts socket.ts).
export { bookDeltaMsg, bookMsg } from "@ox/contracts";

const PAYOUT = 1000;

/** Public: no user or order ids. */
export function tradeMsg(e: TradeEvent): TradeMsg {
  return {
    marketId: e.marketId,
    seq: e.seq,
    ts: e.ts,
    kind: e.kind,
    qty: e.qty,
    yesPricePaise: e.yesPricePaise,
    noPricePaise: PAYOUT - e.yesPricePaise,
    takerOutcome: e.takerOutcome,
    takerSide: e.takerSide,
  };
}

export function tickerMsg(m: MarketView): TickerMsg {
  const flip = (p: number | null) => (p === null ? null : PAYOUT - p);
  return {
    marketId: m.marketId,
    status: m.status,
    yesBidPaise: m.bestYesBidPaise,
    noBidPaise: flip(m.bestYesAskPaise),
    yesAskPaise: m.bestYesAskPaise,
    noAskPaise: flip(m.bestYesBidPaise),
    lastYesPricePaise: m.lastYesPricePaise,
    volumeQty: m.volumeQty,
    seq: m.bookSeq,
  };
}

/** What one user's room receives for one event: [socket event name, payload] pairs, by user id. */
export function userMessages(e: EngineEvent): Array<[userId: string, name: string, payload: unknown]> {
  switch (e.type) {
    case "ORDER_ACCEPTED":
    case "ORDER_REJECTED":
    case "ORDER_AMENDED":
    case "ORDER_CLOSED":
      return [[e.userId, "order", e]];
    case "TRADE": {
      const maker = fillMsg(e, "MAKER");
      const taker = fillMsg(e, "TAKER");
      return [
        [e.makerUserId, "fill", maker],
        [e.makerUserId, "order", { type: "ORDER_FILL", ...maker }],
        [e.takerUserId, "fill", taker],
        [e.takerUserId, "order", { type: "ORDER_FILL", ...taker }],
      ];
    }
    case "BALANCE": {
      const balance: BalanceMsg = {
        seq: e.seq,
        availablePaise: e.availablePaise,
        lockedPaise: e.lockedPaise,
      };
      return [[e.userId, "balance", balance]];
    }
    case "POSITION":
      return [[e.userId, "position", e]];
    case "CREDITED":
    case "DEBITED":
    case "PAYOUT":
      return [[e.userId, "wallet", e]];
    default:
      return [];
  }
}
