import { describe, expect, test } from "bun:test";
import { kvContract, pubSubContract, queueContract } from "@ox/bus/testing";
import { createMemoryKv } from "./memory-kv.ts";
import { createMemoryPubSub, createMemoryPubSubHub } from "./memory-pubsub.ts";
import { createMemoryQueue, createMemoryStream } from "./memory-queue.ts";
import { eventually } from "./test-util.ts";

kvContract("memory", async () => {
  const kv = createMemoryKv();
  return { kv, cleanup: () => kv.close() };
});

pubSubContract("memory", async () => {
  const hub = createMemoryPubSubHub();
  return { connect: () => createMemoryPubSub({ hub }), cleanup: async () => {} };
});

queueContract("memory", async () => {
  const stream = createMemoryStream();
  return {
    open: async (consumer, options) => createMemoryQueue({ stream, consumer, ...options }),
    cleanup: async () => {},
  };
});

describe("memory pub/sub: a channel's only subscriber shares the published object", () => {
  test("one subscriber gets the object itself, frozen under test; two get copies", async () => {
    const hub = createMemoryPubSubHub();
    const pub = createMemoryPubSub<{ n: number; list: number[] }>({ hub });
    const got: Array<{ n: number; list: number[] }> = [];
    await createMemoryPubSub<{ n: number; list: number[] }>({ hub }).subscribe("one", (m) => got.push(m));
    const message = { n: 1, list: [1, 2] };
    await pub.publish("one", message);
    await eventually(() => got.length === 1, "the shared message");
    expect(got[0]).toBe(message);
    // bun test runs with NODE_ENV=test: a write by either side throws instead of reaching the other.
    expect(() => got[0]?.list.push(3)).toThrow();
    expect(message.list).toEqual([1, 2]);

    await createMemoryPubSub<{ n: number; list: number[] }>({ hub }).subscribe("one", (m) => got.push(m));
    const second = { n: 2, list: [] };
    await pub.publish("one", second);
    await eventually(() => got.length === 3, "two copies");
    expect(got[1]).toEqual(second);
    expect(got[1]).not.toBe(second);
    expect(got[2]).not.toBe(got[1]);
    expect(Object.isFrozen(second)).toBe(false);
  });

  test("a subscriber or publisher with its own codec always goes through it", async () => {
    const hub = createMemoryPubSubHub();
    type M = { n: number; decoded?: boolean };
    const codec = {
      encode: (v: M) => JSON.stringify(v),
      decode: (t: string) => ({ ...(JSON.parse(t) as M), decoded: true }),
    };
    const got: M[] = [];
    const off = await createMemoryPubSub({ hub, codec }).subscribe("c", (m) => got.push(m));
    await createMemoryPubSub<M>({ hub }).publish("c", { n: 1 });
    await eventually(() => got.length === 1, "decoded by the subscriber's codec");
    await off();
    await createMemoryPubSub<M>({ hub }).subscribe("c", (m) => got.push(m));
    const sent = { n: 2 };
    await createMemoryPubSub({ hub, codec }).publish("c", sent);
    await eventually(() => got.length === 2, "encoded by the publisher's codec");
    expect(got).toEqual([{ n: 1, decoded: true }, { n: 2 }]);
    expect(got[1]).not.toBe(sent);
  });
});

describe("memory queue: default codecs hand the sent object over", () => {
  test("the consumer gets the object itself, frozen under test, on redelivery too; a codec copies", async () => {
    const stream = createMemoryStream();
    type Cmd = { n: number; items: number[] };
    const producer = createMemoryQueue<Cmd>({ stream, consumer: "p" });
    const sent = { n: 1, items: [1] };
    await producer.send(sent);
    const first = createMemoryQueue<Cmd>({ stream, consumer: "c" });
    const [d] = await first.receive(10, 0);
    expect(d?.body).toBe(sent);
    expect(() => d?.body.items.push(2)).toThrow();
    await first.close();
    const again = await createMemoryQueue<Cmd>({ stream, consumer: "c" }).receive(10, 0);
    expect(again.map((x) => [x.body, x.deliveries])).toEqual([[sent, 2]]);
    expect(again[0]?.body).toBe(sent);

    const codec = { encode: (v: Cmd) => JSON.stringify(v), decode: (t: string) => JSON.parse(t) as Cmd };
    const other = createMemoryStream();
    const copy = { n: 2, items: [] };
    await createMemoryQueue<Cmd>({ stream: other, consumer: "p" }).send(copy);
    const [viaCodec] = await createMemoryQueue({ stream: other, consumer: "c", codec }).receive(10, 0);
    expect(viaCodec?.body).toEqual(copy);
    expect(viaCodec?.body).not.toBe(copy);
  });
});
