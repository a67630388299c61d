import { rememberClientOrder } from "../dedupe.ts";
import { levelIndex, rest } from "../matching/book.ts";
import type { MatchingCore, OrderDraft } from "../matching/core.ts";
import { fillable, match, meet } from "../matching/match.ts";
import {
  NO_BUY_OPEN,
  NO_LOCKED,
  NO_QTY,
  STRIDE,
  YES_BUY_OPEN,
  YES_LOCKED,
  YES_QTY,
} from "../matching/positions.ts";
import { holdOpen, releaseCash, releaseRemainder } from "../matching/settle.ts";
import { freshOrder, keepFinal, recycle, rememberResting } from "../order-index.ts";
import { BID, type Order, type Trader } from "../state.ts";
import type { OrderType, PlaceOrderCommand, Result, ResultCode, TimeInForce } from "../types.ts";
import { isId, isInt, isOneOf, isOptBool, isOptInt } from "../validate.ts";
import { copyView, recordView, rejectedView, viewOf } from "../views.ts";

/**
 * PLACE_ORDER in the matching core: checks in SEMANTICS.md order; a BUY's funds check is risk's
 * answer to a RESERVE (seam.ts) sent after matching's own checks 4–9, and a post-only or FOK refusal
 * after it hands the reservation back. Then match, rest or expire, report. In one process the
 * answer is synchronous; a matching shard runs `checkOrder`, parks the BUY until the answer, then
 * `checkOrder` again and `admitOrder` (shards/matching-shard.ts).
 */
export function placeOrder(s: MatchingCore, c: PlaceOrderCommand): Result {
  const d = s.draft;
  const refused = checkOrder(s, c, d);
  if (refused !== null) return refused;
  if (c.side !== "BUY") return admitOrder(s, c, d, 0, 0, -1);
  const req = s.reserveMsg;
  req.user = d.u.handle;
  req.qty = c.qty;
  req.pricePaise = d.price;
  req.maxCostPaise = d.maxCost === null ? -1 : d.maxCost;
  req.maxFeeBps = d.m.maxBps;
  const answer = s.risk.reserve(req);
  if (!answer.ok) return rejectOrder(s, c, d.u, d.cid, answer.code);
  return admitOrder(s, c, d, answer.lockedPaise, answer.lockPerShare, answer.budgetPaise);
}

/**
 * Checks 1–9 of SEMANTICS.md (everything but the funds): a result when the command is refused (or
 * is an idempotent repeat), else null with `d` filled in for `admitOrder`.
 */
export function checkOrder(s: MatchingCore, c: PlaceOrderCommand, d: OrderDraft): Result | null {
  if (
    !isId(c.orderId) ||
    !isId(c.userId) ||
    !isId(c.marketId) ||
    !(c.clientOrderId === undefined || isId(c.clientOrderId)) ||
    !isOneOf(c.outcome, "YES", "NO") ||
    !isOneOf(c.side, "BUY", "SELL") ||
    !isOneOf(c.orderType, "LIMIT", "MARKET") ||
    !isOptInt(c.pricePaise) ||
    !isInt(c.qty) ||
    !(c.tif === undefined || isOneOf(c.tif, "GTC", "IOC", "FOK") || c.tif === "GTD") ||
    !isOptBool(c.postOnly) ||
    !isOptInt(c.maxCostPaise) ||
    !isOptInt(c.expiresAt) ||
    !(c.stp === undefined || isOneOf(c.stp, "CANCEL_RESTING", "CANCEL_TAKER"))
  ) {
    return { code: "INVALID_COMMAND", events: [] };
  }
  const uh = s.users.get(c.userId);
  if (uh === undefined) return { code: "USER_NOT_FOUND", events: [] };
  const u = s.traders[uh];
  const cid = c.clientOrderId === undefined ? null : c.clientOrderId;
  if (cid !== null && u.clientOrders !== null) {
    const first = u.clientOrders.get(cid);
    if (first !== undefined) {
      const view = recordView(first);
      return { code: view.rejectCode ?? "OK", events: [], duplicate: true, order: view };
    }
  }
  const parked = s.parked;
  if (cid !== null && parked !== null) {
    const view = parked.byClientOrderId(uh, cid);
    if (view !== undefined) return { code: "OK", events: [], duplicate: true, order: view };
  }
  if (s.orders.has(c.orderId) || parked?.has(c.orderId)) return rejectOrder(s, c, u, cid, "ORDER_ID_EXISTS");
  const mh = s.marketIndex.get(c.marketId);
  if (mh === undefined) return rejectOrder(s, c, u, cid, "MARKET_NOT_FOUND");
  const m = s.markets[mh];
  if (m.status !== "OPEN" || (m.closeAt !== null && c.ts >= m.closeAt)) {
    return rejectOrder(s, c, u, cid, "MARKET_CLOSED");
  }
  if (c.qty < 1 || c.qty > m.maxOrderQty) return rejectOrder(s, c, u, cid, "INVALID_QUANTITY");
  const isLimit = c.orderType === "LIMIT";
  const isBuy = c.side === "BUY";
  const tick = m.tick;
  let price = c.pricePaise;
  if (price === undefined) {
    if (isLimit) return rejectOrder(s, c, u, cid, "INVALID_PRICE");
  } else if (price < tick || price > 1000 - tick || price % tick !== 0) {
    return rejectOrder(s, c, u, cid, "INVALID_PRICE");
  }
  const maxCost = c.maxCostPaise === undefined ? null : c.maxCostPaise;
  if (maxCost !== null && (isLimit || !isBuy || maxCost <= 0))
    return rejectOrder(s, c, u, cid, "INVALID_AMOUNT");
  const postOnly = c.postOnly === true;
  let tif: TimeInForce;
  if (isLimit) {
    tif = c.tif ?? "GTC";
    if (postOnly && tif !== "GTC" && tif !== "GTD") return rejectOrder(s, c, u, cid, "INVALID_COMMAND");
  } else {
    tif = c.tif ?? "IOC";
    if (tif === "GTC" || tif === "GTD" || postOnly) return rejectOrder(s, c, u, cid, "INVALID_COMMAND");
  }
  if ((tif === "GTD") !== (c.expiresAt !== undefined)) return rejectOrder(s, c, u, cid, "INVALID_COMMAND");
  if (c.expiresAt !== undefined && c.expiresAt <= c.ts) return rejectOrder(s, c, u, cid, "INVALID_EXPIRY");
  if (price === undefined) price = isBuy ? 1000 - tick : tick;
  const isYes = c.outcome === "YES";
  const slot = s.positions.find(uh, m.handle);
  const dt = s.positions.data;
  const b = slot * STRIDE;
  if (!isBuy) {
    const free =
      slot < 0 ? 0 : isYes ? dt[b + YES_QTY] - dt[b + YES_LOCKED] : dt[b + NO_QTY] - dt[b + NO_LOCKED];
    if (free < c.qty) return rejectOrder(s, c, u, cid, "INSUFFICIENT_SHARES");
  } else {
    const held =
      slot < 0 ? 0 : isYes ? dt[b + YES_QTY] + dt[b + YES_BUY_OPEN] : dt[b + NO_QTY] + dt[b + NO_BUY_OPEN];
    if (held + c.qty > m.positionLimit) return rejectOrder(s, c, u, cid, "POSITION_LIMIT");
  }
  d.u = u;
  d.m = m;
  d.cid = cid;
  d.price = price;
  d.tif = tif;
  d.maxCost = maxCost;
  d.postOnly = postOnly;
  d.slot = slot;
  return null;
}

/**
 * A checked order whose BUY cash risk has granted (`lock`, on the terms `lockPerShare` / `budget`;
 * 0, 0, -1 for a SELL): the post-only and FOK checks (a refusal hands the grant back), then accept.
 */
export function admitOrder(
  s: MatchingCore,
  c: PlaceOrderCommand,
  d: OrderDraft,
  lock: number,
  lockPerShare: number,
  budget: number,
): Result {
  const u = d.u;
  const o = freshOrder(s).init(
    c.orderId,
    u,
    d.m,
    d.cid,
    c.outcome,
    c.side,
    c.orderType as OrderType,
    d.tif,
    d.postOnly,
    d.price,
    c.qty,
    d.maxCost,
    c.ts,
  );
  o.lockPerShare = lockPerShare;
  o.budget = budget;
  if (c.expiresAt !== undefined) o.expiresAt = c.expiresAt;
  if (c.stp !== undefined) o.stp = c.stp;
  if (d.postOnly && crosses(o)) {
    recycle(s, o);
    releaseCash(s, u.handle, lock);
    return rejectOrder(s, c, u, d.cid, "POST_ONLY_WOULD_TAKE");
  }
  if (d.tif === "FOK" && !fillable(o, s.out.ts)) {
    recycle(s, o);
    releaseCash(s, u.handle, lock);
    return rejectOrder(s, c, u, d.cid, "FOK_NOT_FILLABLE");
  }
  return accept(s, o, lock, d.slot);
}

function crosses(o: Order): boolean {
  const m = o.market;
  const i = levelIndex(o);
  return o.bookSide === BID ? m.bestAsk < m.size && m.bestAsk <= i : m.bestBid > 0 && m.bestBid >= i;
}

/**
 * `lock`: the cash risk reserved (BUY); `slot`: the owner's holding slot in the market as found by
 * the checks (-1: none yet).
 */
function accept(s: MatchingCore, o: Order, lock: number, slot: number): Result {
  const out = s.out;
  const events = out.events;
  o.acceptedSeq = out.seq + 1;
  out.orderAccepted(o, o.isBuy ? lock : 0, o.isBuy ? 0 : o.qty);
  holdOpen(s, o, slot);
  const u = o.owner;
  if (o.clientOrderId !== null) rememberClientOrder(s.dedupe, u, o.clientOrderId, o);
  s.epoch++;
  s.met.count = 0;
  meet(s, u, o.slot);
  const selfCross = match(s, o);
  if (o.remaining === 0) {
    o.status = "FILLED";
    const cash = o.budget > 0 ? releaseRemainder(s, o, 0) : 0;
    out.orderClosed(o, "FILLED", "FILLED", 0, cash, 0);
  } else if (selfCross) {
    const qty = o.remaining;
    o.remaining = 0;
    o.status = "CANCELLED";
    const cash = releaseRemainder(s, o, qty);
    out.orderClosed(o, "CANCELLED", "SELF_TRADE", qty, cash, o.isBuy ? 0 : qty);
  } else if (o.tif === "GTC" || o.tif === "GTD") {
    rest(s, o);
    rememberResting(s, o);
    if (o.tif === "GTD") o.market.expiries.push(o);
    out.bookDelta(o.market, o.bookSide, levelIndex(o));
  } else {
    const qty = o.remaining;
    o.remaining = 0;
    o.status = "EXPIRED";
    const cash = releaseRemainder(s, o, qty);
    out.orderClosed(o, "EXPIRED", "IOC", qty, cash, o.isBuy ? 0 : qty);
  }
  const m = o.market;
  const met = s.met.list;
  const slots = s.met.slots;
  const n = s.met.count;
  for (let i = 0; i < n; i++) s.risk.reportBalance(met[i].handle);
  for (let i = 0; i < n; i++) out.position(met[i], m, s.positions, slots[i]);
  const view = viewOf(o);
  if (o.status !== "OPEN") {
    if (o.clientOrderId !== null) keepFinal(o, view);
    recycle(s, o);
  }
  return { code: "OK", events, order: view };
}

export function rejectOrder(
  s: MatchingCore,
  c: PlaceOrderCommand,
  u: Trader,
  cid: string | null,
  code: ResultCode,
): Result {
  const view = rejectedView(c, u.id, cid, code);
  s.out.orderRejected(c.orderId, u.id, c.marketId, cid, code);
  if (cid !== null) rememberClientOrder(s.dedupe, u, cid, copyView(view));
  return { code, events: s.out.events, order: view };
}
