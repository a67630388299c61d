/**
 * Socket.io messages (apps/stream → browser; docs/order-path.md). Market rooms get the book, its
 * deltas, trades and the ticker; a user's room gets their orders, fills, balance and change pings.
 * The book is sent as Probo shows it: bids per outcome, each in its own outcome's price.
 */
import type {
  BookDeltaEvent,
  BookView,
  CreditedEvent,
  DebitedEvent,
  OrderAcceptedEvent,
  OrderAmendedEvent,
  OrderClosedEvent,
  OrderRejectedEvent,
  PayoutEvent,
  PositionEvent,
  TradeEvent,
} from "@ox/engine";
import { z } from "zod";

const Paise = z.number().int();
const Outcome = z.enum(["YES", "NO"]);
const Side = z.enum(["BUY", "SELL"]);
const FillKind = z.enum(["TRANSFER", "MINT", "MERGE"]);

/** Client → server: `subscribe` / `unsubscribe` a market room. */
export const SubscribeMsg = z.object({ marketId: z.string() }).meta({ id: "SubscribeMsg" });
/** The `subscribe` ack when it is refused. */
export const SubscribeError = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ id: "SubscribeError" });

export const LevelMsg = z.object({ pricePaise: Paise, qty: z.number().int() });
/** `book`: the whole book, sent on subscribe. */
export const BookMsg = z
  .object({ marketId: z.string(), seq: z.number().int(), yes: z.array(LevelMsg), no: z.array(LevelMsg) })
  .meta({ id: "BookMsg" });
/** `book:delta`: one level's new total; `seq` follows the book's (a gap means resubscribe). */
export const BookDeltaMsg = z
  .object({
    marketId: z.string(),
    seq: z.number().int(),
    outcome: Outcome,
    pricePaise: Paise,
    qty: z.number().int(),
  })
  .meta({ id: "BookDeltaMsg" });
/** `trade`: public, no user or order ids. */
export const TradeMsg = z
  .object({
    marketId: z.string(),
    seq: z.number().int(),
    ts: z.number().int(),
    kind: FillKind,
    qty: z.number().int(),
    yesPricePaise: Paise,
    noPricePaise: Paise,
    takerOutcome: Outcome,
    takerSide: Side,
  })
  .meta({ id: "TradeMsg" });
/** `ticker`: best bids per outcome and the price to buy each outcome now (null = nothing there). */
export const TickerMsg = z
  .object({
    marketId: z.string(),
    status: z.enum(["OPEN", "CLOSED", "RESOLVED", "VOIDED"]),
    yesBidPaise: Paise.nullable(),
    noBidPaise: Paise.nullable(),
    yesAskPaise: Paise.nullable(),
    noAskPaise: Paise.nullable(),
    lastYesPricePaise: Paise.nullable(),
    volumeQty: z.number().int(),
    seq: z.number().int(),
  })
  .meta({ id: "TickerMsg" });

/** `fill` (user room): one side of a trade, in that user's terms. */
export const FillMsg = z
  .object({
    seq: z.number().int(),
    ts: z.number().int(),
    marketId: z.string(),
    kind: FillKind,
    role: z.enum(["MAKER", "TAKER"]),
    orderId: z.string(),
    outcome: Outcome,
    side: Side,
    pricePaise: Paise,
    feePaise: Paise,
    qty: z.number().int(),
  })
  .meta({ id: "FillMsg" });
/** `balance` (user room). */
export const BalanceMsg = z
  .object({ seq: z.number().int(), availablePaise: Paise, lockedPaise: Paise })
  .meta({ id: "BalanceMsg" });

export type SubscribeMsg = z.infer<typeof SubscribeMsg>;
export type LevelMsg = z.infer<typeof LevelMsg>;
export type BookMsg = z.infer<typeof BookMsg>;
export type BookDeltaMsg = z.infer<typeof BookDeltaMsg>;
export type TradeMsg = z.infer<typeof TradeMsg>;
export type TickerMsg = z.infer<typeof TickerMsg>;
export type FillMsg = z.infer<typeof FillMsg>;
export type BalanceMsg = z.infer<typeof BalanceMsg>;
/** `order` (user room): the engine's order events as they are, plus one ORDER_FILL per fill. */
export type OrderMsg =
  | OrderAcceptedEvent
  | OrderRejectedEvent
  | OrderAmendedEvent
  | OrderClosedEvent
  | ({ type: "ORDER_FILL" } & FillMsg);
/** `position` (user room): the engine's POSITION event. */
export type PositionMsg = PositionEvent;
/** `wallet` (user room): money in or out of the user's account. */
export type WalletMsg = CreditedEvent | DebitedEvent | PayoutEvent;

/** Every server → client event name with its payload. */
export interface ServerToClientEvents {
  book: (m: BookMsg) => void;
  "book:delta": (m: BookDeltaMsg) => void;
  trade: (m: TradeMsg) => void;
  ticker: (m: TickerMsg) => void;
  order: (m: OrderMsg) => void;
  fill: (m: FillMsg) => void;
  balance: (m: BalanceMsg) => void;
  position: (m: PositionMsg) => void;
  wallet: (m: WalletMsg) => void;
}

const PAYOUT = 1000;

/** The engine's book view as `book` (shared by the stream and the API's trading socket). */
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

/** One side of a trade as that user's `fill`. */
export function fillMsg(e: TradeEvent, role: "MAKER" | "TAKER"): FillMsg {
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
}
