/**
 * The live order book of one market, as the API and socket send it: resting BUY orders per
 * outcome ("bids"), price in paise of that outcome. A YES bid at p is a NO offer at 1000 − p.
 *
 * A `book` snapshot carries `seq`; each `book:delta` must carry `seq + 1`. Anything else is a gap
 * and the caller must re-subscribe to get a fresh snapshot.
 */
import { PAYOUT_PAISE } from "./money";

export type Outcome = "YES" | "NO";
export type Side = "BUY" | "SELL";
export interface Level {
  price: number;
  qty: number;
}
export interface BookSnapshot {
  marketId?: string;
  seq: number;
  yes: Level[];
  no: Level[];
}
/** A level change carries the new absolute quantity at that price; 0 removes the level. */
export interface LevelChange {
  outcome: Outcome;
  price: number;
  qty: number;
}
/** One level change (`{seq, outcome, price, qty}`, the stream's shape) or a batch of them. */
export interface BookDelta {
  marketId?: string;
  seq: number;
  outcome?: Outcome;
  price?: number;
  qty?: number;
  changes?: LevelChange[];
  yes?: Level[];
  no?: Level[];
}
export interface BookState {
  seq: number;
  yes: Map<number, number>;
  no: Map<number, number>;
}
export type DeltaResult = { status: "applied"; book: BookState } | { status: "stale" } | { status: "gap" };

export function bookFromSnapshot(s: BookSnapshot): BookState {
  return { seq: s.seq, yes: toMap(s.yes ?? []), no: toMap(s.no ?? []) };
}

function toMap(levels: Level[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const l of levels) if (l.qty > 0) m.set(l.price, (m.get(l.price) ?? 0) + l.qty);
  return m;
}

/** Pure: returns a new book, or says the delta is old (ignore) or skips ahead (re-subscribe). */
export function applyDelta(book: BookState, delta: BookDelta): DeltaResult {
  if (delta.seq <= book.seq) return { status: "stale" };
  if (delta.seq !== book.seq + 1) return { status: "gap" };
  const yes = new Map(book.yes);
  const no = new Map(book.no);
  const single =
    delta.outcome && delta.price !== undefined && delta.qty !== undefined
      ? [{ outcome: delta.outcome, price: delta.price, qty: delta.qty }]
      : [];
  const changes: LevelChange[] = [
    ...single,
    ...(delta.changes ?? []),
    ...(delta.yes ?? []).map((l) => ({ outcome: "YES" as const, ...l })),
    ...(delta.no ?? []).map((l) => ({ outcome: "NO" as const, ...l })),
  ];
  for (const c of changes) {
    const side = c.outcome === "YES" ? yes : no;
    if (c.qty > 0) side.set(c.price, c.qty);
    else side.delete(c.price);
  }
  return { status: "applied", book: { seq: delta.seq, yes, no } };
}

/** Bids of one outcome, best (highest) first. */
export function ladder(book: BookState, outcome: Outcome, depth = 10): Level[] {
  const m = outcome === "YES" ? book.yes : book.no;
  return [...m.entries()]
    .map(([price, qty]) => ({ price, qty }))
    .sort((a, b) => b.price - a.price)
    .slice(0, depth);
}

/**
 * What an immediate order would trade against, best first, in the ordering outcome's prices.
 * Buying YES takes NO bids (at 1000 − p); selling YES hits YES bids; and the mirror for NO.
 */
export function liquidity(book: BookState, outcome: Outcome, side: Side): Level[] {
  const other: Outcome = outcome === "YES" ? "NO" : "YES";
  if (side === "BUY") {
    return ladder(book, other, Number.POSITIVE_INFINITY).map((l) => ({
      price: PAYOUT_PAISE - l.price,
      qty: l.qty,
    }));
  }
  return ladder(book, outcome, Number.POSITIVE_INFINITY);
}

/** Best price to buy an outcome right now (cheapest offer), or null on an empty side. */
export function bestBuyPrice(book: BookState, outcome: Outcome): number | null {
  return liquidity(book, outcome, "BUY")[0]?.price ?? null;
}

export interface SweepEstimate {
  filledQty: number;
  amountPaise: number;
  worstPrice: number | null;
}

/** Walk the levels for `qty` shares: how many fill now, for how much, and the worst price touched. */
export function sweep(levels: Level[], qty: number): SweepEstimate {
  let left = qty;
  let amountPaise = 0;
  let worstPrice: number | null = null;
  for (const l of levels) {
    if (left <= 0) break;
    const take = Math.min(left, l.qty);
    amountPaise += take * l.price;
    left -= take;
    worstPrice = l.price;
  }
  return { filledQty: qty - left, amountPaise, worstPrice };
}
