import { describe, expect, test } from "bun:test";
import { createEngine, restoreEngine } from "./engine.ts";
import type { Command, OrderView } from "./types.ts";

/**
 * Version 5 writes a closed order's final view as a row; a version-4 snapshot (the same document
 * with each view an object) restores to the same engine, whose own snapshot is then the v5 bytes.
 */
const setup: Command[] = [
  { type: "CREATE_USER", userId: "a", ts: 1 },
  { type: "CREATE_USER", userId: "b", ts: 1 },
  { type: "CREDIT", userId: "a", amountPaise: 100_000, ref: "r-a", kind: "DEPOSIT", ts: 1 },
  { type: "CREDIT", userId: "b", amountPaise: 100_000, ref: "r-b", kind: "DEPOSIT", ts: 1 },
  { type: "CREATE_MARKET", marketId: "m", ts: 1 },
];
const place = { type: "PLACE_ORDER", marketId: "m", side: "BUY", orderType: "LIMIT" } as const;
const trading: Command[] = [
  {
    ...place,
    orderId: "a1",
    userId: "a",
    clientOrderId: "k1",
    outcome: "YES",
    pricePaise: 500,
    qty: 2,
    ts: 2,
  },
  {
    ...place,
    orderId: "b1",
    userId: "b",
    clientOrderId: "k2",
    outcome: "NO",
    pricePaise: 500,
    qty: 2,
    ts: 3,
  },
  { ...place, orderId: "a2", userId: "a", clientOrderId: "k3", outcome: "YES", pricePaise: 7, qty: 1, ts: 4 },
  {
    ...place,
    orderId: "a3",
    userId: "a",
    clientOrderId: "k4",
    outcome: "YES",
    pricePaise: 400,
    qty: 3,
    ts: 5,
  },
  { type: "CANCEL_ORDER", userId: "a", orderId: "a3", ts: 6 },
  {
    ...place,
    orderId: "a4",
    userId: "a",
    clientOrderId: "k5",
    outcome: "YES",
    pricePaise: 450,
    qty: 1,
    ts: 7,
  },
];
const VIEW_KEYS = Object.keys({
  orderId: 0,
  userId: 0,
  marketId: 0,
  clientOrderId: 0,
  outcome: 0,
  side: 0,
  orderType: 0,
  tif: 0,
  expiresAt: 0,
  stp: 0,
  postOnly: 0,
  pricePaise: 0,
  qty: 0,
  filledQty: 0,
  remainingQty: 0,
  filledValuePaise: 0,
  feesPaise: 0,
  status: 0,
  rejectCode: 0,
  acceptedSeq: 0,
  ts: 0,
} satisfies Record<keyof OrderView, 0>);

describe("version-4 snapshots (final views as objects)", () => {
  test("restore to the engine the v5 snapshot restores to; a repeat clientOrderId gets the same view", () => {
    const engine = createEngine();
    for (const command of [...setup, ...trading])
      expect(engine.apply(command).code).not.toBe("INVALID_COMMAND");
    const v5 = engine.snapshot();
    const doc = JSON.parse(new TextDecoder().decode(v5));
    expect(doc.v).toBe(5);
    let views = 0;
    for (const user of doc.users as [string, number, number, unknown[], [string, unknown, number][]][])
      user[4] = user[4].map(([cid, x, at]): [string, unknown, number] => {
        if (typeof x === "number") return [cid, x, at];
        views++;
        return [cid, Object.fromEntries(VIEW_KEYS.map((k, i) => [k, (x as unknown[])[i]])), at];
      });
    expect(views).toBe(4); // a1 and b1 filled, a2 rejected, a3 cancelled; a4 rests
    const v4 = new TextEncoder().encode(JSON.stringify({ ...doc, v: 4 }));
    const fromV4 = restoreEngine(v4);
    const fromV5 = restoreEngine(v5);
    expect(Buffer.from(fromV4.snapshot()).equals(Buffer.from(v5))).toBe(true);
    expect(Buffer.from(fromV5.snapshot()).equals(Buffer.from(v5))).toBe(true);
    for (const [i, command] of trading.entries()) {
      if (command.type !== "PLACE_ORDER") continue;
      const repeat = { ...command, orderId: `again-${i}`, ts: 10 + i };
      const expected = createEngine();
      for (const c of [...setup, ...trading]) expected.apply(c);
      const want = expected.apply(repeat);
      expect(fromV4.apply(repeat)).toEqual(want);
      expect(fromV5.apply(repeat)).toEqual(want);
    }
  });
});
