import { afterAll, expect, test } from "bun:test";
import { createRedisPubSub } from "@ox/bus";
import { createAdapter } from "@socket.io/redis-adapter";
import Redis from "ioredis";
import { createStreamServer, type StreamServer } from "./server.ts";
import {
  client,
  createDriver,
  engineReaderOf,
  quiet,
  type Recorder,
  replayBook,
  setupMarket,
  subscribe,
  until,
} from "./test-kit.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const channel = `ox:events:test-${run}`;
const closers: Array<() => unknown> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function streamOnRedis(engineReader: ReturnType<typeof engineReaderOf>): Promise<StreamServer> {
  const pub = new Redis(REDIS_URL);
  const sub = pub.duplicate();
  const pubsub = createRedisPubSub<unknown>(REDIS_URL);
  const server = await createStreamServer({
    port: 0,
    pubsub,
    eventsChannel: channel,
    engineReader,
    redisAdapter: createAdapter(pub, sub, { key: `socket.io-${run}` }),
    logger: quiet,
  });
  closers.push(async () => {
    await server.close();
    await pubsub.close();
    pub.disconnect();
    sub.disconnect();
  });
  return server;
}

test("two stream processes on one Redis: a client on each gets the same deltas", async () => {
  const enginePubsub = createRedisPubSub<unknown>(REDIS_URL);
  closers.push(() => enginePubsub.close());
  const driver = createDriver(enginePubsub, { channel });
  const a = await streamOnRedis(engineReaderOf(driver.engine));
  const b = await streamOnRedis(engineReaderOf(driver.engine));
  expect(a.port).not.toBe(b.port);
  await setupMarket(driver.run, "m1", ["u1", "u2"]);

  const clients: Recorder[] = [];
  for (const server of [a, b, a, b]) {
    const c = await client(server.port);
    closers.push(() => c.socket.disconnect());
    expect((await subscribe(c, "m1")).ok).toBe(true);
    clients.push(c);
  }
  for (let n = 0; n < 40; n++) {
    const userId = n % 2 ? "u1" : "u2";
    const outcome = n % 3 ? "YES" : "NO";
    await driver.run({
      type: "PLACE_ORDER",
      orderId: `o${n}`,
      userId,
      marketId: "m1",
      outcome,
      side: "BUY",
      orderType: "LIMIT",
      pricePaise: 50 * (2 + (n % 17)),
      qty: 1 + (n % 4),
    });
  }
  const last = driver.engine.book("m1")?.bookSeq;
  expect(last).toBeNumber();
  for (const c of clients) await until(() => c.of("book:delta").at(-1)?.seq === last, "all deltas");
  const deltas = clients.map((c) => c.of("book:delta"));
  const [firstDeltas] = deltas;
  expect(firstDeltas?.length).toBeGreaterThan(20);
  for (const d of deltas) expect(d).toEqual(firstDeltas);
  for (const c of clients) expect(replayBook(c, "m1").seq).toBe(last);

  // The adapter joins the processes: each one counts the other's sockets.
  expect(await a.stats()).toMatchObject({ localSockets: 2, clusterSockets: 4 });
  expect(await b.stats()).toMatchObject({ localSockets: 2, clusterSockets: 4 });
});
