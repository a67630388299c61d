/**
 * The trading socket (GET /api/v1/ws) on the real platform, over real sockets: the embedded server
 * (one Bun.serve carrying the API, Socket.IO and the trading socket on one port) and the distributed
 * deployment (api and engine processes on a private Redis, a Kafka topic and Postgres). In both:
 * a signed handshake, place → ack + fill + book deltas in seq order, cancel, a refused handshake
 * and a bad message answered with a code. Embedded also checks Socket.IO still shares the port.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Json, openSocket, rawHandshake, signedHandshake } from "@ox/api/socket-testing";
import { connect } from "socket.io-client";
import { type Cluster, startCluster } from "./crash-cluster.ts";
import { loginUser } from "./crash-load.ts";
import { eventually } from "./e2e-scenario.ts";
import { type EmbeddedPlatform, startEmbeddedPlatform } from "./embedded-kit.ts";

/** The scenario both deployments run; returns the market for further checks. */
async function tradeOverSocket(base: string, phones: { admin: string; maker: string; taker: string }) {
  const admin = await loginUser(() => base, phones.admin);
  const created = await admin.call("POST", "/admin/markets", {
    title: "Will the trading socket carry a fill?",
    category: "test",
    closeAt: Date.now() + 86_400_000,
  });
  expect(created.status).toBe(201);
  const marketId = created.json.market.id as string;
  await eventually("market in the engine", async () =>
    expect((await admin.call("GET", `/markets/${marketId}/orderbook`)).status).toBe(200),
  );
  const maker = await loginUser(() => base, phones.maker);
  const taker = await loginUser(() => base, phones.taker);
  for (const u of [maker, taker])
    await eventually("the signup bonus in the engine", async () =>
      expect((await u.call("GET", "/portfolio")).json.balance.availablePaise).toBe(1_500),
    );
  const made = await maker.call("POST", "/keys", { name: "socket", scopes: ["read", "trade"] });
  expect(made.status).toBe(201);
  const key = { id: made.json.key.id as string, secret: made.json.secret as string };

  const stale = await rawHandshake(base, signedHandshake(key, Date.now() - 60_000));
  expect([stale.status, stale.body?.error.code]).toEqual([401, "SIGNATURE_EXPIRED"]);

  const s = await openSocket(base, signedHandshake(key));
  try {
    expect((await s.request({ type: "subscribe", channel: "orders" })).type).toBe("ack");
    const sub = await s.request({ type: "subscribe", channel: "book", marketId });
    expect(sub.type).toBe("ack");
    const book = await s.next((m) => m.type === "book", "the book snapshot");
    const order = { marketId, outcome: "YES", side: "BUY", type: "LIMIT", pricePaise: 550, quantity: 2 };
    const ack = await s.request({ type: "place", order: { ...order, clientOrderId: "sock-1" } });
    expect([ack.type, ack.op, ack.result.order.status]).toEqual(["ack", "place", "OPEN"]);
    const orderId = ack.result.order.id as string;
    await s.next((m) => m.type === "book_delta" && m.data.pricePaise === 550 && m.data.qty === 2, "rested");

    const crossed = await taker.call("POST", "/orders", { ...order, outcome: "NO", pricePaise: 450 });
    expect(crossed.status).toBe(201);
    const fill = await s.next((m) => m.type === "fill" && m.data.orderId === orderId, "the maker's fill");
    expect(fill.data).toMatchObject({ role: "MAKER", qty: 2, pricePaise: 550, kind: "MINT" });
    await s.next((m) => m.type === "book_delta" && m.data.pricePaise === 550 && m.data.qty === 0, "taken");

    const resting = await s.request({ type: "place", order: { ...order, pricePaise: 50, quantity: 1 } });
    const cancelled = await s.request({ type: "cancel", orderId: resting.result.order.id });
    expect([cancelled.op, cancelled.result.order.status]).toEqual(["cancel", "CANCELLED"]);
    await s.next((m) => m.type === "book_delta" && m.data.pricePaise === 50 && m.data.qty === 0, "cancelled");

    const bad = await s.request({ type: "place", order: { ...order, quantity: 0 } });
    expect([bad.type, bad.error.code]).toEqual(["error", "VALIDATION_ERROR"]);
    expect((await s.request({ type: "ping" })).type).toBe("pong");

    expect(s.messages.map((m) => m.seq)).toEqual(s.messages.map((_, i) => i + 1));
    const deltas = s.messages.filter((m) => m.type === "book_delta").map((m) => m.data.seq as number);
    expect(deltas).toEqual(deltas.map((_, i) => book.data.seq + 1 + i));
  } finally {
    s.close();
  }
  return { marketId, maker };
}

describe("embedded: one Bun.serve carries the API, Socket.IO and the trading socket", () => {
  let kit: EmbeddedPlatform | undefined;
  afterAll(async () => {
    await kit?.stop();
  });

  test("trade over the socket; Socket.IO on the same port still streams the book", async () => {
    kit = await startEmbeddedPlatform("ox-trading-socket-", "+919200000401");
    const { marketId, maker } = await tradeOverSocket(kit.baseUrl, {
      admin: "+919200000401",
      maker: "+919200000402",
      taker: "+919200000403",
    });
    const io = connect(kit.baseUrl, { transports: ["websocket"], reconnection: false });
    try {
      const book = await new Promise<Json>((resolve, reject) => {
        io.once("connect_error", reject);
        io.once("book", resolve);
        io.once("connect", () => io.emit("subscribe", { marketId }));
      });
      expect(book.marketId).toBe(marketId);
    } finally {
      io.disconnect();
    }
    // A socket left open does not hold the shutdown (Bun's stop() waits for WebSockets): 1001.
    const made = await maker.call("POST", "/keys", { name: "left-open", scopes: ["read"] });
    const left = await openSocket(
      kit.baseUrl,
      signedHandshake({ id: made.json.key.id, secret: made.json.secret }),
    );
    const stopping = kit.stop();
    kit = undefined;
    expect(await Promise.race([stopping.then(() => "stopped"), Bun.sleep(20_000).then(() => "hung")])).toBe(
      "stopped",
    );
    expect((await left.closed).code).toBe(1001);
  }, 120_000);
});

describe("distributed: the API process serves the trading socket", () => {
  const runId = `ws${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), "ox-ws-dist-"));
  let cluster: Cluster | undefined;
  afterAll(async () => {
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("trade over the socket through Redis, Kafka and Postgres", async () => {
    cluster = await startCluster({
      dir,
      runId,
      jwtSecret: "ws-test-secret-ws-test-secret-0123456789",
      adminPhone: "+919200000411",
    });
    await cluster.add("engine");
    const api = await cluster.add("api");
    const { maker } = await tradeOverSocket(api.baseUrl as string, {
      admin: "+919200000411",
      maker: "+919200000412",
      taker: "+919200000413",
    });
    // SIGTERM with a socket open: the api closes it (1001) and exits 0 instead of waiting on it.
    const made = await maker.call("POST", "/keys", { name: "left-open", scopes: ["read"] });
    const left = await openSocket(
      api.baseUrl as string,
      signedHandshake({ id: made.json.key.id, secret: made.json.secret }),
    );
    const exit = await Promise.race([api.stop(), Bun.sleep(20_000).then(() => "hung")]);
    expect(exit).toBe(0);
    expect((await left.closed).code).toBe(1001);
  }, 180_000);
});
