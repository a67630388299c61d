/**
 * docs/matching.md#invariants items 1–5, checked on any `Engine` through its read models plus the events it emitted.
 * A violation throws `InvariantError`: it is a bug, never a business outcome.
 */
import type { BookLevel, Engine, EngineEvent, MarketView, OrderView } from "../src/types.ts";

export class InvariantError extends Error {
  constructor(
    message: string,
    readonly detail: unknown,
  ) {
    super(message);
    this.name = "InvariantError";
  }
}

/** Money that crossed the engine's edge, summed from the events seen so far. */
export interface EventLedger {
  creditsPaise: number;
  debitsPaise: number;
  feesPaise: number;
  record(events: readonly EngineEvent[]): void;
}

export function createLedger(): EventLedger {
  const ledger: EventLedger = {
    creditsPaise: 0,
    debitsPaise: 0,
    feesPaise: 0,
    record(events) {
      for (const e of events) {
        if (e.type === "CREDITED") ledger.creditsPaise += e.amountPaise;
        else if (e.type === "DEBITED") ledger.debitsPaise += e.amountPaise;
        else if (e.type === "TRADE") ledger.feesPaise += e.makerFeePaise + e.takerFeePaise;
      }
    },
  };
  return ledger;
}

function fail(label: string, message: string, detail?: unknown): never {
  throw new InvariantError(`[${label}] ${message}`, detail);
}

function nonNegative(label: string, what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    fail(label, `${what} is ${value}, must be a non-negative integer`);
}

const POSITION_FIELDS = [
  "yesQty",
  "noQty",
  "yesLockedQty",
  "noLockedQty",
  "yesCostPaise",
  "noCostPaise",
] as const;

/** Cash a resting BUY still locks (SEMANTICS.md, "Locks and fees"). */
export function remainingLockPaise(order: OrderView, market: MarketView): number {
  const maxBps = Math.max(market.makerFeeBps, market.takerFeeBps);
  const feePerShare = Math.floor((order.pricePaise * maxBps + 9999) / 10000);
  return order.remainingQty * (order.pricePaise + feePerShare);
}

function yesPrice(order: OrderView): number {
  return order.outcome === "YES" ? order.pricePaise : 1000 - order.pricePaise;
}

function isBid(order: OrderView): boolean {
  return (order.side === "BUY") === (order.outcome === "YES");
}

/** Throws on the first broken invariant. `label` names the engine in the message. */
export function checkInvariants(engine: Engine, ledger: EventLedger, label = "engine"): void {
  const markets = new Map<string, MarketView>();
  for (const m of engine.markets()) markets.set(m.marketId, m);
  const sumYes = new Map<string, number>();
  const sumNo = new Map<string, number>();
  const openByMarket = new Map<string, OrderView[]>();
  let usersPaise = 0;

  for (const userId of engine.userIds()) {
    const acct = engine.account(userId);
    if (!acct) fail(label, `userIds() lists ${userId} but account() does not know it`);
    nonNegative(label, `${userId} available`, acct.availablePaise);
    nonNegative(label, `${userId} locked`, acct.lockedPaise);
    usersPaise += acct.availablePaise + acct.lockedPaise;

    let expectLockedPaise = 0;
    /** marketId → [remaining SELL YES, remaining SELL NO] of this user's open orders. */
    const lockedShares = new Map<string, [number, number]>();
    for (const o of engine.openOrders(userId)) {
      const m = markets.get(o.marketId);
      if (!m) fail(label, `open order ${o.orderId} in unknown market ${o.marketId}`);
      if (o.status !== "OPEN" || o.remainingQty <= 0 || o.filledQty + o.remainingQty !== o.qty) {
        fail(
          label,
          `open order ${o.orderId} has status ${o.status}, filled ${o.filledQty}, remaining ${o.remainingQty} of ${o.qty}`,
          o,
        );
      }
      if (o.side === "BUY") expectLockedPaise += remainingLockPaise(o, m);
      else {
        let pair = lockedShares.get(o.marketId);
        if (!pair) {
          pair = [0, 0];
          lockedShares.set(o.marketId, pair);
        }
        pair[o.outcome === "YES" ? 0 : 1] += o.remainingQty;
      }
      let list = openByMarket.get(o.marketId);
      if (!list) {
        list = [];
        openByMarket.set(o.marketId, list);
      }
      list.push(o);
    }
    if (acct.lockedPaise !== expectLockedPaise) {
      fail(label, `${userId} locks ${acct.lockedPaise} paise but open BUY orders need ${expectLockedPaise}`);
    }

    for (const p of engine.positions(userId)) {
      const where = `${userId} in ${p.marketId}`;
      for (const field of POSITION_FIELDS) nonNegative(label, `${where} ${field}`, p[field]);
      if (p.yesLockedQty > p.yesQty || p.noLockedQty > p.noQty)
        fail(label, `${where} locks more shares than held`, p);
      const [sellYes, sellNo] = lockedShares.get(p.marketId) ?? [0, 0];
      if (p.yesLockedQty !== sellYes || p.noLockedQty !== sellNo) {
        fail(
          label,
          `${where} locks ${p.yesLockedQty} YES / ${p.noLockedQty} NO, open SELLs ${sellYes} / ${sellNo}`,
          p,
        );
      }
      lockedShares.delete(p.marketId);
      sumYes.set(p.marketId, (sumYes.get(p.marketId) ?? 0) + p.yesQty);
      sumNo.set(p.marketId, (sumNo.get(p.marketId) ?? 0) + p.noQty);
    }
    for (const [marketId] of lockedShares)
      fail(label, `${userId} has open SELLs in ${marketId} but no position`);
  }

  let escrowPaise = 0;
  for (const m of markets.values()) {
    nonNegative(label, `${m.marketId} pairs`, m.pairs);
    if (m.escrowPaise !== 1000 * m.pairs)
      fail(label, `${m.marketId} escrow ${m.escrowPaise} ≠ 1000 × ${m.pairs} pairs`);
    const yes = sumYes.get(m.marketId) ?? 0;
    const no = sumNo.get(m.marketId) ?? 0;
    if (yes !== m.pairs || no !== m.pairs)
      fail(label, `${m.marketId} has ${yes} YES and ${no} NO for ${m.pairs} pairs`);
    escrowPaise += m.escrowPaise;
    checkBook(engine, label, m, openByMarket.get(m.marketId) ?? []);
  }

  const lhs = usersPaise + escrowPaise + ledger.feesPaise;
  const rhs = ledger.creditsPaise - ledger.debitsPaise;
  if (lhs !== rhs) {
    fail(
      label,
      `conservation: users ${usersPaise} + escrow ${escrowPaise} + fees ${ledger.feesPaise} ≠ credits − debits ${rhs}`,
    );
  }
  const t = engine.totals();
  if (
    t.availablePaise + t.lockedPaise !== usersPaise ||
    t.creditsPaise !== ledger.creditsPaise ||
    t.debitsPaise !== ledger.debitsPaise ||
    t.feesPaise !== ledger.feesPaise ||
    t.escrowPaise !== escrowPaise
  ) {
    fail(label, `totals() ${JSON.stringify(t)} disagree with the events and read models`, {
      ledger,
      escrowPaise,
    });
  }
}

/** Book levels = open orders aggregated; best bid < best ask; levels strictly ordered. */
function checkBook(engine: Engine, label: string, m: MarketView, open: OrderView[]): void {
  const book = engine.book(m.marketId);
  if (!book) fail(label, `market ${m.marketId} has no book`);
  if (book.bookSeq !== m.bookSeq)
    fail(label, `${m.marketId} book seq ${book.bookSeq} ≠ market view ${m.bookSeq}`);
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  for (const o of open) {
    const levels = isBid(o) ? bids : asks;
    levels.set(yesPrice(o), (levels.get(yesPrice(o)) ?? 0) + o.remainingQty);
  }
  const expectYes = [...bids].sort((a, b) => b[0] - a[0]).map(([y, qty]) => ({ pricePaise: y, qty }));
  const expectNo = [...asks].sort((a, b) => a[0] - b[0]).map(([y, qty]) => ({ pricePaise: 1000 - y, qty }));
  if (!sameLevels(book.yes, expectYes) || !sameLevels(book.no, expectNo)) {
    fail(
      label,
      `${m.marketId} book ${JSON.stringify(book)} ≠ open orders ${JSON.stringify({ expectYes, expectNo })}`,
    );
  }
  const bestBid = expectYes.length > 0 ? expectYes[0].pricePaise : null;
  const bestAsk = expectNo.length > 0 ? 1000 - expectNo[0].pricePaise : null;
  if (bestBid !== null && bestAsk !== null && bestBid >= bestAsk)
    fail(label, `${m.marketId} crossed: bid ${bestBid} ≥ ask ${bestAsk}`);
  if (m.bestYesBidPaise !== bestBid || m.bestYesAskPaise !== bestAsk) {
    fail(
      label,
      `${m.marketId} market view best ${m.bestYesBidPaise}/${m.bestYesAskPaise} ≠ book ${bestBid}/${bestAsk}`,
    );
  }
  if (m.status === "RESOLVED" || m.status === "VOIDED") {
    if (open.length > 0 || m.pairs !== 0)
      fail(label, `${m.marketId} is ${m.status} with open orders or pairs`);
  }
}

function sameLevels(a: readonly BookLevel[], b: readonly BookLevel[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i].pricePaise !== b[i].pricePaise || a[i].qty !== b[i].qty) return false;
  return true;
}
