import { levelIndex, rest, unrest } from "../matching/book.ts";
import type { AmendDraft, MatchingCore } from "../matching/core.ts";
import { match, meet } from "../matching/match.ts";
import {
  NO_BUY_OPEN,
  NO_LOCKED,
  NO_QTY,
  STRIDE,
  YES_BUY_OPEN,
  YES_LOCKED,
  YES_QTY,
} from "../matching/positions.ts";
import { releaseCash, releaseRemainder } from "../matching/settle.ts";
import { forget } from "../order-index.ts";
import { lockPerShareOf } from "../risk/terms.ts";
import { BID, type Order, type Trader } from "../state.ts";
import type { AmendOrderCommand, Result, ResultCode } from "../types.ts";
import { isId, isOptInt } from "../validate.ts";
import { viewOf } from "../views.ts";

/**
 * AMEND_ORDER in the matching core (SEMANTICS.md "AMEND_ORDER"): checks, then — when a BUY's new
 * lock is larger — a RESERVE of exactly the difference (risk's answer is the funds check), then the
 * amend. A smaller lock hands the difference back with RELEASE. Keeping priority changes the order
 * in place; losing it takes the order out of its level and matches it as a taker at its new price
 * before it rests again at the back. In one process the answer is synchronous; a matching shard runs
 * `checkAmend`, parks the amend until the answer, then `checkAmend` again and `applyAmend`.
 */
export function amendOrder(s: MatchingCore, c: AmendOrderCommand): Result {
  const d = s.amendDraft;
  const refused = checkAmend(s, c, d);
  if (refused !== null) return refused;
  let granted = 0;
  if (d.extra > 0) {
    const answer = s.risk.reserve(extraRequest(s, d));
    if (!answer.ok) return refuseAmend(s, c, d.u, answer.code, d.o);
    granted = answer.lockedPaise;
  }
  return applyAmend(s, d, granted);
}

/** The RESERVE of an amend's extra cash: a fixed amount (`maxCostPaise`), no per-share terms. */
export function extraRequest(s: MatchingCore, d: AmendDraft) {
  const req = s.reserveMsg;
  req.user = d.u.handle;
  req.qty = d.remaining;
  req.pricePaise = d.price;
  req.maxCostPaise = d.extra;
  req.maxFeeBps = d.o.market.maxBps;
  return req;
}

/**
 * Every check but the funds: a result when the amend is refused (or is an idempotent repeat), else
 * null with `d` filled in.
 */
export function checkAmend(s: MatchingCore, c: AmendOrderCommand, d: AmendDraft): Result | null {
  if (
    !isId(c.userId) ||
    !isId(c.orderId) ||
    !(c.clientAmendId === undefined || isId(c.clientAmendId)) ||
    !isOptInt(c.pricePaise) ||
    !isOptInt(c.remainingQty) ||
    (c.pricePaise === undefined && c.remainingQty === undefined)
  ) {
    return { code: "INVALID_COMMAND", events: [] };
  }
  const uh = s.users.get(c.userId);
  if (uh === undefined) return { code: "USER_NOT_FOUND", events: [] };
  const u = s.traders[uh];
  const cid = c.clientAmendId === undefined ? null : c.clientAmendId;
  if (cid !== null) {
    const first = s.amends.recall(uh, cid);
    if (first !== undefined) {
      const order = first.view === null ? undefined : { ...first.view };
      return { code: first.code, events: [], duplicate: true, order };
    }
    if (s.parked?.hasAmend(uh, cid)) {
      const o = s.orders.get(c.orderId);
      const order = o !== undefined && o.owner === u ? viewOf(o) : undefined;
      return { code: "OK", events: [], duplicate: true, order };
    }
  }
  const o = s.orders.get(c.orderId);
  if (o === undefined || o.owner !== u || o.status !== "OPEN")
    return refuseAmend(s, c, u, "UNKNOWN_ORDER", null);
  // A GTD order whose time has come is not moved again (it would trade as a taker); it awaits expiry.
  if (o.expiresAt <= c.ts) return refuseAmend(s, c, u, "INVALID_EXPIRY", o);
  const m = o.market;
  if (m.status !== "OPEN" || (m.closeAt !== null && c.ts >= m.closeAt))
    return refuseAmend(s, c, u, "MARKET_CLOSED", o);
  const price = c.pricePaise === undefined ? o.price : c.pricePaise;
  const remaining = c.remainingQty === undefined ? o.remaining : c.remainingQty;
  if (remaining < 1 || o.filled + remaining > m.maxOrderQty)
    return refuseAmend(s, c, u, "INVALID_QUANTITY", o);
  const tick = m.tick;
  if (price < tick || price > 1000 - tick || price % tick !== 0)
    return refuseAmend(s, c, u, "INVALID_PRICE", o);
  const more = remaining - o.remaining;
  if (more > 0) {
    const dt = s.positions.data;
    const b = o.slot * STRIDE;
    if (!o.isBuy) {
      const free = o.isYes ? dt[b + YES_QTY] - dt[b + YES_LOCKED] : dt[b + NO_QTY] - dt[b + NO_LOCKED];
      if (free < more) return refuseAmend(s, c, u, "INSUFFICIENT_SHARES", o);
    } else {
      const held = o.isYes ? dt[b + YES_QTY] + dt[b + YES_BUY_OPEN] : dt[b + NO_QTY] + dt[b + NO_BUY_OPEN];
      if (held + more > m.positionLimit) return refuseAmend(s, c, u, "POSITION_LIMIT", o);
    }
  }
  const keep = price === o.price && more <= 0;
  if (!keep && o.postOnly && crossesAt(o, price)) return refuseAmend(s, c, u, "POST_ONLY_WOULD_TAKE", o);
  d.u = u;
  d.o = o;
  d.cid = cid;
  d.price = price;
  d.remaining = remaining;
  d.keep = keep;
  if (o.isBuy) {
    d.lockPerShare = lockPerShareOf(price, m.maxBps);
    d.lock = remaining * d.lockPerShare;
    d.extra = d.lock - o.remaining * o.lockPerShare;
  } else {
    d.lockPerShare = 0;
    d.lock = 0;
    d.extra = 0;
  }
  return null;
}

/** Would `o` at own price `price` meet the opposite side (own orders included)? */
function crossesAt(o: Order, price: number): boolean {
  const m = o.market;
  const i = (o.isYes ? price : 1000 - price) / m.tick;
  return o.bookSide === BID ? m.bestAsk < m.size && m.bestAsk <= i : m.bestBid > 0 && m.bestBid >= i;
}

/**
 * A checked amend whose extra cash risk has granted (`granted` ≥ `d.extra`; 0 when it needed none):
 * move the lock, change the order, keep or lose its place, report.
 */
export function applyAmend(s: MatchingCore, d: AmendDraft, granted: number): Result {
  const o = d.o;
  const u = d.u;
  const m = o.market;
  const out = s.out;
  const dt = s.positions.data;
  const b = o.slot * STRIDE;
  const more = d.remaining - o.remaining;
  if (o.isBuy) {
    releaseCash(s, u.handle, granted - d.extra);
    o.lockPerShare = d.lockPerShare;
    dt[b + (o.isYes ? YES_BUY_OPEN : NO_BUY_OPEN)] += more;
  } else {
    dt[b + (o.isYes ? YES_LOCKED : NO_LOCKED)] += more;
  }
  const prevPrice = o.price;
  const prevRemaining = o.remaining;
  const lockedShares = o.isBuy ? 0 : d.remaining;
  if (d.keep) {
    const i = levelIndex(o);
    (o.bookSide === BID ? m.bids : m.asks)[i].qty += more;
    o.remaining = d.remaining;
    o.qty = o.filled + d.remaining;
    out.orderAmended(o, d.cid, prevPrice, prevRemaining, d.lock, lockedShares, true);
    out.bookDelta(m, o.bookSide, i);
    s.risk.reportBalance(u.handle);
    out.position(u, m, s.positions, o.slot);
    return amended(s, u, d.cid, o);
  }
  const oldSide = o.bookSide;
  const oldLevel = levelIndex(o);
  unrest(s, o);
  o.price = d.price;
  o.yesPrice = o.isYes ? d.price : 1000 - d.price;
  o.remaining = d.remaining;
  o.qty = o.filled + d.remaining;
  o.acceptedSeq = out.seq + 1;
  out.orderAmended(o, d.cid, prevPrice, prevRemaining, d.lock, lockedShares, false);
  out.bookDelta(m, oldSide, oldLevel);
  s.epoch++;
  s.met.count = 0;
  meet(s, u, o.slot);
  const selfCross = match(s, o);
  if (o.remaining === 0) {
    o.status = "FILLED";
    forget(s, o);
    out.orderClosed(o, "FILLED", "FILLED", 0, 0, 0);
  } else if (selfCross) {
    // stp CANCEL_TAKER met its owner's order: the amended order is the taker, so it is cancelled.
    const qty = o.remaining;
    o.remaining = 0;
    o.status = "CANCELLED";
    forget(s, o);
    const cash = releaseRemainder(s, o, qty);
    out.orderClosed(o, "CANCELLED", "SELF_TRADE", qty, cash, o.isBuy ? 0 : qty);
  } else {
    rest(s, o);
    if (o.tif === "GTD") m.expiries.push(o); // its place (acceptedSeq) moved: a fresh heap entry
    out.bookDelta(m, o.bookSide, levelIndex(o));
  }
  const met = s.met.list;
  const slots = s.met.slots;
  const n = s.met.count;
  for (let i = 0; i < n; i++) s.risk.reportBalance(met[i].handle);
  for (let i = 0; i < n; i++) out.position(met[i], m, s.positions, slots[i]);
  return amended(s, u, d.cid, o);
}

function amended(s: MatchingCore, u: Trader, cid: string | null, o: Order): Result {
  const view = viewOf(o);
  if (cid !== null) s.amends.remember(u.handle, cid, "OK", view);
  return { code: "OK", events: s.out.events, order: view };
}

/** A refused amend: nothing changes and nothing is emitted; the clientAmendId remembers the code. */
export function refuseAmend(
  s: MatchingCore,
  c: AmendOrderCommand,
  u: Trader,
  code: ResultCode,
  o: Order | null,
): Result {
  const view = o === null ? null : viewOf(o);
  if (c.clientAmendId !== undefined) s.amends.remember(u.handle, c.clientAmendId, code, view);
  return view === null ? { code, events: s.out.events } : { code, events: s.out.events, order: view };
}
