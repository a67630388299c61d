import { EngineState } from "./engine-state.ts";
import { rest } from "./matching/book.ts";
import { STRIDE } from "./matching/positions.ts";
import { slotOf } from "./matching/settle.ts";
import { rememberResting } from "./order-index.ts";
import { upgradeV1 } from "./snapshot-v1.ts";
import { Market, Order, type Trader } from "./state.ts";
import type {
  OrderType,
  OrderView,
  Outcome,
  Resolution,
  ResultCode,
  SelfTradePrevention,
  Side,
  TimeInForce,
} from "./types.ts";

/**
 * Snapshot format: UTF-8 JSON of positional arrays (version 2). Only open orders exist. Levels are
 * not stored: within a level FIFO order equals acceptance order (an order rests in the command that
 * accepts it, or re-rests in the amend that moves its acceptedSeq), and `orders` is written in acceptance order, so re-resting
 * the open orders in that order rebuilds every queue, best index and owner list.
 *
 * Version 3 adds the idempotency clock: `clock`, `refs` as [ref, at] and each clientOrderId entry as
 * [cid, record, at] (dedupe.ts). Only what is still remembered is written. Version 2 is read by
 * stamping each clientOrderId with its order's ts and each ref with the newest ts found.
 *
 * Since AMEND_ORDER, `acceptedSeq` is an order's place in its FIFO (an amend that loses priority
 * moves it to its ORDER_AMENDED's seq), so acceptance order is still queue order. `amends` (absent in
 * older snapshots: none) holds the remembered clientAmendIds as [key, code, view, at] in ascending
 * `at` (amend-memory.ts).
 *
 * The document is the same whether the cores are one engine or not: a user row joins the user's
 * cash (risk core) with their holdings and clientOrderIds (matching core).
 *
 * Version 4 adds two order columns, `expiresAt` (GTD; null otherwise) and `stp`; a v3 row lacks them
 * (GTD did not exist): no expiry, CANCEL_RESTING.
 *
 * Version 5 writes a closed order's final view (a clientOrderId entry) as a positional row of
 * VIEW_FIELDS instead of an object: the views are most of a busy engine's state (every
 * clientOrderId of the idempotency window), and without their keys the document is about half
 * the bytes and the time to write. A v4 object view is still read.
 */

const VERSION = 5;

/** An OrderView's fields in the order viewOf writes them: the columns of a v5 view row. */
const VIEW_FIELDS = [
  "orderId",
  "userId",
  "marketId",
  "clientOrderId",
  "outcome",
  "side",
  "orderType",
  "tif",
  "expiresAt",
  "stp",
  "postOnly",
  "pricePaise",
  "qty",
  "filledQty",
  "remainingQty",
  "filledValuePaise",
  "feesPaise",
  "status",
  "rejectCode",
  "acceptedSeq",
  "ts",
] as const satisfies readonly (keyof OrderView)[];
type ViewRow = OrderView[(typeof VIEW_FIELDS)[number]][];

function viewRow(v: OrderView): ViewRow {
  const row: ViewRow = new Array(VIEW_FIELDS.length);
  for (let i = 0; i < VIEW_FIELDS.length; i++) row[i] = v[VIEW_FIELDS[i]];
  return row;
}

function viewOfRow(row: ViewRow): OrderView {
  const v: Record<string, unknown> = {};
  for (let i = 0; i < VIEW_FIELDS.length; i++) v[VIEW_FIELDS[i]] = row[i];
  return v as unknown as OrderView;
}

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
  (number | null)?,
  SelfTradePrevention?,
];

export function encodeState(s: EngineState): Uint8Array {
  const mc = s.matching;
  const risk = s.risk;
  const index = new Map<Order, number>();
  const orders: OrderRow[] = [];
  const open = [...mc.orders.values()].sort((a, b) => a.acceptedSeq - b.acceptedSeq);
  for (const o of open) {
    index.set(o, orders.length);
    orders.push([
      o.id,
      o.owner.handle,
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
      o.expiresAt === Number.POSITIVE_INFINITY ? null : o.expiresAt,
      o.stp,
    ]);
  }
  const record = (r: Order | OrderView) => (r instanceof Order ? (index.get(r) as number) : viewRow(r));
  const users = risk.ids.map((id, h) => {
    const t = mc.traders[h];
    return [
      id,
      risk.available(h),
      risk.locked(h),
      mc.positions
        .chain(t.firstSlot)
        .map((slot) => [
          mc.positions.marketOf[slot],
          ...mc.positions.data.subarray(slot * STRIDE, slot * STRIDE + STRIDE),
        ]),
      t.clientOrders === null
        ? []
        : [...t.clientOrders].map(([cid, r]) => [
            cid,
            record(r),
            (t.clientAt as Map<string, number>).get(cid),
          ]),
    ];
  });
  const markets = mc.markets.map((m) => [
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
    credits: risk.credits,
    debits: risk.debits,
    fees: risk.fees,
    clock: mc.dedupe.clock,
    refs: [...risk.refs],
    amends: [...mc.amends.records].map(([key, r]) => [key, r.code, r.view, r.at]),
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
/** clientOrderId → index of an open order in `orders`, or the closed order's final view (v5: a row). */
type ClientRow = [string, number | ViewRow | OrderView, number];
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
  if (doc !== null && typeof doc === "object" && (doc.v === 3 || doc.v === 4)) doc = { ...doc, v: VERSION };
  if (doc === null || typeof doc !== "object" || doc.v !== VERSION)
    throw new Error(`engine: not a v${VERSION} snapshot`);
  const s = new EngineState(dedupeWindowMs);
  const mc = s.matching;
  const risk = s.risk;
  s.out.seq = doc.seq;
  risk.credits = doc.credits;
  risk.debits = doc.debits;
  risk.fees = doc.fees;
  risk.dedupe.clock = doc.clock;
  mc.dedupe.clock = doc.clock;
  const refsRemembered: [number, string][] = [];
  for (const [r, at] of doc.refs as [string, number][]) {
    risk.refs.set(r, at);
    refsRemembered.push([at, r]);
  }
  for (const r of doc.markets as MarketRow[]) {
    const m = new Market(r[0], mc.markets.length, r[1], r[2], r[3], r[4], r[5], r[6]);
    m.status = r[7];
    m.resolution = r[8];
    m.pairs = r[9];
    m.escrow = r[10];
    m.bookSeq = r[11];
    m.lastYesPrice = r[12];
    m.volume = r[13];
    mc.marketIndex.set(m.id, m.handle);
    mc.markets.push(m);
  }
  const userRows = doc.users as UserRow[];
  for (const r of userRows) {
    const handle = risk.openAccount(r[0]);
    risk.cash[2 * handle] = r[1];
    risk.cash[2 * handle + 1] = r[2];
    const t = mc.addTrader(r[0], handle);
    for (const p of r[3]) {
      const slot = slotOf(mc, t, mc.markets[p[0]]);
      mc.positions.data.set(p.slice(1), slot * STRIDE);
    }
  }
  const orders: Order[] = [];
  for (const r of doc.orders as OrderRow[]) {
    const m = mc.markets[r[2]];
    const o = new Order().init(
      r[0],
      mc.traders[r[1]],
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
    if (typeof r[20] === "number") o.expiresAt = r[20];
    if (r[21] !== undefined) o.stp = r[21];
    o.slot = mc.positions.find(o.owner.handle, m.handle);
    orders.push(o);
  }
  const cidsRemembered: [number, Trader, string][] = [];
  userRows.forEach((r, h) => {
    if (r[4].length === 0) return;
    const t = mc.traders[h];
    // A v5 view is a row; an object one from before v4 lacks the GTD and STP fields: it had neither.
    const final = (x: ViewRow | OrderView): OrderView =>
      Array.isArray(x)
        ? viewOfRow(x)
        : { ...x, expiresAt: x.expiresAt ?? null, stp: x.stp ?? "CANCEL_RESTING" };
    t.clientOrders = new Map(r[4].map(([cid, x]) => [cid, typeof x === "number" ? orders[x] : final(x)]));
    t.clientAt = new Map(r[4].map(([cid, , at]) => [cid, at]));
    for (const [cid, , at] of r[4]) cidsRemembered.push([at, t, cid]);
  });
  // Stamps never decrease along a queue; entries with equal stamps expire together.
  refsRemembered.sort((x, y) => x[0] - y[0]);
  for (const [at, key] of refsRemembered) risk.dedupe.push(at, null, key);
  cidsRemembered.sort((x, y) => x[0] - y[0]);
  for (const [at, t, key] of cidsRemembered) mc.dedupe.push(at, t, key);
  for (const o of orders) {
    rest(mc, o);
    rememberResting(mc, o);
    if (o.tif === "GTD") o.market.expiries.push(o);
  }
  mc.amends.clock = doc.clock;
  const amends = (doc.amends ?? []) as [string, ResultCode, OrderView | null, number][];
  for (const [key, code, view, at] of amends) mc.amends.put(key, { code, view, at });
  return s;
}
