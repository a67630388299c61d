import { forgetMarket } from "../dedupe.ts";
import { openOrdersOf } from "../matching/book.ts";
import type { MatchingCore } from "../matching/core.ts";
import { cancelResting } from "../matching/match.ts";
import { NO_QTY, STRIDE, YES_QTY } from "../matching/positions.ts";
import { payoutHolding } from "../matching/settle.ts";
import { Market, type Trader } from "../state.ts";
import {
  type CloseMarketCommand,
  type CreateMarketCommand,
  DEFAULT_MAX_ORDER_QTY,
  DEFAULT_POSITION_LIMIT,
  DEFAULT_TICK_PAISE,
  MAX_FEE_BPS,
  PAYOUT_PAISE,
  type ResolveMarketCommand,
  type Result,
  VOID_PAYOUT_PAISE,
} from "../types.ts";
import { isId, isOneOf, isOptInt } from "../validate.ts";

/**
 * Market lifecycle in the matching core: CREATE_MARKET, CLOSE_MARKET, RESOLVE_MARKET (YES, NO or
 * VOID). Resolution cancels the book (RELEASEs) and pays the holdings out of escrow (PAYOUTs).
 */

export function createMarket(s: MatchingCore, c: CreateMarketCommand): Result {
  if (
    !isId(c.marketId) ||
    !isOptInt(c.tickPaise) ||
    !isOptInt(c.maxOrderQty) ||
    !isOptInt(c.positionLimit) ||
    !isOptInt(c.makerFeeBps) ||
    !isOptInt(c.takerFeeBps) ||
    !isOptInt(c.closeAt)
  ) {
    return { code: "INVALID_COMMAND", events: [] };
  }
  if (s.marketIndex.has(c.marketId)) return { code: "MARKET_EXISTS", events: [] };
  const tick = c.tickPaise ?? DEFAULT_TICK_PAISE;
  const maxQty = c.maxOrderQty ?? DEFAULT_MAX_ORDER_QTY;
  const limit = c.positionLimit ?? DEFAULT_POSITION_LIMIT;
  const maker = c.makerFeeBps ?? 0;
  const taker = c.takerFeeBps ?? 0;
  if (
    tick < 1 ||
    tick > 500 ||
    1000 % tick !== 0 ||
    maxQty < 1 ||
    limit < 1 ||
    maker < 0 ||
    maker > MAX_FEE_BPS ||
    taker < 0 ||
    taker > MAX_FEE_BPS
  ) {
    return { code: "INVALID_MARKET_PARAMS", events: [] };
  }
  const closeAt = c.closeAt ?? null;
  const handle = s.markets.length;
  const m = new Market(c.marketId, handle, tick, maxQty, limit, maker, taker, closeAt);
  s.markets.push(m);
  s.marketIndex.set(c.marketId, handle);
  const out = s.out;
  out.push({
    seq: 0,
    ts: 0,
    type: "MARKET_CREATED",
    marketId: m.id,
    tickPaise: tick,
    maxOrderQty: maxQty,
    positionLimit: limit,
    makerFeeBps: maker,
    takerFeeBps: taker,
    closeAt,
  });
  return { code: "OK", events: out.events };
}

export function closeMarket(s: MatchingCore, c: CloseMarketCommand): Result {
  if (!isId(c.marketId)) return { code: "INVALID_COMMAND", events: [] };
  const mh = s.marketIndex.get(c.marketId);
  if (mh === undefined) return { code: "MARKET_NOT_FOUND", events: [] };
  const m = s.markets[mh];
  if (m.status === "RESOLVED" || m.status === "VOIDED")
    return { code: "MARKET_ALREADY_RESOLVED", events: [] };
  if (m.status === "CLOSED") return { code: "MARKET_CLOSED", events: [] };
  m.status = "CLOSED";
  s.out.marketStatus(m, "CLOSED");
  return { code: "OK", events: s.out.events };
}

export function resolveMarket(s: MatchingCore, c: ResolveMarketCommand): Result {
  if (!isId(c.marketId) || !isOneOf(c.outcome, "YES", "NO", "VOID"))
    return { code: "INVALID_COMMAND", events: [] };
  const mh = s.marketIndex.get(c.marketId);
  if (mh === undefined) return { code: "MARKET_NOT_FOUND", events: [] };
  const m = s.markets[mh];
  if (m.status === "RESOLVED" || m.status === "VOIDED")
    return { code: "MARKET_ALREADY_RESOLVED", events: [] };
  const out = s.out;
  s.epoch++;
  const touched: Trader[] = [];
  for (const o of openOrdersOf(m)) {
    cancelResting(s, o, "MARKET_RESOLVED");
    if (o.owner.mark !== s.epoch) {
      o.owner.mark = s.epoch;
      touched.push(o.owner);
    }
  }
  m.status = c.outcome === "VOID" ? "VOIDED" : "RESOLVED";
  m.resolution = c.outcome;
  out.marketStatus(m, m.status);
  const t = s.positions;
  for (const a of s.traders) {
    const slot = t.find(a.handle, m.handle);
    if (slot < 0 || a.mark === s.epoch) continue;
    const b = slot * STRIDE;
    if (t.data[b + YES_QTY] > 0 || t.data[b + NO_QTY] > 0) {
      a.mark = s.epoch;
      touched.push(a);
    }
  }
  touched.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const yesPays = c.outcome === "YES" ? PAYOUT_PAISE : c.outcome === "NO" ? 0 : VOID_PAYOUT_PAISE;
  const noPays = c.outcome === "NO" ? PAYOUT_PAISE : c.outcome === "YES" ? 0 : VOID_PAYOUT_PAISE;
  for (const a of touched) {
    const slot = t.find(a.handle, m.handle);
    const yesQty = t.data[slot * STRIDE + YES_QTY];
    const noQty = t.data[slot * STRIDE + NO_QTY];
    if (yesQty === 0 && noQty === 0) continue;
    const amount = payoutHolding(s, a, slot, yesPays, noPays);
    m.escrow -= amount;
    out.push({
      seq: 0,
      ts: 0,
      type: "PAYOUT",
      userId: a.id,
      marketId: m.id,
      outcome: c.outcome,
      yesQty,
      noQty,
      amountPaise: amount,
    });
  }
  if (m.escrow !== 0) throw new Error(`engine: escrow ${m.escrow} left in ${m.id} after resolution`);
  m.pairs = 0;
  for (const a of touched) s.risk.reportBalance(a.handle);
  for (const a of touched) out.position(a, m, t, t.find(a.handle, m.handle));
  forgetMarket(s.traders, m);
  return { code: "OK", events: out.events };
}
