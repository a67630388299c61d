import type { OrderView } from "./types.ts";

/**
 * Reads version-1 snapshots (written before closed orders stopped being kept) as version 2, so an
 * engine service restarting on an old snapshot carries on. Version 1 stored every order, open or
 * closed, with its status; version 2 stores the open ones (in acceptance order) and, for each
 * clientOrderId whose order has closed, that order's final view.
 */

// biome-ignore lint/suspicious/noExplicitAny: positional rows of a foreign format, checked by use
type Row = any[];

export interface SnapshotDoc {
  v: number;
  users: Row[];
  orders: Row[];
  [key: string]: unknown;
}

export function upgradeV1(doc: SnapshotDoc): SnapshotDoc {
  const rows = doc.orders;
  const open: number[] = [];
  rows.forEach((r, i) => {
    if (r[18] === "OPEN") open.push(i);
  });
  open.sort((a, b) => rows[a][20] - rows[b][20]);
  const newIndex = new Map<number, number>();
  for (let k = 0; k < open.length; k++) newIndex.set(open[k], k);
  // v1 row: id, user, market, marketId, cid, outcome, side, type, tif, postOnly, price, qty, maxCost,
  // ts, filled, remaining, filledValue, fees, status, rejectCode, acceptedSeq, lockPerShare, budget, live
  const keep = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22];
  const orders = open.map((i) => keep.map((f) => rows[i][f]));
  const users = doc.users.map((u) => {
    const records = (u[4] as [string, number][]).map(([cid, i]) => [
      cid,
      newIndex.get(i) ?? finalView(rows[i], doc.users[rows[i][1]][0]),
    ]);
    return [u[0], u[1], u[2], u[3], records];
  });
  return { ...doc, v: 2, users, orders };
}

function finalView(r: Row, userId: string): OrderView {
  return {
    orderId: r[0],
    userId,
    marketId: r[3],
    clientOrderId: r[4],
    outcome: r[5],
    side: r[6],
    orderType: r[7],
    tif: r[8],
    expiresAt: null,
    stp: "CANCEL_RESTING",
    postOnly: r[9],
    pricePaise: r[10],
    qty: r[11],
    filledQty: r[14],
    remainingQty: r[15],
    filledValuePaise: r[16],
    feesPaise: r[17],
    status: r[18],
    rejectCode: r[19],
    acceptedSeq: r[20],
    ts: r[13],
  };
}
