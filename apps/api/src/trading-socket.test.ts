/**
 * The trading socket over a real WebSocket: Bun.serve on the API (the engine service in process,
 * real Postgres), clients with signed handshakes and cookies. Refused handshakes (bad signature,
 * stale, replayed, revoked, foreign origin), scopes per message, place → ack + fill + book delta
 * with increasing seq, cancel, cancel_all, idempotency and rate limits of the HTTP routes, bad
 * messages answered with a code while nothing changes and the connection stays.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TRADING_SOCKET_CLOSE } from "@ox/contracts";
import { createInProcessEngineReader, type EngineReader } from "@ox/engine-client";
import { createTradingHarness, type TradingHarness } from "./routes/orders-harness.ts";
import { type Client, signIn } from "./test-harness.ts";
import {
  type Json,
  openSocket,
  rawHandshake,
  type SocketClient,
  signedHandshake,
} from "./trading-socket-kit.ts";

let h: TradingHarness;
let server: ReturnType<typeof Bun.serve>;
let base: string;
let marketId: string;
const sockets: SocketClient[] = [];

const createKey = async (c: Client, scopes: string[]) => {
  const res = await c.call("POST", "/api/v1/keys", { name: `ws-${scopes.join("-")}`, scopes });
  expect(res.status).toBe(201);
  const body = (await res.json()) as Json;
  return { id: body.key.id as string, secret: body.secret as string };
};
const connect = async (headers: Record<string, string>) => {
  const s = await openSocket(base, headers);
  sockets.push(s);
  return s;
};
const limit = (over: Json = {}) => ({
  marketId,
  outcome: "YES",
  side: "BUY",
  type: "LIMIT",
  pricePaise: 100,
  quantity: 1,
  ...over,
});
/** Every seq of a connection, in arrival order: 1, 2, 3, … with no gap. */
const expectSeqs = (s: SocketClient) =>
  expect(s.messages.map((m) => m.seq)).toEqual(s.messages.map((_, i) => i + 1));

beforeAll(async () => {
  h = await createTradingHarness({
    config: {
      TRUSTED_PROXIES: null,
      RATE_LIMITS: true,
      RATE_LIMIT_PREFIX: `test-ws-${crypto.randomUUID()}`,
      // A key's bucket holds half its user's: 10 creates in a burst, nothing refilled during the test.
      RATE_LIMIT_WRITE: { perSec: 1 / 600, burst: 20 },
      RATE_LIMIT_READ: { perSec: 100, burst: 1_000 },
      RATE_LIMIT_WRITE_IP: { perSec: 100, burst: 10_000 },
      RATE_LIMIT_READ_IP: { perSec: 100, burst: 10_000 },
      RATE_LIMIT_AUTH_IP: { perSec: 100, burst: 10_000 },
    },
  });
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req, srv) => h.api.fetch(req, srv),
    websocket: h.api.tradingSocket.websocket,
  });
  base = `http://127.0.0.1:${server.port}`;
  h.api.deadMan.start();
  const admin = await signIn(h, "+919999900000");
  const market = await admin.call("POST", "/api/v1/admin/markets", {
    title: "Will programs trade over a socket?",
    category: "tech",
    closeAt: Date.now() + 3_600_000,
  });
  expect(market.status).toBe(201);
  marketId = ((await market.json()) as Json).market.id;
  await h.settle();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await h.api.deadMan.stop();
  await h.api.tradingSocket.close();
  server.stop(true);
  await h.close();
});

describe("the handshake is a signed GET /api/v1/ws or the session cookie", () => {
  let alice: Client;
  let key: { id: string; secret: string };
  beforeAll(async () => {
    alice = await signIn(h);
    key = await createKey(alice, ["read", "trade"]);
  });

  test("a good signature upgrades (101)", async () => {
    expect((await rawHandshake(base, signedHandshake(key))).status).toBe(101);
  });

  test("a wrong secret, a stale timestamp and no credentials are refused with the HTTP API's codes", async () => {
    const wrong = await rawHandshake(base, signedHandshake({ id: key.id, secret: "not-the-secret" }));
    expect([wrong.status, wrong.body?.error.code]).toEqual([401, "INVALID_SIGNATURE"]);
    const stale = await rawHandshake(base, signedHandshake(key, Date.now() - 10_000));
    expect([stale.status, stale.body?.error.code]).toEqual([401, "SIGNATURE_EXPIRED"]);
    const none = await rawHandshake(base, {});
    expect([none.status, none.body?.error.code]).toEqual([401, "UNAUTHENTICATED"]);
    await expect(openSocket(base, signedHandshake(key, Date.now() - 10_000))).rejects.toThrow();
  });

  test("a replayed handshake is refused", async () => {
    const headers = signedHandshake(key);
    expect((await rawHandshake(base, headers)).status).toBe(101);
    const again = await rawHandshake(base, headers);
    expect([again.status, again.body?.error.code]).toEqual([401, "SIGNATURE_REPLAYED"]);
  });

  test("a revoked key is refused at the handshake; an open socket of it is closed at its next message", async () => {
    const doomed = await createKey(alice, ["read", "trade"]);
    const s = await connect(signedHandshake(doomed));
    expect((await s.request({ type: "ping" })).type).toBe("pong");
    expect((await alice.call("DELETE", `/api/v1/keys/${doomed.id}`)).status).toBe(200);
    const refused = await rawHandshake(base, signedHandshake(doomed));
    expect([refused.status, refused.body?.error.code]).toEqual([401, "API_KEY_REVOKED"]);
    const sentBefore = h.sent.length;
    const answer = await s.request({ type: "place", order: limit() });
    expect([answer.type, answer.error.code]).toEqual(["error", "API_KEY_REVOKED"]);
    expect((await s.closed).code).toBe(TRADING_SOCKET_CLOSE.UNAUTHENTICATED);
    expect(h.sent.length).toBe(sentBefore);
  });

  test("logout closes the session's socket; a revoked key's idle socket is closed within 5 s", async () => {
    const bob = await signIn(h);
    const idleKey = await createKey(bob, ["read"]);
    const bySession = await connect({ cookie: bob.cookie });
    const byKey = await connect(signedHandshake(idleKey));
    expect((await bySession.request({ type: "ping" })).type).toBe("pong");
    expect((await byKey.request({ type: "ping" })).type).toBe("pong");
    expect((await bob.call("DELETE", `/api/v1/keys/${idleKey.id}`)).status).toBe(200);
    const revokedAt = Date.now();
    expect((await byKey.closed).code).toBe(TRADING_SOCKET_CLOSE.UNAUTHENTICATED);
    expect(Date.now() - revokedAt).toBeLessThan(6_500);
    expect((await bob.call("POST", "/api/v1/auth/logout")).status).toBe(200);
    expect((await bySession.closed).code).toBe(TRADING_SOCKET_CLOSE.UNAUTHENTICATED);
  }, 15_000);

  test("the session cookie works from no origin or the site's, never from a foreign page", async () => {
    const foreign = await rawHandshake(base, { cookie: alice.cookie, origin: "https://evil.example" });
    expect([foreign.status, foreign.body?.error.code]).toEqual([403, "CSRF"]);
    const s = await connect({ cookie: alice.cookie });
    const placed = await s.request({ type: "place", order: limit({ clientOrderId: "cookie-1" }) });
    expect([placed.type, placed.op, placed.result.order.status]).toEqual(["ack", "place", "OPEN"]);
  });
});

describe("orders over the socket take the HTTP routes' path", () => {
  let maker: Client;
  let taker: Client;
  let makerKey: { id: string; secret: string };

  beforeAll(async () => {
    maker = await signIn(h);
    taker = await signIn(h);
    makerKey = await createKey(maker, ["read", "trade"]);
    await h.settle();
  });

  test("a read-only key connects and subscribes but cannot place or cancel", async () => {
    const readOnly = await createKey(maker, ["read"]);
    const s = await connect(signedHandshake(readOnly));
    const sentBefore = h.sent.length;
    const placed = await s.request({ type: "place", order: limit() });
    expect([placed.type, placed.error.code]).toEqual(["error", "API_KEY_SCOPE"]);
    const cancelled = await s.request({ type: "cancel", orderId: "not-an-order" });
    expect(cancelled.error.code).toBe("API_KEY_SCOPE");
    const sub = await s.request({ type: "subscribe", channel: "book", marketId });
    expect([sub.type, sub.result.channel]).toEqual(["ack", "book"]);
    expect(h.sent.length).toBe(sentBefore);
  });

  test("place → ack, then the taker's trade → fill and book deltas, every message in seq order", async () => {
    const s = await connect(signedHandshake(makerKey));
    const orders = await s.request({ type: "subscribe", channel: "orders" });
    expect(orders.type).toBe("ack");
    const sub = await s.request({ type: "subscribe", channel: "book", marketId });
    const snapshot = await s.next((m) => m.type === "book", "book snapshot");
    expect(snapshot.data.seq).toBe(sub.result.bookSeq);

    const ack = await s.request({
      type: "place",
      order: limit({ pricePaise: 600, quantity: 2, clientOrderId: "mk-1" }),
    });
    expect([ack.type, ack.op, ack.result.order.status, ack.result.duplicate]).toEqual([
      "ack",
      "place",
      "OPEN",
      false,
    ]);
    const orderId = ack.result.order.id as string;
    const rested = await s.next(
      (m) =>
        m.type === "book_delta" && m.data.outcome === "YES" && m.data.pricePaise === 600 && m.data.qty === 2,
      "the resting bid's delta",
    );
    await s.next(
      (m) => m.type === "order" && m.data.event === "accepted" && m.data.orderId === orderId,
      "accepted",
    );

    // The taker crosses over HTTP: a NO bid at 400 mints against the YES bid at 600.
    const crossed = await taker.call("POST", "/api/v1/orders", {
      ...limit({ outcome: "NO", pricePaise: 400, quantity: 2 }),
    });
    expect(crossed.status).toBe(201);
    const fill = await s.next((m) => m.type === "fill" && m.data.orderId === orderId, "the maker's fill");
    expect(fill.data).toMatchObject({ role: "MAKER", qty: 2, pricePaise: 600, kind: "MINT", marketId });
    const gone = await s.next(
      (m) => m.type === "book_delta" && m.data.pricePaise === 600 && m.data.qty === 0,
      "the level's removal",
    );
    expect(gone.data.seq).toBeGreaterThan(rested.data.seq);
    expect(gone.seq).toBeGreaterThan(rested.seq);
    await s.next(
      (m) => m.type === "order" && m.data.event === "closed" && m.data.orderId === orderId,
      "the order's close",
    );
    expectSeqs(s);
    // Book deltas follow the snapshot's book seq without a gap.
    const deltas = s.messages.filter((m) => m.type === "book_delta").map((m) => m.data.seq as number);
    expect(deltas).toEqual(deltas.map((_, i) => snapshot.data.seq + 1 + i));
  });

  test("cancel and cancel_all answer as DELETE /orders/:id and DELETE /orders do", async () => {
    const s = await connect(signedHandshake(makerKey));
    const a = await s.request({ type: "place", order: limit({ pricePaise: 50 }) });
    const b = await s.request({ type: "place", order: limit({ pricePaise: 50 }) });
    const c = await s.request({ type: "place", order: limit({ pricePaise: 50 }) });
    const cancelled = await s.request({ type: "cancel", orderId: a.result.order.id });
    expect([cancelled.type, cancelled.op, cancelled.result.order.status]).toEqual([
      "ack",
      "cancel",
      "CANCELLED",
    ]);
    const again = await s.request({ type: "cancel", orderId: a.result.order.id });
    expect([again.type, again.error.code]).toEqual(["error", "UNKNOWN_ORDER"]);
    const all = await s.request({ type: "cancel_all", marketId });
    expect([all.type, all.op, [...all.result.cancelled].sort()]).toEqual([
      "ack",
      "cancel_all",
      [b.result.order.id, c.result.order.id].sort(),
    ]);
    const open = await maker.call("GET", `/api/v1/orders?status=open&marketId=${marketId}`);
    expect(((await open.json()) as Json).orders).toEqual([]);
    expectSeqs(s);
  });

  test("the socket's heartbeat arms the dead-man switch: its orders are cancelled after the timeout, not before", async () => {
    const quoter = await signIn(h);
    await h.settle();
    const s = await connect(signedHandshake(await createKey(quoter, ["read", "trade"])));
    const quote = await s.request({ type: "place", order: limit({ pricePaise: 50 }) });
    expect(quote.result.order.status).toBe("OPEN");
    const tooShort = await s.request({ type: "heartbeat", timeoutMs: 1_000 });
    expect([tooShort.type, tooShort.error.code]).toEqual(["error", "VALIDATION_ERROR"]);
    const armed = await s.request({ type: "heartbeat", timeoutMs: 5_000 });
    expect([armed.type, armed.op, armed.result.armed]).toEqual(["ack", "heartbeat", true]);
    const armedAt = Date.now();
    s.close(); // the program dies: no more heartbeats
    const openOrders = async () =>
      ((await (await quoter.call("GET", "/api/v1/orders?status=open")).json()) as Json).orders as Json[];
    await Bun.sleep(3_000);
    expect((await openOrders()).map((o) => o.id)).toEqual([quote.result.order.id]);
    while ((await openOrders()).length > 0 && Date.now() - armedAt < 12_000) await Bun.sleep(200);
    expect(await openOrders()).toEqual([]);
    expect(Date.now() - armedAt).toBeGreaterThanOrEqual(5_000);
  }, 20_000);

  test("a repeated clientOrderId is the same order (duplicate), as over HTTP", async () => {
    const s = await connect(signedHandshake(makerKey));
    const first = await s.request({
      type: "place",
      order: limit({ pricePaise: 50, clientOrderId: "idem-1" }),
    });
    const second = await s.request({
      type: "place",
      order: limit({ pricePaise: 50, clientOrderId: "idem-1" }),
    });
    expect(second.result.order.id).toBe(first.result.order.id);
    expect([first.result.duplicate, second.result.duplicate]).toEqual([false, true]);
    await s.request({ type: "cancel", orderId: first.result.order.id });
  });

  test("amend answers as PATCH /orders/:id does, and the orders channel says amended", async () => {
    const trader = await signIn(h);
    await h.settle();
    const s = await connect(signedHandshake(await createKey(trader, ["read", "trade"])));
    await s.request({ type: "subscribe", channel: "orders" });
    const placed = await s.request({ type: "place", order: limit({ pricePaise: 100, quantity: 3 }) });
    const orderId = placed.result.order.id as string;
    const down = await s.request({ type: "amend", orderId, amend: { quantity: 2, clientAmendId: "a-1" } });
    expect([down.type, down.op, down.result.order.remainingQty, down.result.duplicate]).toEqual([
      "ack",
      "amend",
      2,
      false,
    ]);
    const kept = await s.next(
      (m) => m.type === "order" && m.data.event === "amended" && m.data.orderId === orderId,
      "amended (priority kept)",
    );
    expect(kept.data).toMatchObject({
      pricePaise: 100,
      remainingQty: 2,
      priorityKept: true,
      clientAmendId: "a-1",
    });
    const moved = await s.request({ type: "amend", orderId, amend: { pricePaise: 150 } });
    expect(moved.result.order).toMatchObject({ pricePaise: 150, remainingQty: 2 });
    await s.next(
      (m) => m.type === "order" && m.data.event === "amended" && m.data.priorityKept === false,
      "amended (priority lost)",
    );
    const bad = await s.request({ type: "amend", orderId, amend: { quantity: 0 } });
    expect([bad.type, bad.error.code]).toEqual(["error", "VALIDATION_ERROR"]);
    await s.request({ type: "cancel", orderId });
    expectSeqs(s);
  });

  test("the write bucket of the key limits socket orders as it limits HTTP ones", async () => {
    const flooder = await signIn(h);
    await h.settle();
    const key = await createKey(flooder, ["read", "trade"]);
    const s = await connect(signedHandshake(key));
    const answers: Json[] = [];
    for (let i = 0; i < 12; i++)
      answers.push(await s.request({ type: "place", order: limit({ pricePaise: 50 }) }));
    const limited = answers.filter((a) => a.type === "error");
    // The key's bucket: half of a 20-create user burst = 10 creates.
    expect(answers.filter((a) => a.type === "ack").length).toBe(10);
    expect(limited.map((a) => a.error.code)).toEqual(["RATE_LIMITED", "RATE_LIMITED"]);
    expect(limited[0]?.error.retryAfterSec).toBeGreaterThan(0);
  });
});

describe("bad messages are answered with a code; nothing changes and the connection stays", () => {
  test("not JSON, unknown type, a bad order, an oversized message", async () => {
    const alice = await signIn(h);
    await h.settle();
    const s = await connect(signedHandshake(await createKey(alice, ["read", "trade"])));
    const sentBefore = h.sent.length;
    s.send("{not json");
    const notJson = await s.next((m) => m.type === "error" && m.id === null, "the error for bad JSON");
    expect(notJson.error.code).toBe("VALIDATION_ERROR");
    const unknown = await s.request({ type: "transfer", amount: 5 });
    expect([unknown.type, unknown.error.code]).toEqual(["error", "VALIDATION_ERROR"]);
    const badOrder = await s.request({ type: "place", order: limit({ pricePaise: 2_000 }) });
    expect([badOrder.type, badOrder.error.code]).toEqual(["error", "VALIDATION_ERROR"]);
    const noMarket = await s.request({ type: "place", order: limit({ marketId: "no-such-market" }) });
    expect(noMarket.error.code).toBe("MARKET_NOT_FOUND");
    const noBook = await s.request({ type: "subscribe", channel: "book", marketId: "no-such-market" });
    expect(noBook.error.code).toBe("MARKET_NOT_FOUND");
    s.send(JSON.stringify({ type: "ping", id: "big", pad: "x".repeat(70_000) }));
    const big = await s.next((m) => m.type === "error" && m.error.message.includes("bytes"), "oversized");
    expect(big.error.code).toBe("VALIDATION_ERROR");
    expect((await s.request({ type: "ping" })).type).toBe("pong");
    expect(h.sent.length).toBe(sentBefore);
    const open = await alice.call("GET", "/api/v1/orders?status=open");
    expect(((await open.json()) as Json).orders).toEqual([]);
    expectSeqs(s);
  });
});

describe("a book subscription joins the snapshot and the live deltas: nothing missed, nothing twice", () => {
  // The snapshot read is held until an order has rested: read before the hold (a snapshot older than
  // the delta, which must follow it) or after (a snapshot with the order, whose delta must not).
  for (const read of ["before", "after"] as const) {
    test(`the delta lands while the snapshot is read (state read ${read} the delta)`, async () => {
      const real = createInProcessEngineReader(h.service);
      let release: () => void = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      let reading: () => void = () => {};
      const started = new Promise<void>((r) => {
        reading = r;
      });
      const slow: EngineReader = {
        ...real,
        async book(id, depth) {
          reading();
          if (read === "before") {
            const view = await real.book(id, depth);
            await held;
            return view;
          }
          await held;
          return real.book(id, depth);
        },
      };
      const api = h.rebuild({ reader: slow });
      const srv = Bun.serve({
        port: 0,
        hostname: "127.0.0.1",
        fetch: (req, server) => api.fetch(req, server),
        websocket: api.tradingSocket.websocket,
      });
      try {
        const watcher = await signIn(h);
        const trader = await signIn(h);
        await h.settle();
        const s = await openSocket(
          `http://127.0.0.1:${srv.port}`,
          signedHandshake(await createKey(watcher, ["read"])),
        );
        sockets.push(s);
        const price = read === "before" ? 300 : 350;
        s.send({ type: "subscribe", id: "sub", channel: "book", marketId });
        await started;
        const placed = await trader.call("POST", "/api/v1/orders", limit({ pricePaise: price, quantity: 3 }));
        expect(placed.status).toBe(201);
        await Bun.sleep(100); // the delta is published and buffered by the subscription
        release();
        const ack = await s.next((m) => m.id === "sub", "the subscribe ack");
        expect(ack.type).toBe("ack");
        const book = await s.next((m) => m.type === "book", "the snapshot");
        const inSnapshot = book.data.yes.some((l: Json) => l.pricePaise === price && l.qty === 3);
        if (read === "before") {
          const delta = await s.next(
            (m) => m.type === "book_delta" && m.data.pricePaise === price,
            "the delta",
          );
          expect([inSnapshot, delta.data.seq, delta.data.qty]).toEqual([false, book.data.seq + 1, 3]);
        } else {
          await Bun.sleep(100);
          expect(inSnapshot).toBe(true);
          expect(s.messages.filter((m) => m.type === "book_delta")).toEqual([]);
        }
        await trader.call("DELETE", `/api/v1/orders/${((await placed.json()) as Json).order.id}`);
        const deltas = s.messages.filter((m) => m.type === "book_delta").map((m) => m.data.seq as number);
        expect(deltas).toEqual(deltas.map((_, i) => book.data.seq + 1 + i));
        expectSeqs(s);
        s.close();
      } finally {
        await api.tradingSocket.close();
        srv.stop(true);
      }
    });
  }
});
