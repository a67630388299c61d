/** The shapes the UI reads from the API (docs/order-path.md). Money and prices in paise, times in epoch ms. */
import type { Level, Outcome, Side } from "../lib/book";

export type Role = "user" | "admin";
export interface User {
  id: string;
  phone: string;
  role: Role | string;
  referralCode?: string;
}

export type MarketStatus = "OPEN" | "CLOSED" | "RESOLVED" | "VOIDED" | string;
export interface Market {
  id: string;
  title: string;
  description?: string;
  category: string;
  rules?: string;
  resolutionSource?: string;
  status: MarketStatus;
  closeAt: number;
  tick: number;
  /** Price to buy YES / NO now (paise), null when nobody is offering. */
  yesPrice: number | null;
  noPrice: number | null;
  lastPrice?: number | null;
  volume: number;
  outcome?: Outcome | "VOID" | null;
  imageUrl?: string;
}

export interface Trade {
  id?: string;
  marketId?: string;
  /** YES price in paise. */
  price: number;
  qty: number;
  ts: number;
  kind?: "TRANSFER" | "MINT" | "MERGE" | string;
  takerOutcome?: Outcome;
  takerSide?: Side;
}

export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
}

export type OrderStatus =
  | "OPEN"
  | "PARTIALLY_FILLED"
  | "FILLED"
  | "CANCELLED"
  | "REJECTED"
  | "EXPIRED"
  | "PENDING"
  | string;
export interface Order {
  id: string;
  marketId: string;
  outcome: Outcome;
  side: Side;
  type: "LIMIT" | "MARKET";
  timeInForce?: string;
  price?: number | null;
  quantity: number;
  filledQty: number;
  remainingQty: number;
  avgPrice?: number | null;
  status: OrderStatus;
  reason?: string;
  rejectReason?: string;
  code?: string;
  createdAt?: number;
  fills?: Fill[];
}

export interface Fill {
  id?: string;
  orderId?: string;
  marketId: string;
  outcome: Outcome;
  side: Side;
  price: number;
  qty: number;
  fee?: number;
  kind?: string;
  ts: number;
}

export interface Balance {
  available: number;
  locked: number;
}

export interface Position {
  marketId: string;
  yes: number;
  no: number;
  avgYesPrice?: number | null;
  avgNoPrice?: number | null;
  avgPrice?: number | null;
  lockedYes?: number;
  lockedNo?: number;
}

export interface Settlement {
  marketId: string;
  title?: string;
  outcome: Outcome | "VOID";
  payout: number;
  ts?: number;
}

export interface Portfolio {
  balance: Balance;
  positions: Position[];
  settled?: Settlement[];
}

export interface Transaction {
  id: string;
  type: string;
  amount: number;
  ts?: number;
  createdAt?: number;
  status?: string;
  reference?: string;
  marketId?: string;
}

export type KycStatus = "NONE" | "PENDING" | "VERIFIED" | "REJECTED";
export interface Kyc {
  id?: string;
  userId?: string;
  phone?: string;
  status: KycStatus;
  name?: string;
  pan?: string;
  bankAccount?: string;
  ifsc?: string;
  reason?: string | null;
  createdAt?: number;
}

export interface ReferralInfo {
  code: string;
  referredCount?: number;
  earned?: number;
  redeemed?: boolean;
}

export interface OrderbookResponse {
  seq: number;
  yes: Level[];
  no: Level[];
}
