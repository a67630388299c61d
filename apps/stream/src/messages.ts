/**
 * Engine events → socket payloads (docs/order-path.md). The book is kept in YES terms by the engine; sockets get
 * it as Probo shows it: bids per outcome, each in its own outcome's price.
 */
import type { BalanceMsg, BookDeltaMsg, BookMsg, FillMsg, TickerMsg, TradeMsg } from "@ox/contracts";
import type { BookDeltaEvent, BookView, EngineEvent, MarketView, TradeEvent } from "@ox/engine";

const PAYOUT = 1000;

export function bookMsg(view: BookView): BookMsg {
  const level = (l: { pricePaise: number; qty: number }) => ({ pricePaise: l.pricePaise, qty: l.qty });
  return { marketId: view.marketId, seq: view.bookSeq, yes: view.yes.map(level), no: view.no.map(level) };
}

/** A BID at YES price y is a YES bid at y; an ASK at y is a NO bid at 1000 − y. */
export function bookDeltaMsg(e: BookDeltaEvent): BookDeltaMsg {
  const yes = e.side === "BID";
  return {
    marketId: e.marketId,
    seq: e.bookSeq,
    outcome: yes ? "YES" : "NO",
    pricePaise: yes ? e.yesPricePaise : PAYOUT - e.yesPricePaise,
    qty: e.qty,
  };
}

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
    case "ORDER_CLOSED":
      return [[e.userId, "order", e]];
    case "TRADE": {
      const side = (role: "MAKER" | "TAKER"): FillMsg => {
        const maker = role === "MAKER";
        return {
          seq: e.seq,
          ts: e.ts,
          marketId: e.marketId,
          kind: e.kind,
          role,
          orderId: maker ? e.makerOrderId : e.takerOrderId,
          outcome: maker ? e.makerOutcome : e.takerOutcome,
          side: maker ? e.makerSide : e.takerSide,
          pricePaise: maker ? e.makerPricePaise : e.takerPricePaise,
          feePaise: maker ? e.makerFeePaise : e.takerFeePaise,
          qty: e.qty,
        };
      };
      const maker = side("MAKER");
      const taker = side("TAKER");
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
