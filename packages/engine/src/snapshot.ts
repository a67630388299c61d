import { rest } from "./matching/book.ts";
import { positionOf } from "./risk/ledger.ts";
import { Account, EngineState, Market, Order } from "./state.ts";
import type { OrderStatus, OrderType, Outcome, Resolution, ResultCode, Side, TimeInForce } from "./types.ts";

/**
 * Snapshot format: UTF-8 JSON of positional arrays (version 1). Levels are not stored: within a
 * level FIFO order equals acceptance order (an order rests in the command that accepts it and is
 * never amended), so re-resting the open orders by ascending acceptedSeq rebuilds every queue,
 * best index and owner list exactly.
 */

const VERSION = 1;

type OrderRow = [
  string,
  number,
  number,
  string,
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
  OrderStatus,
  ResultCode | null,
  number,
  number,
  number,
  boolean,
];

export function encodeState(s: EngineState): Uint8Array {
  const index = new Map<Order, number>();
  const orders: OrderRow[] = [];
  const add = (o: Order, live: boolean): number => {
    let i = index.get(o);
    if (i === undefined) {
      i = orders.length;
      index.set(o, i);
      orders.push([
        o.id,
        o.user.handle,
        o.market === null ? -1 : o.market.handle,
        o.marketId,
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
        o.status,
        o.rejectCode,
        o.acceptedSeq,
        o.lockPerShare,
        o.budget,
        live,
      ]);
    }
    return i;
  };
  for (const o of s.orders.values()) add(o, true);
  const users = s.users.map((a) => [
    a.id,
    a.available,
    a.locked,
    a.positionList.map((p) => [
      p.market.handle,
      p.yesQty,
      p.noQty,
      p.yesLocked,
      p.noLocked,
      p.yesCost,
      p.noCost,
      p.yesBuyOpen,
      p.noBuyOpen,
    ]),
    a.clientOrders === null ? [] : [...a.clientOrders].map(([cid, o]) => [cid, add(o, false)]),
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
type UserRow = [string, number, number, PositionRow[], [string, number][]];

export function decodeState(bytes: Uint8Array): EngineState {
  const doc = JSON.parse(new TextDecoder().decode(bytes));
  if (doc === null || typeof doc !== "object" || doc.v !== VERSION)
    throw new Error("engine: not a v1 snapshot");
  const s = new EngineState();
  s.out.seq = doc.seq;
  s.credits = doc.credits;
  s.debits = doc.debits;
  s.fees = doc.fees;
  for (const r of doc.refs as string[]) s.refs.add(r);
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
      const pos = positionOf(a, s.markets[p[0]]);
      pos.yesQty = p[1];
      pos.noQty = p[2];
      pos.yesLocked = p[3];
      pos.noLocked = p[4];
      pos.yesCost = p[5];
      pos.noCost = p[6];
      pos.yesBuyOpen = p[7];
      pos.noBuyOpen = p[8];
    }
    s.userIndex.set(a.id, a.handle);
    s.users.push(a);
  }
  const orders: Order[] = [];
  const open: Order[] = [];
  for (const r of doc.orders as OrderRow[]) {
    const m = r[2] < 0 ? null : s.markets[r[2]];
    const o = new Order(
      r[0],
      s.users[r[1]],
      m as Market,
      r[4],
      r[5],
      r[6],
      r[7],
      r[8],
      r[9],
      r[10],
      r[11],
      r[12],
      r[13],
    );
    o.marketId = r[3];
    o.filled = r[14];
    o.remaining = r[15];
    o.filledValue = r[16];
    o.fees = r[17];
    o.status = r[18];
    o.rejectCode = r[19];
    o.acceptedSeq = r[20];
    o.lockPerShare = r[21];
    o.budget = r[22];
    orders.push(o);
    if (r[23]) s.orders.set(o.id, o);
    if (o.status === "OPEN") open.push(o);
  }
  userRows.forEach((r, h) => {
    if (r[4].length === 0) return;
    const a = s.users[h];
    a.clientOrders = new Map(r[4].map(([cid, i]) => [cid, orders[i]]));
  });
  open.sort((a, b) => a.acceptedSeq - b.acceptedSeq);
  for (const o of open) rest(o);
  return s;
}
