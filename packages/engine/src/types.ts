/**
 * The engine's public contract: commands in, result codes and events out.
 *
 * Units (docs/money.md#units): money is integer paise, prices are paise per share in the order's own
 * outcome terms unless a field says `yes`, quantities are whole shares, time is epoch ms
 * stamped by the shell (the engine never reads a clock; it only compares `ts` values).
 *
 * Determinism contract (both the fast engine and the reference engine obey it, event for event):
 *
 * 1. Every event carries `seq` (global, +1 per event, never reused) and the command's `ts`.
 * 2. PLACE_ORDER, accepted: ORDER_ACCEPTED first. Then the match loop walks the opposite side of the
 *    unified YES book best price first, FIFO within a price. For each resting order met:
 *      - same owner (self-trade prevention): ORDER_CLOSED{CANCELLED, SELF_TRADE} for the resting
 *        order, then BOOK_DELTA for its level;
 *      - otherwise: TRADE, then ORDER_CLOSED{FILLED} for the maker if it is now empty, then
 *        BOOK_DELTA for the maker's level.
 *      - (before either) a GTD order with `expiresAt <= ts` of the command: ORDER_CLOSED{EXPIRED, GTD},
 *        then BOOK_DELTA; its owner is a participant; it never trades;
 *      - same owner and the taker's stp is CANCEL_TAKER: the loop stops there (the resting order stays).
 *    After the loop: if the taker rests, BOOK_DELTA for its level; if it is filled,
 *    ORDER_CLOSED{FILLED}; if it stopped at its own order (CANCEL_TAKER), ORDER_CLOSED{CANCELLED,
 *    SELF_TRADE} for the taker's remainder; if an IOC/MARKET remainder is left, ORDER_CLOSED{EXPIRED, IOC}.
 *    Last, one BALANCE event per participant, then one POSITION event per participant for this
 *    market. Participants = the taker, then every other user met in the loop (maker or self-trade
 *    owner) in order of first appearance; each user once; emitted even if the numbers did not move.
 * 3. PLACE_ORDER, rejected: exactly one ORDER_REJECTED event and no state change, except that the
 *    (userId, clientOrderId) pair is remembered with its code so a repeat returns it again.
 *    A repeat of a remembered clientOrderId returns the first result's code with
 *    `duplicate: true`, the order's current view, and no events.
 * 4. CANCEL_ORDER: ORDER_CLOSED{CANCELLED, USER}, BOOK_DELTA, BALANCE, POSITION.
 *    CANCEL_ALL: per order in ascending `acceptedSeq`: ORDER_CLOSED{CANCELLED, USER} + BOOK_DELTA;
 *    then BALANCE, POSITION of the user (only if at least one order was cancelled; else code OK, no events).
 *    Without `marketId` (every market): the same per market, markets in ascending marketId (JS
 *    string `<`), then one BALANCE, then one POSITION per market that had an order, same order.
 *    EXPIRE_ORDERS: per market in creation order that has due GTD orders: per due order in ascending
 *    (expiresAt, acceptedSeq) ORDER_CLOSED{EXPIRED, GTD} + BOOK_DELTA; then BALANCE of each owner, then
 *    POSITION of each owner in that market (owners in order of first appearance). Nothing due: OK, no events.
 * 5. RESOLVE_MARKET: every open order in ascending `acceptedSeq`: ORDER_CLOSED{CANCELLED,
 *    MARKET_RESOLVED} + BOOK_DELTA; then MARKET_RESOLVED; then for each user holding shares or having
 *    had an order cancelled, in ascending userId (JS string `<`): PAYOUT (only if amount > 0 or
 *    shares > 0), then BALANCE and POSITION for every such user, also in ascending userId order
 *    (all PAYOUTs first, then all BALANCEs, then all POSITIONs).
 * 6. AMEND_ORDER, applied: ORDER_AMENDED first. If it keeps time priority (same price, remaining not
 *    raised): BOOK_DELTA for its level, then BALANCE and POSITION of the owner. If it loses priority
 *    (a new price, or more remaining): BOOK_DELTA for the level it left, then the match loop of item
 *    2 with the amended order as the taker at its new price; after the loop BOOK_DELTA for its new
 *    level if it rests, or ORDER_CLOSED{FILLED}; then BALANCE per participant, POSITION per
 *    participant (the owner first), as in item 2. Its `acceptedSeq` becomes ORDER_AMENDED's seq.
 *    AMEND_ORDER, refused: no events and no state change, except that (userId, clientAmendId) is
 *    remembered with its code; a repeat returns the first result's code with `duplicate: true`, the
 *    order's view as that first amend left it, and no events.
 * 7. BOOK_DELTA carries the level's new total quantity (0 = level gone) and the market's `bookSeq`,
 *    which rises by exactly 1 per BOOK_DELTA of that market.
 * 8. Business rejections are result codes. An exception means a broken invariant (a bug).
 */

export type Outcome = "YES" | "NO";
export type Side = "BUY" | "SELL";
export type OrderType = "LIMIT" | "MARKET";
export type TimeInForce = "GTC" | "GTD" | "IOC" | "FOK";
/**
 * Self-trade prevention, the taker's choice (Kalshi's `self_trade_prevention_type`): CANCEL_RESTING
 * (Kalshi `maker`, the default) cancels each own resting order met and carries on; CANCEL_TAKER
 * (Kalshi `taker_at_cross`) cancels the taker's remainder at its first own resting order.
 */
export type SelfTradePrevention = "CANCEL_RESTING" | "CANCEL_TAKER";
export type Resolution = "YES" | "NO" | "VOID";
export type MarketStatus = "OPEN" | "CLOSED" | "RESOLVED" | "VOIDED";
export type CreditKind = "BONUS" | "DEPOSIT" | "REFERRAL" | "REFUND" | "ADJUSTMENT";
export type FillKind = "TRANSFER" | "MINT" | "MERGE";
export type BookSide = "BID" | "ASK";
export type OrderStatus = "OPEN" | "FILLED" | "CANCELLED" | "EXPIRED" | "REJECTED";
/** GTD: a good-till-date order whose `expiresAt` came (EXPIRE_ORDERS, or met by a taker at or after it). */
export type CloseReason = "FILLED" | "USER" | "SELF_TRADE" | "IOC" | "GTD" | "MARKET_RESOLVED";

export const PAYOUT_PAISE = 1000;
export const VOID_PAYOUT_PAISE = 500;
export const DEFAULT_TICK_PAISE = 50;
export const DEFAULT_MAX_ORDER_QTY = 10_000;
export const DEFAULT_POSITION_LIMIT = 5_000;
export const MAX_FEE_BPS = 1_000;

export type ResultCode =
  | "OK"
  | "DUPLICATE" // idempotent repeat of CREATE_USER / CREDIT / DEBIT ref; nothing applied
  | "STALE_REF" // CREDIT/DEBIT whose ts is older than the dedupe window: a repeat cannot be ruled out
  | "INVALID_COMMAND" // malformed input (wrong types, unknown command)
  | "INVALID_PRICE"
  | "INVALID_QUANTITY"
  | "INVALID_AMOUNT"
  | "INVALID_MARKET_PARAMS"
  | "USER_NOT_FOUND"
  | "MARKET_NOT_FOUND"
  | "MARKET_EXISTS"
  | "MARKET_CLOSED" // not OPEN, or ts >= closeAt
  | "MARKET_ALREADY_RESOLVED"
  | "ORDER_ID_EXISTS"
  | "UNKNOWN_ORDER" // no such open order of this user (other users' orders look unknown too)
  | "INSUFFICIENT_FUNDS"
  | "INSUFFICIENT_SHARES"
  | "POSITION_LIMIT"
  | "POST_ONLY_WOULD_TAKE"
  | "FOK_NOT_FILLABLE"
  | "INVALID_EXPIRY"; // GTD whose expiresAt <= the command's ts

interface CommandBase {
  /** Epoch ms, stamped at the edge (API or engine shell). */
  ts: number;
}

export interface CreateUserCommand extends CommandBase {
  type: "CREATE_USER";
  userId: string;
}
/** Money entering the engine from Postgres (outbox). `ref` is unique forever (outbox id). */
export interface CreditCommand extends CommandBase {
  type: "CREDIT";
  userId: string;
  amountPaise: number;
  ref: string;
  kind: CreditKind;
}
/** Money leaving the engine (withdrawal reserve). Only available cash can be debited. */
export interface DebitCommand extends CommandBase {
  type: "DEBIT";
  userId: string;
  amountPaise: number;
  ref: string;
}
export interface CreateMarketCommand extends CommandBase {
  type: "CREATE_MARKET";
  marketId: string;
  tickPaise?: number; // must divide 1000; default 50
  maxOrderQty?: number;
  positionLimit?: number;
  makerFeeBps?: number; // 0..MAX_FEE_BPS
  takerFeeBps?: number;
  closeAt?: number; // orders with ts >= closeAt are refused with MARKET_CLOSED
}
export interface PlaceOrderCommand extends CommandBase {
  type: "PLACE_ORDER";
  orderId: string; // assigned by the API, unique
  userId: string;
  marketId: string;
  clientOrderId?: string;
  outcome: Outcome;
  side: Side;
  orderType: OrderType;
  /** LIMIT: the limit price. MARKET: optional worst price (default the extreme tick). Own-outcome terms. */
  pricePaise?: number;
  qty: number;
  /** LIMIT default GTC (GTD: rests until `expiresAt`). MARKET is IOC unless FOK. */
  tif?: TimeInForce;
  /** GTD only, and required there (> ts): from this epoch ms on the order never trades again. */
  expiresAt?: number;
  /** Default CANCEL_RESTING. */
  stp?: SelfTradePrevention;
  postOnly?: boolean;
  /** MARKET BUY only: cap on cash spent including fees. The lock is this amount. */
  maxCostPaise?: number;
}
export interface CancelOrderCommand extends CommandBase {
  type: "CANCEL_ORDER";
  userId: string;
  orderId: string;
}
/**
 * Change a resting order's price and/or remaining quantity (SEMANTICS.md "AMEND_ORDER"). At least one
 * of `pricePaise` and `remainingQty` must be given.
 */
export interface AmendOrderCommand extends CommandBase {
  type: "AMEND_ORDER";
  userId: string;
  orderId: string;
  /** Idempotency key of this amend, per user (its own namespace, not a clientOrderId). */
  clientAmendId?: string;
  /** The new limit price, own-outcome terms. Absent: unchanged. */
  pricePaise?: number;
  /** The new remaining quantity (the order's qty becomes filled + this). Absent: unchanged. */
  remainingQty?: number;
}
export interface CancelAllCommand extends CommandBase {
  type: "CANCEL_ALL";
  userId: string;
  /** Absent: every market the user rests an order in. */
  marketId?: string;
}
/** No new orders; resting orders stay (and may be cancelled) until resolution. */
/**
 * Time passed: every open GTD order (any market) with `expiresAt <= ts` closes EXPIRED/GTD. Issued by
 * the engine shell on a timer; the engine itself never reads a clock.
 */
export interface ExpireOrdersCommand extends CommandBase {
  type: "EXPIRE_ORDERS";
}
export interface CloseMarketCommand extends CommandBase {
  type: "CLOSE_MARKET";
  marketId: string;
}
export interface ResolveMarketCommand extends CommandBase {
  type: "RESOLVE_MARKET";
  marketId: string;
  outcome: Resolution;
}

export type Command =
  | CreateUserCommand
  | CreditCommand
  | DebitCommand
  | CreateMarketCommand
  | PlaceOrderCommand
  | CancelOrderCommand
  | AmendOrderCommand
  | CancelAllCommand
  | ExpireOrdersCommand
  | CloseMarketCommand
  | ResolveMarketCommand;

interface EventBase {
  seq: number;
  ts: number;
}

export interface UserCreatedEvent extends EventBase {
  type: "USER_CREATED";
  userId: string;
}
export interface CreditedEvent extends EventBase {
  type: "CREDITED";
  userId: string;
  amountPaise: number;
  ref: string;
  kind: CreditKind;
  availablePaise: number; // after
}
export interface DebitedEvent extends EventBase {
  type: "DEBITED";
  userId: string;
  amountPaise: number;
  ref: string;
  availablePaise: number; // after
}
export interface MarketCreatedEvent extends EventBase {
  type: "MARKET_CREATED";
  marketId: string;
  tickPaise: number;
  maxOrderQty: number;
  positionLimit: number;
  makerFeeBps: number;
  takerFeeBps: number;
  closeAt: number | null;
}
export interface MarketClosedEvent extends EventBase {
  type: "MARKET_CLOSED";
  marketId: string;
}
export interface MarketResolvedEvent extends EventBase {
  type: "MARKET_RESOLVED";
  marketId: string;
  outcome: Resolution;
  pairs: number; // pairs outstanding before payout
  escrowPaise: number; // escrow paid out (= 1000 × pairs)
}
export interface OrderAcceptedEvent extends EventBase {
  type: "ORDER_ACCEPTED";
  orderId: string;
  userId: string;
  marketId: string;
  clientOrderId: string | null;
  outcome: Outcome;
  side: Side;
  orderType: OrderType;
  tif: TimeInForce;
  expiresAt: number | null; // GTD only
  stp: SelfTradePrevention;
  postOnly: boolean;
  pricePaise: number; // limit, or the effective worst price of a MARKET order
  qty: number;
  maxCostPaise: number | null;
  lockedPaise: number; // cash locked by this order at acceptance (BUY)
  lockedShares: number; // shares locked at acceptance (SELL)
}
export interface OrderRejectedEvent extends EventBase {
  type: "ORDER_REJECTED";
  orderId: string;
  userId: string;
  marketId: string;
  clientOrderId: string | null;
  code: ResultCode;
}
export interface TradeEvent extends EventBase {
  type: "TRADE";
  marketId: string;
  kind: FillKind;
  qty: number;
  yesPricePaise: number; // execution price in YES terms (the maker's level)
  makerOrderId: string;
  makerUserId: string;
  makerOutcome: Outcome;
  makerSide: Side;
  makerPricePaise: number; // in the maker's outcome terms
  makerFeePaise: number;
  takerOrderId: string;
  takerUserId: string;
  takerOutcome: Outcome;
  takerSide: Side;
  takerPricePaise: number;
  takerFeePaise: number;
}
export interface OrderClosedEvent extends EventBase {
  type: "ORDER_CLOSED";
  orderId: string;
  userId: string;
  marketId: string;
  status: "FILLED" | "CANCELLED" | "EXPIRED";
  reason: CloseReason;
  filledQty: number;
  cancelledQty: number; // remainder that will never fill
  releasedPaise: number; // cash lock released by this close (not by fills)
  releasedShares: number;
}
/** A resting order changed by AMEND_ORDER (types.ts header, item 6). */
export interface OrderAmendedEvent extends EventBase {
  type: "ORDER_AMENDED";
  orderId: string;
  userId: string;
  marketId: string;
  clientAmendId: string | null;
  pricePaise: number; // the new limit price
  qty: number; // the new total: filledQty + remainingQty
  remainingQty: number;
  filledQty: number;
  prevPricePaise: number;
  prevRemainingQty: number;
  lockedPaise: number; // cash the order locks after the amend (BUY: remainingQty × lock per share)
  lockedShares: number; // shares the order locks after the amend (SELL: remainingQty)
  priorityKept: boolean; // false: re-queued at the back of its (new) level, and it may have matched
}
export interface BookDeltaEvent extends EventBase {
  type: "BOOK_DELTA";
  marketId: string;
  bookSeq: number;
  side: BookSide; // in the unified YES book
  yesPricePaise: number;
  qty: number; // the level's new total
}
export interface PayoutEvent extends EventBase {
  type: "PAYOUT";
  userId: string;
  marketId: string;
  outcome: Resolution;
  yesQty: number;
  noQty: number;
  amountPaise: number;
}
export interface BalanceEvent extends EventBase {
  type: "BALANCE";
  userId: string;
  availablePaise: number;
  lockedPaise: number;
}
export interface PositionEvent extends EventBase {
  type: "POSITION";
  userId: string;
  marketId: string;
  yesQty: number; // held, including shares locked by open SELL YES orders
  noQty: number;
  yesLockedQty: number;
  noLockedQty: number;
  yesCostPaise: number; // cost basis of held shares (average-cost method)
  noCostPaise: number;
}

export type EngineEvent =
  | UserCreatedEvent
  | CreditedEvent
  | DebitedEvent
  | MarketCreatedEvent
  | MarketClosedEvent
  | MarketResolvedEvent
  | OrderAcceptedEvent
  | OrderRejectedEvent
  | TradeEvent
  | OrderClosedEvent
  | OrderAmendedEvent
  | BookDeltaEvent
  | PayoutEvent
  | BalanceEvent
  | PositionEvent;

export interface OrderView {
  orderId: string;
  userId: string;
  marketId: string;
  clientOrderId: string | null;
  outcome: Outcome;
  side: Side;
  orderType: OrderType;
  tif: TimeInForce;
  expiresAt: number | null;
  stp: SelfTradePrevention;
  postOnly: boolean;
  pricePaise: number;
  qty: number;
  filledQty: number;
  remainingQty: number;
  /** Σ own-outcome price × qty over fills; avgPrice = filledValuePaise / filledQty. */
  filledValuePaise: number;
  feesPaise: number;
  status: OrderStatus;
  rejectCode: ResultCode | null;
  /** Seq of ORDER_ACCEPTED, or of the ORDER_AMENDED that last re-queued it: its place in the FIFO. */
  acceptedSeq: number;
  ts: number;
}

export interface Result {
  code: ResultCode;
  events: EngineEvent[];
  /** True when this was an idempotent repeat; nothing was applied. */
  duplicate?: boolean;
  /** PLACE_ORDER / CANCEL_ORDER / AMEND_ORDER: the order as it stands after the command. */
  order?: OrderView;
}

export interface AccountView {
  availablePaise: number;
  lockedPaise: number;
}
export interface PositionView {
  marketId: string;
  yesQty: number;
  noQty: number;
  yesLockedQty: number;
  noLockedQty: number;
  yesCostPaise: number;
  noCostPaise: number;
}
export interface BookLevel {
  pricePaise: number;
  qty: number;
}
/** L2 book as Probo shows it: bids per outcome, best first, each in its own outcome's price. */
export interface BookView {
  marketId: string;
  bookSeq: number;
  yes: BookLevel[];
  no: BookLevel[];
}
export interface MarketView {
  marketId: string;
  status: MarketStatus;
  tickPaise: number;
  maxOrderQty: number;
  positionLimit: number;
  makerFeeBps: number;
  takerFeeBps: number;
  closeAt: number | null;
  resolution: Resolution | null;
  pairs: number;
  escrowPaise: number;
  bestYesBidPaise: number | null; // unified book best bid
  bestYesAskPaise: number | null; // unified book best ask
  lastYesPricePaise: number | null;
  volumeQty: number;
  bookSeq: number;
}
/** Totals for the conservation invariant (docs/money.md#conservation). */
export interface EngineTotals {
  creditsPaise: number;
  debitsPaise: number;
  feesPaise: number;
  escrowPaise: number;
  availablePaise: number;
  lockedPaise: number;
}

export interface Engine {
  apply(cmd: Command): Result;
  /** Seq of the last event emitted (0 before any). */
  readonly lastSeq: number;
  snapshot(): Uint8Array;
  account(userId: string): AccountView | undefined;
  positions(userId: string): PositionView[];
  order(orderId: string): OrderView | undefined;
  openOrders(userId: string, marketId?: string): OrderView[];
  book(marketId: string, depth?: number): BookView | undefined;
  market(marketId: string): MarketView | undefined;
  markets(): MarketView[];
  userIds(): string[];
  totals(): EngineTotals;
  /** What the idempotency memory holds now (SEMANTICS.md "Idempotency memory"). */
  dedupeStats(): DedupeStats;
  /** The earliest `expiresAt` of any open GTD order (the shell's next EXPIRE_ORDERS), or null. */
  nextExpiry(): number | null;
}

export interface DedupeStats {
  /** (userId, clientOrderId) pairs remembered. */
  clientOrderIds: number;
  /** (userId, clientAmendId) pairs remembered. */
  clientAmendIds: number;
  /** CREDIT/DEBIT refs remembered. */
  refs: number;
  /** The engine clock: the highest command ts seen. */
  clock: number;
}
