import { rest } from "./matching/book.ts";
import { rememberResting } from "./order-index.ts";
import { slotOf } from "./risk/ledger.ts";
import { STRIDE } from "./risk/positions.ts";
import { upgradeV1 } from "./snapshot-v1.ts";
import { Account, EngineState, Market, Order } from "./state.ts";
import type { OrderType, OrderView, Outcome, Resolution, Side, TimeInForce } from "./types.ts";

/**
 * Snapshot format: UTF-8 JSON of positional arrays (version 2). Only open orders exist. Levels are
 * not stored: within a level FIFO order equals acceptance order (an order rests in the command that
 * accepts it and is never amended), and `orders` is written in acceptance order, so re-resting
 * the open orders in that order rebuilds every queue, best index and owner list.
 *
 * Version 3 adds the idempotency clock: `clock`, `refs` as [ref, at] and each clientOrderId entry as
 * [cid, record, at] (dedupe.ts). Only what is still remembered is written. Version 2 is read by
 * stamping each clientOrderId with its order's ts and each ref with the newest ts found.
 */

const VERSION = 3;

/** An open order. Its status is OPEN and its position link is rebuilt by reserve-free re-resting. */
type OrderRow = [
  string,
  number,
  number,
  string | null,
  Outcome,
  Side,
  OrderType,
  TimeInForce,
  boolean,
  number,
  number,
  number | null,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

export function encodeState(s: EngineState): Uint8Array {
  const index = new Map<Order, number>();
  const orders: OrderRow[] = [];
  const open = [...s.orders.values()].sort((a, b) => a.acceptedSeq - b.acceptedSeq);
  for (const o of open) {
    index.set(o, orders.length);
    orders.push([
      o.id,
      o.user.handle,
      o.market.handle,
      o.clientOrderId,
      o.outcome,
      o.side,
      o.orderType,
      o.tif,
      o.postOnly,
      o.price,
      o.qty,
      o.maxCost,
      o.ts,
      o.filled,
      o.remaining,
      o.filledValue,
      o.fees,
      o.acceptedSeq,
      o.lockPerShare,
      o.budget,
    ]);
  }
  const record = (r: Order | OrderView) => (r instanceof Order ? (index.get(r) as number) : r);
  const users = s.users.map((a) => [
    a.id,
    a.available,
    a.locked,
    s.positions
      .chain(a.firstSlot)
      .map((slot) => [
        s.positions.marketOf[slot],
        ...s.positions.data.subarray(slot * STRIDE, slot * STRIDE + STRIDE),
      ]),
    a.clientOrders === null
      ? []
      : [...a.clientOrders].map(([cid, r]) => [cid, record(r), (a.clientAt as Map<string, number>).get(cid)]),
  ]);
  const markets = s.markets.map((m) => [
    m.id,
    m.tick,
    m.maxOrderQty,
    m.positionLimit,
    m.makerBps,
    m.takerBps,
    m.closeAt,
    m.status,
    m.resolution,
    m.pairs,
    m.escrow,
    m.bookSeq,
    m.lastYesPrice,
    m.volume,
  ]);
  const doc = {
    v: VERSION,
    seq: s.out.seq,
    credits: s.credits,
    debits: s.debits,
    fees: s.fees,
    clock: s.clock,
    refs: [...s.refs],
    users,
    markets,
    orders,
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

type MarketRow = [
  string,
  number,
  number,
  number,
  number,
  number,
  number | null,
  Market["status"],
  Resolution | null,
  number,
  number,
  number,
  number,
  number,
];
type PositionRow = [number, number, number, number, number, number, number, number, number];
/** clientOrderId → index of an open order in `orders`, or the closed order's final view. */
type ClientRow = [string, number | OrderView, number];
type UserRow = [string, number, number, PositionRow[], ClientRow[]];

// biome-ignore lint/suspicious/noExplicitAny: a parsed snapshot document, checked by use
function upgradeV2(doc: any): any {
  let clock = 0;
  for (const o of doc.orders as OrderRow[]) clock = Math.max(clock, o[12]);
  for (const u of doc.users as [string, number, number, PositionRow[], [string, number | OrderView][]][]) {
    u[4] = u[4].map(([cid, x]) => {
      const at = typeof x === "number" ? (doc.orders[x] as OrderRow)[12] : x.ts;
      clock = Math.max(clock, at);
      return [cid, x, at] as unknown as [string, number | OrderView];
    });
  }
  return { ...doc, v: VERSION, clock, refs: (doc.refs as string[]).map((r) => [r, clock]) };
}

export function decodeState(bytes: Uint8Array, dedupeWindowMs?: number): EngineState {
  let doc = JSON.parse(new TextDecoder().decode(bytes));
  if (doc !== null && typeof doc === "object" && doc.v === 1) doc = upgradeV1(doc);
  if (doc !== null && typeof doc === "object" && doc.v === 2) doc = upgradeV2(doc);
  if (doc === null || typeof doc !== "object" || doc.v !== VERSION)
    throw new Error(`engine: not a v${VERSION} snapshot`);
  const s = new EngineState(dedupeWindowMs);
  s.out.seq = doc.seq;
  s.credits = doc.credits;
  s.debits = doc.debits;
  s.fees = doc.fees;
  s.clock = doc.clock;
  const remembered: [number, Account | null, string][] = [];
  for (const [r, at] of doc.refs as [string, number][]) {
    s.refs.set(r, at);
    remembered.push([at, null, r]);
  }
  for (const r of doc.markets as MarketRow[]) {
    const m = new Market(r[0], s.markets.length, r[1], r[2], r[3], r[4], r[5], r[6]);
    m.status = r[7];
    m.resolution = r[8];
    m.pairs = r[9];
    m.escrow = r[10];
    m.bookSeq = r[11];
    m.lastYesPrice = r[12];
    m.volume = r[13];
    s.marketIndex.set(m.id, m.handle);
    s.markets.push(m);
  }
  const userRows = doc.users as UserRow[];
  for (const r of userRows) {
    const a = new Account(r[0], s.users.length);
    a.available = r[1];
    a.locked = r[2];
    for (const p of r[3]) {
      const slot = slotOf(s, a, s.markets[p[0]]);
      s.positions.data.set(p.slice(1), slot * STRIDE);
    }
    s.userIndex.set(a.id, a.handle);
    s.users.push(a);
  }
  const orders: Order[] = [];
  for (const r of doc.orders as OrderRow[]) {
    const m = s.markets[r[2]];
    const o = new Order().init(
      r[0],
      s.users[r[1]],
      m,
      r[3],
      r[4],
      r[5],
      r[6],
      r[7],
      r[8],
      r[9],
      r[10],
      r[11],
      r[12],
    );
    o.filled = r[13];
    o.remaining = r[14];
    o.filledValue = r[15];
    o.fees = r[16];
    o.acceptedSeq = r[17];
    o.lockPerShare = r[18];
    o.budget = r[19];
    o.slot = s.positions.find(o.user.handle, m.handle);
    orders.push(o);
  }
  userRows.forEach((r, h) => {
    if (r[4].length === 0) return;
    const a = s.users[h];
    a.clientOrders = new Map(r[4].map(([cid, x]) => [cid, typeof x === "number" ? orders[x] : x]));
    a.clientAt = new Map(r[4].map(([cid, , at]) => [cid, at]));
    for (const [cid, , at] of r[4]) remembered.push([at, a, cid]);
  });
  // Stamps never decrease along the queue; entries with equal stamps expire together.
  remembered.sort((x, y) => x[0] - y[0]);
  for (const [at, u, key] of remembered) s.dedupe.push(at, u, key);
  for (const o of orders) {
    rest(s, o);
    rememberResting(s, o);
  }
  return s;
}
