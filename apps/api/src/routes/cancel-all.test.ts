/**
 * Issue 14: DELETE /orders (cancel all) over real HTTP (Bun.serve on the API, the real engine service
 * behind it): one market or every market in ONE engine command, the cancelled ids answered, each
 * lock released exactly, other users' orders untouched, nothing open → an empty list, bad input → 4xx
 * before the engine.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Client, signIn } from "../test-harness.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

let h: TradingHarness;
let server: ReturnType<typeof Bun.serve>;
let admin: Client;
let alice: Client;
let bob: Client;
let marketA: string;
let marketB: string;

type Json = Record<string, any>;
async function http(c: Client | null, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", ...(c && { cookie: c.cookie }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}
const locked = (c: Client) => h.engine.account(c.userId)?.lockedPaise ?? -1;
const openIds = async (c: Client, marketId?: string) => {
  const q = marketId ? `&marketId=${marketId}` : "";
  const res = await http(c, "GET", `/orders?status=open${q}`);
  expect(res.status).toBe(200);
  return (res.body.orders as Json[]).map((o) => o.id as string).sort();
};

/** Places a resting BUY; returns its id and the cash it locked (measured, not assumed). */
async function rest(c: Client, marketId: string, pricePaise: number, quantity: number, outcome = "YES") {
  const before = locked(c);
  const res = await http(c, "POST", "/orders", {
    marketId,
    outcome,
    side: "BUY",
    type: "LIMIT",
    pricePaise,
    quantity,
  });
  expect(res.status).toBe(201);
  expect(res.body.order.status).toBe("OPEN");
  return { id: res.body.order.id as string, lock: locked(c) - before };
}

async function market(title: string) {
  const created = await http(admin, "POST", "/admin/markets", {
    title,
    category: "tech",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  return created.body.market.id as string;
}

beforeAll(async () => {
  h = await createTradingHarness();
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => h.app.fetch(req) });
  admin = await signIn(h, "+919999900000");
  alice = await signIn(h);
  bob = await signIn(h);
  marketA = await market("Will cancel-all clear one market?");
  marketB = await market("Will cancel-all clear every market?");
  for (const c of [alice, bob])
    expect((await http(c, "POST", "/wallet/deposits", { amountPaise: 1_000_000 })).status).toBeLessThan(300);
  await h.settle();
});
afterAll(async () => {
  server.stop(true);
  await h.close();
});

describe("DELETE /orders", () => {
  test("one market: only the caller's orders there, in one engine command, locks released exactly", async () => {
    const a1 = await rest(alice, marketA, 300, 2);
    const a2 = await rest(alice, marketA, 250, 1, "NO");
    const b1 = await rest(alice, marketB, 400, 3);
    const bob1 = await rest(bob, marketA, 300, 1);
    for (const o of [a1, a2, b1, bob1]) expect(o.lock).toBeGreaterThan(0);
    const aliceLocked = locked(alice);
    const bobLocked = locked(bob);
    const sent = h.sent.length;

    const res = await http(alice, "DELETE", `/orders?marketId=${marketA}`);
    expect(res.status).toBe(200);
    expect(res.body.cancelled).toEqual([a1.id, a2.id]); // acceptance order
    expect(h.sent.length).toBe(sent + 1);
    expect(h.sent.at(-1)?.command).toMatchObject({
      type: "CANCEL_ALL",
      userId: alice.userId,
      marketId: marketA,
    });

    expect(locked(alice)).toBe(aliceLocked - a1.lock - a2.lock);
    expect(await openIds(alice)).toEqual([b1.id]);
    expect(locked(bob)).toBe(bobLocked);
    expect(await openIds(bob)).toEqual([bob1.id]);
  });

  test("every market: one CANCEL_ALL without a market answers every id; bob's orders stay", async () => {
    const a3 = await rest(alice, marketA, 100, 1);
    const [b1] = await openIds(alice, marketB);
    const sent = h.sent.length;
    const bobLocked = locked(bob);
    const bobOpen = await openIds(bob);

    const res = await http(alice, "DELETE", "/orders");
    expect(res.status).toBe(200);
    // Markets in ascending id, each in acceptance order (the engine's contract).
    const expected = [...(marketA < marketB ? [[a3.id], [b1]] : [[b1], [a3.id]]).flat()];
    expect(res.body.cancelled).toEqual(expected);
    expect(h.sent.length).toBe(sent + 1);
    expect(h.sent.at(-1)?.command).toEqual({
      type: "CANCEL_ALL",
      userId: alice.userId,
      ts: expect.any(Number),
    });
    expect(locked(alice)).toBe(0);
    expect(await openIds(alice)).toEqual([]);
    expect(locked(bob)).toBe(bobLocked);
    expect(await openIds(bob)).toEqual(bobOpen);
  });

  test("nothing open: 200 with an empty list, in one market or all", async () => {
    expect(await http(alice, "DELETE", "/orders")).toEqual({ status: 200, body: { cancelled: [] } });
    expect(await http(alice, "DELETE", `/orders?marketId=${marketB}`)).toEqual({
      status: 200,
      body: { cancelled: [] },
    });
  });

  test("a malformed marketId is 400, an unknown one 404; neither reaches the engine", async () => {
    await rest(alice, marketA, 150, 1);
    const sent = h.sent.length;
    for (const q of ["marketId=", "marketId=no%20spaces", `marketId=${"x".repeat(65)}`]) {
      const res = await http(alice, "DELETE", `/orders?${q}`);
      expect({ q, status: res.status, code: res.body.error?.code }).toEqual({
        q,
        status: 400,
        code: "VALIDATION_ERROR",
      });
    }
    const unknown = await http(alice, "DELETE", "/orders?marketId=no-such-market");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("MARKET_NOT_FOUND");
    expect(h.sent.length).toBe(sent);
    expect(await openIds(alice)).toHaveLength(1);
  });

  test("signed out: 401", async () => {
    const res = await http(null, "DELETE", "/orders");
    expect(res.status).toBe(401);
  });
});
