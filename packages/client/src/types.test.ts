import { describe, expect, test } from "bun:test";
import { ApiError, createClient } from "./index.ts";

/** A fetch that records the request and answers with `reply`. */
function recorder(status: number, reply: unknown, headers: Record<string, string> = {}) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(reply === undefined ? "" : JSON.stringify(reply), { status, headers });
  }) as unknown as typeof globalThis.fetch;
  const header = (i: number, name: string) =>
    (calls[i]?.init.headers as Record<string, string> | undefined)?.[name];
  return { calls, fetch, header };
}

describe("@ox/client", () => {
  test("fills path parameters, drops empty query values, sends JSON bodies", async () => {
    const r = recorder(200, { trades: [] });
    const api = createClient({ baseUrl: "http://x/", fetch: r.fetch });
    const answer = await api.markets.trades({
      params: { id: "a/b" },
      query: { limit: 5, before: undefined },
    });
    expect(answer.trades).toEqual([]);
    expect(r.calls[0]?.url).toBe("http://x/api/v1/markets/a%2Fb/trades?limit=5");
    expect(r.calls[0]?.init.method).toBe("GET");
    await api.wallet.deposit({ body: { amountPaise: 100 } });
    expect(r.calls[1]?.init.body).toBe('{"amountPaise":100}');
    expect(r.header(1, "content-type")).toBe("application/json");
  });

  test("an error answer is one ApiError with the server's code, status and request id", async () => {
    const r = recorder(422, {
      error: { code: "INSUFFICIENT_FUNDS", message: "not enough", requestId: "r1" },
    });
    const api = createClient({ fetch: r.fetch });
    const err = await api.orders.cancel({ params: { id: "o1" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 422,
      code: "INSUFFICIENT_FUNDS",
      message: "not enough",
      requestId: "r1",
    });
    const bare = await createClient({ fetch: recorder(502, undefined).fetch })
      .markets.list()
      .catch((e: unknown) => e);
    expect(bare).toMatchObject({ status: 502, code: "HTTP_ERROR" });
    const down = await createClient({
      fetch: (async () => {
        throw new TypeError("connection refused");
      }) as unknown as typeof fetch,
    })
      .markets.list()
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ status: 0, code: "NETWORK" });
  });

  test("keepCookies: the session cookie set by an answer is sent with the next request", async () => {
    const r = recorder(200, { user: { id: "u" } }, { "set-cookie": "ox_session=abc; Path=/; HttpOnly" });
    const api = createClient({ fetch: r.fetch, keepCookies: true });
    expect(api.cookie).toBeUndefined();
    await api.auth.session();
    expect(api.cookie).toBe("ox_session=abc");
    await api.auth.me();
    expect(r.header(1, "cookie")).toBe("ox_session=abc");
  });
});

test("types come from the contracts (checked by tsc: a wrong call does not compile)", async () => {
  const api = createClient({
    fetch: recorder(200, { market: { title: "t" }, order: { status: "PENDING" } }).fetch,
  });
  const { market } = await api.markets.get({ params: { id: "m" } });
  const title: string = market.title;
  expect(title).toBe("t");
  const placed = await api.orders.place({
    body: { marketId: "m", outcome: "YES", side: "BUY", type: "LIMIT", pricePaise: 500, quantity: 1 },
  });
  // A union of the 201 and 202 bodies: the status tells them apart.
  expect(placed.order.status === "PENDING" ? "queued" : placed.order.filledQty).toBe("queued");
  const typeChecks = async () => {
    // @ts-expect-error a path parameter is required
    await api.markets.get();
    // @ts-expect-error the body is checked against PlaceOrderRequest
    await api.orders.place({ body: { marketId: "m" } });
    // @ts-expect-error no such field on a market
    market.question;
    // A batch item is a POST /orders body too (checked by the server item by item as well).
    await api.orders.placeBatch({
      body: { orders: [{ marketId: "m", outcome: "YES", side: "BUY", type: "LIMIT", quantity: 1 }] },
    });
    // @ts-expect-error each batch item is checked against PlaceOrderRequest
    await api.orders.placeBatch({ body: { orders: [{ marketId: "m", side: "HOLD" }] } });
    // GTD with its expiry and a self-trade prevention mode are part of the body's type.
    await api.orders.place({
      body: {
        marketId: "m",
        outcome: "YES",
        side: "BUY",
        type: "LIMIT",
        pricePaise: 500,
        quantity: 1,
        timeInForce: "GTD",
        expiresAt: Date.now() + 60_000,
        selfTradePrevention: "CANCEL_TAKER",
      },
    });
    await api.orders.place({
      body: {
        marketId: "m",
        outcome: "YES",
        side: "BUY",
        type: "LIMIT",
        quantity: 1,
        // @ts-expect-error selfTradePrevention is CANCEL_RESTING or CANCEL_TAKER
        selfTradePrevention: "maker",
      },
    });
  };
  expect(typeof typeChecks).toBe("function");
});
