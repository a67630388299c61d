import { afterEach, describe, expect, test } from "bun:test";
import { createMemoryPubSub, createMemoryPubSubHub } from "@ox/bus";
import { createJwtVerifier } from "./auth.ts";
import { createStreamServer } from "./server.ts";
import {
  client,
  createDriver,
  engineReaderOf,
  quiet,
  type Recorder,
  replayBook,
  SECRET,
  setupMarket,
  subscribe,
  token,
  until,
} from "./test-kit.ts";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

type Mode = { publishDelayMs?: number; lagBooks?: number; readerDelayMs?: number };

async function setup(mode: Mode = {}) {
  const hub = createMemoryPubSubHub();
  const pubsub = createMemoryPubSub<unknown>({ hub });
  const driver = createDriver(pubsub, { publishDelayMs: mode.publishDelayMs });
  const lag =
    mode.lagBooks === undefined
      ? undefined
      : { history: driver.history, lagBooks: mode.lagBooks, delayMs: mode.readerDelayMs ?? 0 };
  const server = await createStreamServer({
    port: 0,
    pubsub: createMemoryPubSub<unknown>({ hub }),
    engineReader: engineReaderOf(driver.engine, lag),
    verifyToken: createJwtVerifier({ secret: SECRET }),
    logger: quiet,
    tickerIntervalMs: 10,
  });
  open.push(server);
  const connect = async (cookie?: string) => {
    const c = await client(server.port, cookie);
    open.push({ close: () => c.socket.disconnect() });
    return c;
  };
  return { driver, server, connect };
}

const order = (
  userId: string,
  n: number,
  outcome: "YES" | "NO",
  side: "BUY" | "SELL",
  pricePaise: number,
  qty: number,
) => ({
  type: "PLACE_ORDER" as const,
  orderId: `o-${userId}-${n}`,
  userId,
  marketId: "m1",
  outcome,
  side,
  orderType: "LIMIT" as const,
  pricePaise,
  qty,
});

describe("stream: market room", () => {
  const modes: Array<[string, Mode]> = [
    ["reader in step", {}],
    ["reader ahead of the events channel", { publishDelayMs: 1 }],
    ["reader lagging behind the events channel", { lagBooks: 4, readerDelayMs: 2 }],
    ["slow reader", { lagBooks: 0, readerDelayMs: 3 }],
  ];
  test.each(modes)("snapshot then consecutive deltas while the book moves: %s", async (_name, mode) => {
    const { driver, connect } = await setup(mode);
    await setupMarket(driver.run, "m1", ["u1", "u2", "u3"]);
    let n = 0;
    let stop = false;
    const trading = (async () => {
      while (!stop) {
        const u = `u${1 + (n % 3)}`;
        const price = 50 * (1 + ((n * 7) % 19));
        await driver.run(order(u, n, n % 2 ? "YES" : "NO", "BUY", price, 1 + (n % 5)));
        n++;
        if (n % 10 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const clients: Recorder[] = [];
    for (let i = 0; i < 8; i++) {
      const c = await connect();
      const ack = await subscribe(c, "m1");
      expect(ack.ok).toBe(true);
      clients.push(c);
      await new Promise((r) => setTimeout(r, 3));
    }
    stop = true;
    await trading;
    await driver.flushed();
    const final = driver.engine.book("m1");
    if (!final) throw new Error("no book m1");
    const expected = {
      seq: final.bookSeq,
      yes: final.yes.map((l) => ({ price: l.pricePaise, qty: l.qty })),
      no: final.no.map((l) => ({ price: l.pricePaise, qty: l.qty })),
    };
    expect(n).toBeGreaterThan(50);
    for (const c of clients) {
      await until(() => c.of("book:delta").at(-1)?.seq === final.bookSeq, "last delta");
      expect(replayBook(c, "m1")).toEqual(expected);
      expect(c.of("trade").length).toBeGreaterThan(0);
      expect(c.of("trade")[0]).not.toHaveProperty("makerUserId");
    }
    const [first] = clients;
    const m = driver.engine.market("m1");
    if (!first || !m) throw new Error("no client or no market m1");
    await until(() => first.of("ticker").at(-1)?.seq === final.bookSeq, "final ticker");
    expect(first.of("ticker").at(-1)).toMatchObject({
      volumeQty: m.volumeQty,
      lastYesPricePaise: m.lastYesPricePaise,
    });
  });

  test("unknown market and malformed subscribe are refused", async () => {
    const { connect } = await setup();
    const c = await connect();
    expect((await subscribe(c, "nope")).error).toMatchObject({ code: "MARKET_NOT_FOUND" });
    const bad = await c.socket.timeout(2_000).emitWithAck("subscribe", { marketId: 42 });
    expect(bad.error).toMatchObject({ code: "INVALID_MARKET" });
  });
});

describe("stream: user rooms", () => {
  test("a user gets only their own order, fill and balance events", async () => {
    const { driver, connect, server } = await setup();
    await setupMarket(driver.run, "m1", ["alice", "bob", "carol"]);
    const alice = await connect(`session=${await token("alice")}`);
    const bob = await connect(`session=${await token("bob")}`);
    const forged = await connect(`session=${await token("carol", "another-secret-another-secret-another")}`);
    const anon = await connect();
    // A client cannot name a room: these do nothing for user rooms.
    for (const c of [forged, anon]) {
      c.socket.emit("join", "user:alice");
      await subscribe(c, "user:alice");
    }
    await driver.run(order("alice", 1, "YES", "BUY", 600, 10));
    await driver.run(order("bob", 1, "NO", "BUY", 400, 4));
    await until(() => bob.of("balance").length >= 1 && alice.of("fill").length >= 1, "fills");
    expect(alice.of("fill")).toEqual([
      expect.objectContaining({ role: "MAKER", orderId: "o-alice-1", qty: 4, pricePaise: 600 }),
    ]);
    expect(bob.of("fill")).toEqual([
      expect.objectContaining({ role: "TAKER", orderId: "o-bob-1", qty: 4, pricePaise: 400 }),
    ]);
    expect(alice.of("order").map((o) => o.type)).toEqual(["ORDER_ACCEPTED", "ORDER_FILL"]);
    expect(bob.of("order").map((o) => o.type)).toEqual(["ORDER_ACCEPTED", "ORDER_FILL", "ORDER_CLOSED"]);
    const aliceAccount = driver.engine.account("alice");
    if (!aliceAccount) throw new Error("alice has no account");
    expect(alice.of("balance").at(-1)).toMatchObject({
      availablePaise: aliceAccount.availablePaise,
      lockedPaise: aliceAccount.lockedPaise,
    });
    for (const c of [alice, bob]) {
      const own = c === alice ? "alice" : "bob";
      for (const [name, p] of c.got) {
        if (["order", "balance", "position", "wallet"].includes(name) && "userId" in p)
          expect(p.userId).toBe(own);
        if (name === "fill") expect(p.orderId).toContain(own);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
    for (const c of [forged, anon]) {
      expect(
        c.got.filter(([name]) => ["order", "fill", "balance", "position", "wallet"].includes(name)),
      ).toEqual([]);
    }
    expect((await server.stats()).localSockets).toBe(4);
  });
});
