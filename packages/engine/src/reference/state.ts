import type {
  EngineEvent,
  MarketStatus,
  OrderType,
  OrderView,
  Outcome,
  Resolution,
  ResultCode,
  SelfTradePrevention,
  Side,
  TimeInForce,
} from "../types.ts";

/** One accepted order. Kept forever (closed ones too) so `order(id)` can answer. */
export interface RefOrder {
  orderId: string;
  userId: string;
  marketId: string;
  clientOrderId: string | null;
  outcome: Outcome;
  side: Side;
  orderType: OrderType;
  tif: TimeInForce;
  /** GTD: from this ts on it never trades; null for every other order. */
  expiresAt: number | null;
  stp: SelfTradePrevention;
  postOnly: boolean;
  pricePaise: number;
  /** Unified-book price: pricePaise for YES, 1000 − pricePaise for NO. */
  yesPricePaise: number;
  /** BID for BUY YES / SELL NO, ASK for BUY NO / SELL YES. */
  bookSide: "BID" | "ASK";
  qty: number;
  filledQty: number;
  remainingQty: number;
  filledValuePaise: number;
  feesPaise: number;
  status: "OPEN" | "FILLED" | "CANCELLED" | "EXPIRED";
  acceptedSeq: number;
  ts: number;
  /** Limit-style BUY: cash locked per remaining share. 0 for SELL and for MARKET BUY with a budget. */
  lockPerSharePaise: number;
  /** MARKET BUY with maxCostPaise: the lock still unspent; else null. */
  budgetLeftPaise: number | null;
  maxCostPaise: number | null;
  /** True while it sits in the book. */
  resting: boolean;
}

export interface RefUser {
  userId: string;
  availablePaise: number;
  lockedPaise: number;
}

export interface RefPosition {
  userId: string;
  marketId: string;
  yesQty: number;
  noQty: number;
  yesLockedQty: number;
  noLockedQty: number;
  yesCostPaise: number;
  noCostPaise: number;
}

export interface RefMarket {
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
  lastYesPricePaise: number | null;
  volumeQty: number;
  bookSeq: number;
  /** Indexes into `orders` of the orders resting in this market's book, in acceptance order. */
  resting: number[];
}

/** What a (userId, clientOrderId) pair remembers: the first result. */
export interface RefClientMemory {
  code: ResultCode;
  /** Index into `orders` when the first attempt was accepted. */
  orderIndex: number | null;
  rejectedView: OrderView | null;
  /** The engine clock when it was remembered. */
  at: number;
}

/** What a (userId, clientAmendId) pair remembers: the first amend's code and the order it left. */
export interface RefAmendMemory {
  code: ResultCode;
  view: OrderView | null;
  at: number;
}

/** The whole state: plain arrays of plain records, plus three lookup maps (the snapshot is its JSON). */
export interface RefState {
  seq: number;
  users: RefUser[];
  markets: RefMarket[];
  positions: RefPosition[];
  /** Every accepted order in acceptance order. */
  orders: RefOrder[];
  /** orderId → index in `orders` of the latest accepted order with that id. */
  orderIndexById: Map<string, number>;
  /** Refs consumed by applied CREDIT / DEBIT commands → the engine clock when applied. */
  refs: Map<string, number>;
  /** The highest command ts seen. */
  clock: number;
  /** Memory entries stamped `at` count only while `at + dedupeWindowMs > clock` (config, not state). */
  dedupeWindowMs: number;
  /** `${userId}\u0000${clientOrderId}` → first result. */
  clientMemory: Map<string, RefClientMemory>;
  /** `${userId}\u0000${clientAmendId}` → the first AMEND_ORDER's code and the view it left. */
  amendMemory: Map<string, RefAmendMemory>;
  creditsPaise: number;
  debitsPaise: number;
  feesPaise: number;
}

export function emptyState(dedupeWindowMs: number): RefState {
  return {
    seq: 0,
    users: [],
    markets: [],
    positions: [],
    orders: [],
    orderIndexById: new Map(),
    refs: new Map(),
    clock: 0,
    dedupeWindowMs,
    clientMemory: new Map(),
    amendMemory: new Map(),
    creditsPaise: 0,
    debitsPaise: 0,
    feesPaise: 0,
  };
}

/** Still inside the idempotency window: remembered at `at`, looked at now. */
export function fresh(state: RefState, at: number): boolean {
  return at + state.dedupeWindowMs > state.clock;
}

export function refSeen(state: RefState, ref: string): boolean {
  const at = state.refs.get(ref);
  return at !== undefined && fresh(state, at);
}

/** The remembered first result of (userId, clientOrderId), unless forgotten. */
export function recallClient(state: RefState, key: string): RefClientMemory | undefined {
  const m = state.clientMemory.get(key);
  return m !== undefined && fresh(state, m.at) ? m : undefined;
}

export function memoryMarketId(state: RefState, m: RefClientMemory): string {
  return m.orderIndex === null ? (m.rejectedView as OrderView).marketId : state.orders[m.orderIndex].marketId;
}

export function findUser(state: RefState, userId: string): RefUser | undefined {
  for (const user of state.users) if (user.userId === userId) return user;
  return undefined;
}

export function findMarket(state: RefState, marketId: string): RefMarket | undefined {
  for (const market of state.markets) if (market.marketId === marketId) return market;
  return undefined;
}

/** The user's position in the market, created (all zero) on first use. */
export function positionOf(state: RefState, userId: string, marketId: string): RefPosition {
  for (const pos of state.positions) if (pos.userId === userId && pos.marketId === marketId) return pos;
  const pos: RefPosition = {
    userId,
    marketId,
    yesQty: 0,
    noQty: 0,
    yesLockedQty: 0,
    noLockedQty: 0,
    yesCostPaise: 0,
    noCostPaise: 0,
  };
  state.positions.push(pos);
  return pos;
}

export function mustUser(state: RefState, userId: string): RefUser {
  const user = findUser(state, userId);
  if (!user) throw new Error(`reference engine: user ${userId} vanished`);
  return user;
}

/** Appends events with consecutive seqs and the command's ts. */
export interface Emitter {
  readonly events: EngineEvent[];
  emit(event: DistributiveOmit<EngineEvent, "seq" | "ts">): void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventBody = DistributiveOmit<EngineEvent, "seq" | "ts">;

export function createEmitter(state: RefState, ts: number): Emitter {
  const events: EngineEvent[] = [];
  return {
    events,
    emit(body) {
      state.seq += 1;
      events.push({ ...body, seq: state.seq, ts } as EngineEvent);
    },
  };
}
