/**
 * POST /orders/batch and DELETE /orders/batch over real HTTP (Bun.serve on the API, the real engine
 * service behind it): per-item results in request order, one engine message per batch, per-item
 * failures that never fail the others, idempotency per clientOrderId, and the envelope limits.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CANCEL_BATCH_MAX, ORDER_BATCH_MAX } from "@ox/contracts";
import { type Client, signIn } from "../test-harness.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

let h: TradingHarness;
let server: ReturnType<typeof Bun.serve>;
let admin: Client;
let alice: Client;
let bob: Client;
let marketId: string;

type Json = Record<string, any>;
/** A request over the network to the served API, as the client's session. */
async function http(
  c: Client | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${server.url}api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", ...(c && { cookie: c.cookie }), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}
const limit = (over: Record<string, unknown> = {}) => ({
  marketId,
  outcome: "YES",
  side: "BUY",
  type: "LIMIT",
  pricePaise: 400,
  quantity: 1,
  ...over,
});
const batchesSent = () => h.sent.filter((e) => e.commands).length;

beforeAll(async () => {
  h = await createTradingHarness();
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => h.app.fetch(req) });
  admin = await signIn(h, "+919999900000");
  alice = await signIn(h);
  bob = await signIn(h);
  const created = await http(admin, "POST", "/admin/markets", {
    title: "Will the batch endpoint ship today?",
    category: "tech",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  marketId = created.body.market.id;
  for (const c of [alice, bob])
    expect((await http(c, "POST", "/wallet/deposits", { amountPaise: 1_000_000 })).status).toBeLessThan(300);
  await h.settle();
});
afterAll(async () => {
  server.stop(true);
  await h.close();
});

describe("POST /orders/batch", () => {
  test("one result per order in request order; bad items fail alone; one engine message", async () => {
    const before = batchesSent();
    const sentBefore = h.sent.length;
    const res = await http(
      alice,
      "POST",
      "/orders/batch",
      {
        orders: [
          limit({ pricePaise: 450, clientOrderId: "b1-rest" }),
          limit({ pricePaise: undefined }), // LIMIT without a price
          limit({ marketId: "no-such-market" }),
          limit({ pricePaise: 900, quantity: 2_000 }), // 18 lakh paise: beyond the balance
          { nonsense: true },
          limit({ outcome: "NO", pricePaise: 500, quantity: 1, clientOrderId: "b1-no" }),
        ],
      },
      { "x-request-id": "batch-req-1" },
    );
    expect(res.status).toBe(200);
    const r = res.body.results;
    expect(r).toHaveLength(6);
    // Bob's NO bid at 550 meets the YES bid at 450 placed by item 0 of this batch: a mint.
    const cross = await http(bob, "POST", "/orders/batch", {
      orders: [limit({ outcome: "NO", pricePaise: 550 })],
    });
    expect(cross.body.results[0].order).toMatchObject({ status: "FILLED", filledQty: 1 });
    expect(cross.body.results[0].order.fills).toEqual([expect.objectContaining({ kind: "MINT", qty: 1 })]);
    expect(r[0].order).toMatchObject({
      status: "OPEN",
      pricePaise: 450,
      clientOrderId: "b1-rest",
      fills: [],
    });
    expect(r[0].duplicate).toBe(false);
    expect(r[1].error).toMatchObject({ code: "VALIDATION_ERROR" });
    expect(r[1].error.message).toContain("pricePaise");
    expect(r[2].error).toMatchObject({ code: "MARKET_NOT_FOUND" });
    expect(r[3].error).toMatchObject({ code: "INSUFFICIENT_FUNDS" });
    expect(r[4].error).toMatchObject({ code: "VALIDATION_ERROR" });
    expect(r[5].order).toMatchObject({ status: "OPEN", outcome: "NO", clientOrderId: "b1-no" });
    // The three valid items went to the engine in one queue message (then bob's batch of one).
    expect(batchesSent()).toBe(before + 2);
    expect(h.sent.length).toBe(sentBefore + 2);
    expect(h.sent.at(-2)?.commands?.map((c) => c.type)).toEqual([
      "PLACE_ORDER",
      "PLACE_ORDER",
      "PLACE_ORDER",
    ]);
    // The request id travels in the envelope, so the batch can be followed in the engine's logs.
    expect(h.sent.at(-2)?.requestId).toBe("batch-req-1");
  });

  test("an item's validation error has the code and message POST /orders gives that body", async () => {
    const bad = [
      limit({ pricePaise: undefined }),
      limit({ quantity: 0, postOnly: true, timeInForce: "IOC" }),
      limit({ side: "HOLD", extra: 1 }),
      { nonsense: true },
    ];
    const batch = await http(alice, "POST", "/orders/batch", { orders: bad });
    for (const [i, body] of bad.entries()) {
      const single = await http(alice, "POST", "/orders", body);
      expect(single.status).toBe(400);
      const { code, message } = single.body.error;
      // Same words; an issue of the whole body is the item's ("order: …"), not the request's ("json: …").
      expect(batch.body.results[i].error).toEqual({ code, message: message.replace("json:", "order:") });
    }
  });

  test("idempotent per clientOrderId: a repeated batch returns the first results, places nothing", async () => {
    const orders = [
      limit({ pricePaise: 300, clientOrderId: "b2-a" }),
      limit({ pricePaise: 300, clientOrderId: "b2-b" }),
      limit({ pricePaise: 350, clientOrderId: "b2-a" }), // same id inside the batch: the first one's result
    ];
    const first = await http(bob, "POST", "/orders/batch", { orders });
    expect(first.status).toBe(200);
    const [a, b, again] = first.body.results;
    expect(a.order.status).toBe("OPEN");
    expect(b.order.status).toBe("OPEN");
    expect(again).toMatchObject({ duplicate: true, order: { id: a.order.id, pricePaise: 300 } });

    const repeat = await http(bob, "POST", "/orders/batch", { orders });
    expect(repeat.body.results.map((x: Json) => [x.order.id, x.duplicate])).toEqual([
      [a.order.id, true],
      [b.order.id, true],
      [a.order.id, true],
    ]);
    const open = await http(bob, "GET", `/orders?status=open&marketId=${marketId}`);
    expect(open.body.orders.filter((o: Json) => o.clientOrderId?.startsWith("b2-"))).toHaveLength(2);
  });

  test("envelope limits: more than 20, none, or a malformed envelope is a 400; no session is a 401", async () => {
    const many = Array.from({ length: ORDER_BATCH_MAX + 1 }, () => limit());
    const sentBefore = h.sent.length;
    for (const body of [
      { orders: many },
      { orders: [] },
      { orders: "x" },
      { orders: [limit()], extra: 1 },
      "[1",
    ]) {
      const res = await http(alice, "POST", "/orders/batch", body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
    }
    expect(h.sent.length).toBe(sentBefore); // nothing reached the engine
    expect((await http(null, "POST", "/orders/batch", { orders: [limit()] })).status).toBe(401);
    // Exactly the maximum is fine.
    const full = await http(alice, "POST", "/orders/batch", {
      orders: Array.from({ length: ORDER_BATCH_MAX }, () => limit({ pricePaise: 100 })),
    });
    expect(full.status).toBe(200);
    expect(full.body.results.every((x: Json) => x.order?.status === "OPEN")).toBe(true);
  });
});

describe("DELETE /orders/batch", () => {
  test("cancels own open orders; unknown, foreign or malformed ids fail alone", async () => {
    const placed = await http(alice, "POST", "/orders/batch", {
      orders: [limit({ pricePaise: 150 }), limit({ pricePaise: 200 })],
    });
    const [one, two] = placed.body.results.map((x: Json) => x.order.id as string);
    const foreign = (await http(bob, "POST", "/orders/batch", { orders: [limit({ pricePaise: 150 })] })).body
      .results[0].order.id;
    const before = batchesSent();
    const res = await http(alice, "DELETE", "/orders/batch", {
      ids: [one, "no-such-order", foreign, "bad id!", two],
    });
    expect(res.status).toBe(200);
    const r = res.body.results;
    expect(r[0].order).toMatchObject({ id: one, status: "CANCELLED" });
    expect(r[1].error.code).toBe("UNKNOWN_ORDER");
    expect(r[2].error.code).toBe("UNKNOWN_ORDER"); // bob's order is not alice's to cancel
    expect(r[3].error.code).toBe("VALIDATION_ERROR");
    const single = await http(alice, "DELETE", `/orders/${encodeURIComponent("bad id!")}`);
    expect(single.status).toBe(400);
    expect(r[3].error.message).toBe(single.body.error.message);
    expect(r[4].order).toMatchObject({ id: two, status: "CANCELLED" });
    expect(batchesSent()).toBe(before + 1);
    // As for DELETE /orders/{id}, ids not open for alice are refused before the engine (never journaled).
    expect(h.sent.at(-1)?.commands?.map((c) => (c as { orderId: string }).orderId)).toEqual([one, two]);
    // Bob's order still rests; cancelling again is a per-item error.
    const bobs = await http(bob, "GET", `/orders?status=open&marketId=${marketId}`);
    expect(bobs.body.orders.map((o: Json) => o.id)).toContain(foreign);
    const again = await http(alice, "DELETE", "/orders/batch", { ids: [one] });
    expect(again.body.results[0].error.code).toBe("UNKNOWN_ORDER");
  });

  test("more than 100 ids, none, or non-string ids are a 400", async () => {
    const ids = Array.from({ length: CANCEL_BATCH_MAX + 1 }, (_, i) => `id-${i}`);
    for (const body of [{ ids }, { ids: [] }, { ids: [1, 2] }, {}]) {
      const res = await http(alice, "DELETE", "/orders/batch", body);
      expect(res.status).toBe(400);
    }
    const max = await http(alice, "DELETE", "/orders/batch", { ids: ids.slice(0, CANCEL_BATCH_MAX) });
    expect(max.status).toBe(200);
    expect(max.body.results).toHaveLength(CANCEL_BATCH_MAX);
  });

  test("both batch routes are in the OpenAPI document with their schemas", async () => {
    const doc = (await (await fetch(`${server.url}api/v1/openapi.json`)).json()) as Json;
    const path = doc.paths["/api/v1/orders/batch"];
    expect(Object.keys(path).sort()).toEqual(["delete", "post"]);
    expect(doc.components.schemas).toHaveProperty("PlaceOrdersBatchRequest");
    expect(doc.components.schemas).toHaveProperty("CancelOrdersBatchResponse");
    expect(JSON.stringify(doc.components.schemas.PlaceOrdersBatchRequest)).toContain("PlaceOrderRequest");
  });
});
