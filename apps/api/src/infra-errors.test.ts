/**
 * Infrastructure faults on the request path (issue 16): a Redis that is down or stalled answers
 * 503 with Retry-After and a code, never 500, and never leaves a rejection unhandled (the API
 * process would exit on one). Real ioredis clients against a port nobody listens on, and a queue
 * whose XADD never returns (a stalled Redis), stand in for the faults.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createServer } from "node:net";
import { createRedisKv, createRedisPubSub, InfraTimeoutError, type Kv } from "@ox/bus";
import type { SingleCommandEnvelope } from "@ox/contracts";
import { createQueueEngineGateway, createRemoteEngineReader } from "@ox/engine-client";
import { createHarness, type QueueHarness, REDIS_URL, signIn } from "./test-harness.ts";

const deadPort = () =>
  new Promise<number>((done) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });

let unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);
let h: QueueHarness;
let live: Kv;
let dead: Kv;
let current: Kv;
beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  live = createRedisKv({ url: REDIS_URL, prefix: `infra-test:${Date.now()}:` });
  dead = createRedisKv({ url: `redis://127.0.0.1:${await deadPort()}` });
  current = live;
  const kv: Kv = {
    get: (k) => current.get(k),
    set: (k, v, t) => current.set(k, v, t),
    setIfAbsent: (k, v, t) => current.setIfAbsent(k, v, t),
    del: (k) => current.del(k),
    incr: (k, t, by) => current.incr(k, t, by),
    close: async () => {},
  };
  h = await createHarness({ kv });
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await h.close();
  await live.close();
  await dead.close().catch(() => {});
});

test("Redis down under the session lookup: 503 SERVICE_UNAVAILABLE with Retry-After, not 500", async () => {
  const alice = await signIn(h);
  expect((await alice.call("GET", "/api/v1/wallet/transactions")).status).toBe(200);
  current = dead;
  try {
    const res = await alice.call("GET", "/api/v1/wallet/transactions");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("SERVICE_UNAVAILABLE");
  } finally {
    current = live;
  }
  expect((await alice.call("GET", "/api/v1/wallet/transactions")).status).toBe(200);
  expect(unhandled).toEqual([]);
}, 30_000);

test("a stalled command queue: execute rejects with InfraTimeoutError in time, nothing left unhandled", async () => {
  unhandled = [];
  const stalled = {
    send: () => new Promise<string>(() => {}), // XADD never answered
    receive: async () => [],
    ack: async () => {},
    depth: async () => 0,
    close: async () => {},
  };
  const gateway = createQueueEngineGateway({
    queue: stalled,
    replies: createRedisPubSub(REDIS_URL),
    instanceId: `stall-${Date.now()}`,
    timeoutMs: 150,
  });
  const started = Date.now();
  await expect(
    gateway.execute({ type: "CREATE_USER", userId: "nobody", ts: 1 } as SingleCommandEnvelope["command"]),
  ).rejects.toBeInstanceOf(InfraTimeoutError);
  expect(Date.now() - started).toBeLessThan(2_000);
  await Bun.sleep(300); // past the reply timer: it was cleared, not left to reject
  expect(unhandled).toEqual([]);
  await gateway.close();
});

test("a stalled or dead Redis under engine reads: EngineUnavailableError, nothing left unhandled", async () => {
  unhandled = [];
  const pubsub = {
    publish: () => new Promise<void>(() => {}), // PUBLISH never answered
    subscribe: async () => async () => {},
    close: async () => {},
  };
  const reader = createRemoteEngineReader({ pubsub, instanceId: `stall-${Date.now()}`, timeoutMs: 150 });
  await expect(reader.stats()).rejects.toHaveProperty("name", "EngineUnavailableError");
  const failing = {
    publish: async () => {},
    subscribe: () => Promise.reject(new Error("Connection is closed.")),
    close: async () => {},
  };
  const cut = createRemoteEngineReader({ pubsub: failing, instanceId: `dead-${Date.now()}`, timeoutMs: 150 });
  await expect(cut.stats()).rejects.toHaveProperty("name", "EngineUnavailableError");
  await Bun.sleep(300);
  expect(unhandled).toEqual([]);
  await reader.close();
  await cut.close();
});
