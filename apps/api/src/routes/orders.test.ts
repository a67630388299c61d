import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Client, signIn } from "../test-harness.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

let h: TradingHarness;
let admin: Client;
let alice: Client;
let bob: Client;
let marketId: string;

const json = async (res: Response) => (await res.json()) as Record<string, any>;
const place = (c: Client, body: Record<string, unknown>) =>
  c.call("POST", "/api/v1/orders", { marketId, type: "LIMIT", ...body });

beforeAll(async () => {
  h = await createTradingHarness();
  admin = await signIn(h, "+919999900000");
  alice = await signIn(h);
  bob = await signIn(h);
  const res = await admin.call("POST", "/api/v1/admin/markets", {
    title: "Will it rain in Mumbai tomorrow?",
    category: "weather",
    closeAt: Date.now() + 3_600_000,
  });
  expect(res.status).toBe(201);
  marketId = (await json(res)).market.id;
  await h.settle();
});
afterAll(async () => {
  await h.close();
});

describe("trading routes (embedded engine service)", () => {
  test("a resting order shows in the book and in open orders; a crossing NO buy mints", async () => {
    const resting = await place(alice, { outcome: "YES", side: "BUY", pricePaise: 600, quantity: 2 });
    expect(resting.status).toBe(201);
    const { order } = await json(resting);
    expect(order).toMatchObject({
      status: "OPEN",
      filledQty: 0,
      remainingQty: 2,
      avgPricePaise: null,
      fills: [],
    });

    const book = await json(await alice.call("GET", `/api/v1/markets/${marketId}/orderbook`));
    expect(book.yes).toEqual([{ pricePaise: 600, qty: 2 }]);
    expect(book.no).toEqual([]);
    expect(book.seq).toBeGreaterThan(0);
    const open = await json(await alice.call("GET", "/api/v1/orders?status=open"));
    expect(open.orders.map((o: { id: string }) => o.id)).toEqual([order.id]);

    const taker = await place(bob, { outcome: "NO", side: "BUY", pricePaise: 400, quantity: 2 });
    expect(taker.status).toBe(201);
    const filled = (await json(taker)).order;
    expect(filled).toMatchObject({ status: "FILLED", filledQty: 2, remainingQty: 0, avgPricePaise: 400 });
    expect(filled.fills).toEqual([
      { tradeSeq: expect.any(Number), kind: "MINT", qty: 2, pricePaise: 400, feePaise: 0 },
    ]);

    // No persister runs here, so Postgres has nothing yet: the order is answered from the engine's
    // recent reply (it used to be 404 until the persister caught up), and only to its owner.
    const got = await bob.call("GET", `/api/v1/orders/${filled.id}`);
    expect(got.status).toBe(200);
    expect((await json(got)).order).toMatchObject({ id: filled.id, status: "FILLED", filledQty: 2 });
    expect((await alice.call("GET", `/api/v1/orders/${filled.id}`)).status).toBe(404);

    const alicePf = await json(await alice.call("GET", "/api/v1/portfolio"));
    expect(alicePf.balance).toEqual({ availablePaise: 1500 - 1200, lockedPaise: 0 });
    expect(alicePf.positions).toEqual([
      expect.objectContaining({
        marketId,
        yes: 2,
        no: 0,
        yesCostPaise: 1200,
        yesAvgPricePaise: 600,
        lastYesPricePaise: 600,
      }),
    ]);
    const bobPf = await json(await bob.call("GET", "/api/v1/portfolio"));
    expect(bobPf.balance).toEqual({ availablePaise: 1500 - 800, lockedPaise: 0 });
    expect(bobPf.positions[0]).toMatchObject({ no: 2, noAvgPricePaise: 400 });

    const market = await json(await alice.call("GET", `/api/v1/markets/${marketId}`));
    expect(market.market).toMatchObject({
      id: marketId,
      status: "OPEN",
      volumeQty: 2,
      lastYesPricePaise: 600,
    });
  });

  test("engine rejections keep their code, through the shared error shape", async () => {
    const offTick = await place(alice, { outcome: "YES", side: "BUY", pricePaise: 525, quantity: 1 });
    expect(offTick.status).toBe(400);
    expect((await json(offTick)).error.code).toBe("INVALID_PRICE");
    const broke = await place(alice, { outcome: "YES", side: "BUY", pricePaise: 900, quantity: 100 });
    expect(broke.status).toBe(422);
    expect((await json(broke)).error.code).toBe("INSUFFICIENT_FUNDS");
    const noShares = await place(alice, { outcome: "NO", side: "SELL", pricePaise: 500, quantity: 1 });
    expect(noShares.status).toBe(422);
    expect((await json(noShares)).error.code).toBe("INSUFFICIENT_SHARES");
    const nowhere = await alice.call("POST", "/api/v1/orders", {
      marketId: "nope",
      type: "LIMIT",
      outcome: "YES",
      side: "BUY",
      pricePaise: 500,
      quantity: 1,
    });
    expect(nowhere.status).toBe(404);
    expect((await json(nowhere)).error.code).toBe("MARKET_NOT_FOUND");
  });

  test("the body is validated before anything is queued", async () => {
    const noPrice = await place(alice, { outcome: "YES", side: "BUY", quantity: 1 });
    expect(noPrice.status).toBe(400);
    expect((await json(noPrice)).error.code).toBe("VALIDATION_ERROR");
    const fractional = await place(alice, { outcome: "YES", side: "BUY", pricePaise: 500.5, quantity: 1 });
    expect(fractional.status).toBe(400);
    const extra = await place(alice, {
      outcome: "YES",
      side: "BUY",
      pricePaise: 500,
      quantity: 1,
      admin: true,
    });
    expect(extra.status).toBe(400);
    // The pre-suffix names are not aliases: a body that still says `price` / `maxCost` is refused.
    const oldPrice = await place(alice, { outcome: "YES", side: "BUY", price: 500, quantity: 1 });
    expect(oldPrice.status).toBe(400);
    expect((await json(oldPrice)).error.code).toBe("VALIDATION_ERROR");
    const oldMaxCost = await place(alice, {
      type: "MARKET",
      outcome: "YES",
      side: "BUY",
      maxCost: 500,
      quantity: 1,
    });
    expect(oldMaxCost.status).toBe(400);
    const anonymous = await h.app.request("http://localhost/api/v1/orders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        marketId,
        type: "LIMIT",
        outcome: "YES",
        side: "BUY",
        pricePaise: 500,
        quantity: 1,
      }),
    });
    expect(anonymous.status).toBe(401);
  });

  test("a repeated clientOrderId returns the first order and places nothing new", async () => {
    const body = { outcome: "YES", side: "BUY", pricePaise: 100, quantity: 1, clientOrderId: "retry-1" };
    const first = await json(await place(bob, body));
    const again = await place(bob, body);
    expect(again.status).toBe(201);
    const second = await json(again);
    expect(second.duplicate).toBe(true);
    expect(second.order.id).toBe(first.order.id);
    const open = await json(await bob.call("GET", "/api/v1/orders?status=open"));
    expect(open.orders.filter((o: { clientOrderId: string }) => o.clientOrderId === "retry-1")).toHaveLength(
      1,
    );
  });

  test("own orders only: read and cancel", async () => {
    const { order } = await json(
      await place(alice, { outcome: "NO", side: "BUY", pricePaise: 100, quantity: 1 }),
    );
    expect((await alice.call("GET", `/api/v1/orders/${order.id}`)).status).toBe(200);
    expect((await bob.call("GET", `/api/v1/orders/${order.id}`)).status).toBe(404);
    const foreign = await bob.call("DELETE", `/api/v1/orders/${order.id}`);
    expect(foreign.status).toBe(404);
    expect((await json(foreign)).error.code).toBe("UNKNOWN_ORDER");
    const cancel = await alice.call("DELETE", `/api/v1/orders/${order.id}`);
    expect(cancel.status).toBe(200);
    expect((await json(cancel)).order).toMatchObject({ id: order.id, status: "CANCELLED", remainingQty: 0 });
    expect((await alice.call("DELETE", `/api/v1/orders/${order.id}`)).status).toBe(404);
    const pf = await json(await alice.call("GET", "/api/v1/portfolio"));
    expect(pf.balance.lockedPaise).toBe(0);
  });

  test("202 with the order id when the engine does not answer in time", async () => {
    await h.service.halt();
    const res = await place(alice, { outcome: "YES", side: "BUY", pricePaise: 500, quantity: 1 });
    expect(res.status).toBe(202);
    const { order } = await json(res);
    expect(order).toEqual({ id: expect.any(String), status: "PENDING" });
  });
});
