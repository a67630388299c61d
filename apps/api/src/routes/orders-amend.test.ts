import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Client, signIn } from "../test-harness.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

/**
 * PATCH /api/v1/orders/{id} over real HTTP against the embedded engine service: time priority kept
 * on a decrease and lost on an increase or a price change (Kalshi's rule), the lock exact after each
 * amend (fees included: maker 100 bps, taker 200 bps, so a BUY locks p + ceil(p / 50) per share),
 * a refused amend changes nothing, clientAmendId repeats, unknown or others' orders, bad bodies.
 * Every user starts with the 1 500 paise signup bonus.
 */
let h: TradingHarness;
let admin: Client;
let marketId: string;

const json = async (res: Response) => (await res.json()) as Record<string, any>;
const lockOf = (p: number) => p + Math.ceil((p * 200) / 10_000);
const place = async (c: Client, body: Record<string, unknown>) => {
  const res = await c.call("POST", "/api/v1/orders", { marketId, type: "LIMIT", ...body });
  expect(res.status).toBe(201);
  return (await json(res)).order as { id: string; status: string };
};
const amend = (c: Client, id: string, body: Record<string, unknown>) =>
  c.call("PATCH", `/api/v1/orders/${id}`, body);
const balance = async (c: Client) =>
  (await json(await c.call("GET", "/api/v1/portfolio"))).balance as {
    availablePaise: number;
    lockedPaise: number;
  };
const orderOf = async (c: Client, id: string) =>
  (await json(await c.call("GET", `/api/v1/orders/${id}`))).order;
/** A new user, known to the engine (the outbox relay has delivered CREATE_USER and the bonus). */
const user = async () => {
  const c = await signIn(h);
  await h.settle();
  return c;
};
const amendsSent = () => h.sent.filter((e) => e.command?.type === "AMEND_ORDER").length;

beforeAll(async () => {
  h = await createTradingHarness();
  admin = await signIn(h, "+919999900000");
  const res = await admin.call("POST", "/api/v1/admin/markets", {
    title: "Will the amend hold its place?",
    category: "weather",
    closeAt: Date.now() + 3_600_000,
    makerFeeBps: 100,
    takerFeeBps: 200,
  });
  expect(res.status).toBe(201);
  marketId = (await json(res)).market.id;
  await h.settle();
});
afterAll(async () => {
  await h.close();
});

describe("PATCH /orders/{id}", () => {
  test("a decrease keeps priority; an increase and a price change lose it; the lock is exact each time", async () => {
    const alice = await user();
    const bob = await user();
    const mine = await place(alice, { outcome: "YES", side: "BUY", pricePaise: 300, quantity: 3 });
    const theirs = await place(bob, { outcome: "YES", side: "BUY", pricePaise: 300, quantity: 1 });
    expect(await balance(alice)).toEqual({ availablePaise: 1500 - 3 * 306, lockedPaise: 3 * 306 });

    const down = await amend(alice, mine.id, { quantity: 2 });
    expect(down.status).toBe(200);
    expect((await json(down)).order).toMatchObject({
      id: mine.id,
      pricePaise: 300,
      quantity: 2,
      remainingQty: 2,
      status: "OPEN",
      fills: [],
    });
    expect(await balance(alice)).toEqual({ availablePaise: 1500 - 2 * 306, lockedPaise: 2 * 306 });

    // A NO buyer at 700 (YES 300) meets alice first: she kept her place ahead of bob.
    await place(await user(), { outcome: "NO", side: "BUY", pricePaise: 700, quantity: 1 });
    expect(await orderOf(alice, mine.id)).toMatchObject({ filledQty: 1, remainingQty: 1 });
    expect(await orderOf(bob, theirs.id)).toMatchObject({ filledQty: 0, remainingQty: 1 });
    const paid = 300 + 3; // the fill at 300 and its maker fee
    expect(await balance(alice)).toEqual({ availablePaise: 1500 - paid - 306, lockedPaise: 306 });

    // Raising the quantity loses priority: the next NO buyer meets bob.
    const up = await amend(alice, mine.id, { quantity: 2 });
    expect((await json(up)).order).toMatchObject({ quantity: 3, filledQty: 1, remainingQty: 2 });
    expect(await balance(alice)).toEqual({ availablePaise: 1500 - paid - 2 * 306, lockedPaise: 2 * 306 });
    await place(await user(), { outcome: "NO", side: "BUY", pricePaise: 700, quantity: 1 });
    // bob's order filled as a maker (no persister here, so it is gone from the live views).
    expect(await balance(bob)).toEqual({ availablePaise: 1500 - 300 - 3, lockedPaise: 0 });
    expect((await json(await bob.call("GET", "/api/v1/orders?status=open"))).orders).toEqual([]);
    expect(await orderOf(alice, mine.id)).toMatchObject({ filledQty: 1, remainingQty: 2 });

    // A new price moves the lock to the new price's terms.
    const moved = await amend(alice, mine.id, { pricePaise: 350 });
    expect((await json(moved)).order).toMatchObject({ pricePaise: 350, remainingQty: 2 });
    expect(await balance(alice)).toEqual({
      availablePaise: 1500 - paid - 2 * lockOf(350),
      lockedPaise: 2 * lockOf(350),
    });
    const book = await json(await alice.call("GET", `/api/v1/markets/${marketId}/orderbook`));
    expect(book.yes).toEqual([{ pricePaise: 350, qty: 2 }]);
  });

  test("an amend that now crosses trades at once as a taker and answers its fills", async () => {
    const alice = await user();
    const seller = await user();
    // The seller's NO bid at 400 is an ask at YES 600; alice bids 500, then moves to 600.
    await place(seller, { outcome: "NO", side: "BUY", pricePaise: 400, quantity: 1 });
    const mine = await place(alice, { outcome: "YES", side: "BUY", pricePaise: 500, quantity: 2 });
    const res = await amend(alice, mine.id, { pricePaise: 600 });
    expect(res.status).toBe(200);
    const { order } = await json(res);
    expect(order).toMatchObject({ pricePaise: 600, filledQty: 1, remainingQty: 1, status: "OPEN" });
    expect(order.fills).toEqual([
      { tradeSeq: expect.any(Number), kind: "MINT", qty: 1, pricePaise: 600, feePaise: 12 },
    ]);
    expect(await balance(alice)).toEqual({
      availablePaise: 1500 - 612 - lockOf(600),
      lockedPaise: lockOf(600),
    });
    await h.settle();
  });

  test("an amend needing more cash than is available is 422 INSUFFICIENT_FUNDS and changes nothing", async () => {
    const alice = await user();
    const mine = await place(alice, { outcome: "YES", side: "BUY", pricePaise: 250, quantity: 4 });
    const before = { balance: await balance(alice), order: await orderOf(alice, mine.id) };
    const book = await json(await alice.call("GET", `/api/v1/markets/${marketId}/orderbook`));
    const res = await amend(alice, mine.id, { pricePaise: 450, quantity: 4 });
    expect(res.status).toBe(422);
    expect((await json(res)).error.code).toBe("INSUFFICIENT_FUNDS");
    expect({ balance: await balance(alice), order: await orderOf(alice, mine.id) }).toEqual(before);
    expect(await json(await alice.call("GET", `/api/v1/markets/${marketId}/orderbook`))).toEqual(book);
    // A refusal by the rules changes nothing either: a price off the tick.
    const off = await amend(alice, mine.id, { pricePaise: 275 });
    expect([off.status, (await json(off)).error.code]).toEqual([400, "INVALID_PRICE"]);
    expect({ balance: await balance(alice), order: await orderOf(alice, mine.id) }).toEqual(before);
  });

  test("idempotent by clientAmendId: a repeat answers the first result, duplicate, and moves nothing", async () => {
    const alice = await user();
    const mine = await place(alice, { outcome: "YES", side: "BUY", pricePaise: 200, quantity: 5 });
    const first = await amend(alice, mine.id, { quantity: 2, clientAmendId: "shrink-1" });
    expect(first.status).toBe(200);
    const a = await json(first);
    expect(a.duplicate).toBe(false);
    const again = await amend(alice, mine.id, { quantity: 2, clientAmendId: "shrink-1" });
    const b = await json(again);
    expect(again.status).toBe(200);
    expect(b).toEqual({ ...a, duplicate: true });
    // Even with another body: the key names the first amend, not a new one.
    const other = await json(await amend(alice, mine.id, { quantity: 4, clientAmendId: "shrink-1" }));
    expect(other.duplicate).toBe(true);
    expect(await balance(alice)).toEqual({
      availablePaise: 1500 - 2 * lockOf(200),
      lockedPaise: 2 * lockOf(200),
    });
    expect(await orderOf(alice, mine.id)).toMatchObject({ remainingQty: 2 });
  });

  test("an order that is not open, or not yours, is 404 UNKNOWN_ORDER before the engine", async () => {
    const alice = await user();
    const bob = await user();
    const mine = await place(alice, { outcome: "YES", side: "BUY", pricePaise: 150, quantity: 1 });
    const sent = amendsSent();
    for (const [who, id] of [
      [bob, mine.id],
      [alice, "00000000-0000-4000-8000-000000000000"],
    ] as const) {
      const res = await amend(who, id, { quantity: 1 });
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe("UNKNOWN_ORDER");
    }
    expect(amendsSent()).toBe(sent);
    // With a clientAmendId it reaches the engine, which refuses it the same way (and remembers it).
    const keyed = await amend(bob, mine.id, { quantity: 1, clientAmendId: "not-mine" });
    expect([keyed.status, (await json(keyed)).error.code]).toEqual([404, "UNKNOWN_ORDER"]);
    expect(await orderOf(alice, mine.id)).toMatchObject({ remainingQty: 1, pricePaise: 150 });
  });

  test("bad bodies are 400 VALIDATION_ERROR and never reach the engine", async () => {
    const alice = await user();
    const mine = await place(alice, { outcome: "YES", side: "BUY", pricePaise: 100, quantity: 1 });
    const sent = amendsSent();
    for (const body of [
      {},
      { quantity: 0 },
      { quantity: 1.5 },
      { quantity: "2" },
      { pricePaise: 1000 },
      { pricePaise: 0 },
      { pricePaise: null },
      { quantity: 1, side: "SELL" },
      { quantity: 1, clientAmendId: "" },
    ]) {
      const res = await amend(alice, mine.id, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect((await json(res)).error.code).toBe("VALIDATION_ERROR");
    }
    const raw = await alice.call("PATCH", `/api/v1/orders/${mine.id}`, "not json", {
      "content-type": "application/json",
    });
    expect(raw.status).toBe(400);
    expect(amendsSent()).toBe(sent);
    expect(await orderOf(alice, mine.id)).toMatchObject({ remainingQty: 1, pricePaise: 100 });
  });
});
