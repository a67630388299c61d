import { afterAll, expect, test } from "bun:test";
import Redis from "ioredis";
import pino from "pino";
import { createAdapters } from "./adapters.ts";
import { pubSubContract } from "./pubsub.contract.ts";
import { createRedisPubSub } from "./redis-pubsub.ts";
import { eventually, REDIS_URL, sleep, uniqueName } from "./test-util.ts";

// Two deployments on one Redis server (REDIS_NAMESPACE): the same logical channel, disjoint traffic.

pubSubContract("redis, namespaced", async () => {
  const prefix = `${uniqueName("ns")}:`;
  return { connect: () => createRedisPubSub(REDIS_URL, { prefix }), cleanup: async () => {} };
});

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

test("the same logical channel in two namespaces carries two separate streams of messages", async () => {
  const a = createRedisPubSub<{ n: number }>(REDIS_URL, { prefix: `${uniqueName("a")}:` });
  const b = createRedisPubSub<{ n: number }>(REDIS_URL, { prefix: `${uniqueName("b")}:` });
  const plain = createRedisPubSub<{ n: number }>(REDIS_URL);
  closers.push(
    () => a.close(),
    () => b.close(),
    () => plain.close(),
  );
  const seen = { a: [] as number[], b: [] as number[], plain: [] as number[] };
  await a.subscribe("ox:events", (m) => seen.a.push(m.n));
  await b.subscribe("ox:events", (m) => seen.b.push(m.n));
  await plain.subscribe("ox:events", (m) => seen.plain.push(m.n));
  await a.publish("ox:events", { n: 1 });
  await b.publish("ox:events", { n: 2 });
  await eventually(() => seen.a.length === 1 && seen.b.length === 1, "each namespace's own message");
  await sleep(100); // a leak would arrive by now
  expect(seen).toEqual({ a: [1], b: [2], plain: [] });
});

test("on Redis the channel is the namespace then the logical name", async () => {
  const prefix = `${uniqueName("raw")}:`;
  const ps = createRedisPubSub<{ n: number }>(REDIS_URL, { prefix });
  const raw = new Redis(REDIS_URL);
  closers.push(
    () => ps.close(),
    () => raw.quit(),
  );
  const got: [string, string][] = [];
  raw.on("message", (channel: string, text: string) => got.push([channel, text]));
  await raw.subscribe(`${prefix}ox:sessions`);
  await ps.publish("ox:sessions", { n: 7 });
  await eventually(() => got.length === 1, "the raw subscriber");
  expect(got[0]).toEqual([`${prefix}ox:sessions`, JSON.stringify({ n: 7 })]);
});

test("the adapters put REDIS_NAMESPACE on the KV's keys and the pub/sub's channels", async () => {
  const ns = `${uniqueName("dep")}:`;
  const adapters = createAdapters(
    { DATA_DIR: "/tmp", REDIS_URL, REDIS_NAMESPACE: ns },
    { instanceId: "t", logger: pino({ level: "silent" }) },
  );
  const pubsub = adapters.pubsub();
  const raw = new Redis(REDIS_URL);
  closers.push(
    () => pubsub.close(),
    () => adapters.kv.close(),
    () => raw.quit(),
  );
  await adapters.kv.set("sess:x", "1", 10_000);
  expect(await raw.get(`${ns}sess:x`)).toBe("1");
  expect(await raw.get("sess:x")).toBeNull();
  const got: string[] = [];
  raw.on("message", (channel: string) => got.push(channel));
  await raw.subscribe(`${ns}ox:events`);
  await pubsub.publish("ox:events", { n: 1 });
  await eventually(() => got.length === 1, "the namespaced channel");
  expect(got).toEqual([`${ns}ox:events`]);
});
