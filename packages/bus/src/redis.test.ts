import { describe, expect, test } from "bun:test";
import { eventually, pubSubContract, queueContract, REDIS_URL, uniqueName } from "@ox/bus/testing";
import Redis from "ioredis";
import { createRedisPubSub } from "./redis-pubsub.ts";
import { createRedisStreamQueue } from "./redis-stream-queue.ts";

pubSubContract("redis", async () => ({
  connect: () => createRedisPubSub(REDIS_URL),
  cleanup: async () => {},
}));

queueContract("redis streams", async () => {
  const stream = uniqueName("test-commands");
  return {
    open: async (consumer, options) =>
      createRedisStreamQueue({ url: REDIS_URL, stream, group: "engine", consumer, ...options }),
    cleanup: async () => {
      const redis = new Redis(REDIS_URL);
      await redis.del(stream);
      await redis.quit();
    },
  };
});

// As the single engine opens it (adapters.ts): acks folded into the next read.
queueContract("redis streams, acks folded into reads", async () => {
  const stream = uniqueName("test-commands");
  return {
    open: async (consumer, options) =>
      createRedisStreamQueue({
        url: REDIS_URL,
        stream,
        group: "engine",
        consumer,
        foldAcksIntoReads: true,
        ...options,
      }),
    cleanup: async () => {
      const redis = new Redis(REDIS_URL);
      await redis.del(stream);
      await redis.quit();
    },
  };
});

type TestQueue = ReturnType<typeof createRedisStreamQueue<{ n: number }>>;

/** A queue on a fresh stream, a plain client beside it; both closed and the stream deleted after. */
const onFreshStream = async (
  body: (q: TestQueue, redis: Redis, stream: string) => Promise<void>,
  options: { foldAcksIntoReads?: boolean } = {},
) => {
  const stream = uniqueName("test-commands");
  const redis = new Redis(REDIS_URL);
  const q = createRedisStreamQueue<{ n: number }>({
    url: REDIS_URL,
    stream,
    group: "engine",
    consumer: "c",
    ...options,
  });
  try {
    await body(q, redis, stream);
  } finally {
    await q.close(); // idempotent: a test may have closed it
    await redis.del(stream);
    await redis.quit();
  }
};

describe("redis stream queue: sends of one turn in one command", () => {
  test("each send gets its own entry, in send order, with the id it resolved with", () =>
    onFreshStream(async (q, redis, stream) => {
      const ids = await Promise.all([...Array(600).keys()].map((n) => q.send({ n })));
      const entries = (await redis.xrange(stream, "-", "+")) as [string, string[]][];
      expect(entries.map(([id]) => id)).toEqual(ids);
      expect(entries.map(([, fields]) => JSON.parse(fields[1] as string).n)).toEqual([...Array(600).keys()]);
      expect(new Set(ids).size).toBe(600);
    }));

  test("a refused XADD rejects every send it carried, and later sends still go", () =>
    onFreshStream(async (q, redis, stream) => {
      await q.depth(); // the group exists
      await redis.del(stream);
      await redis.set(stream, "not a stream"); // every XADD now answers WRONGTYPE
      const results = await Promise.allSettled([1, 2, 3].map((n) => q.send({ n })));
      for (const r of results) {
        expect(r.status).toBe("rejected");
        expect(String((r as PromiseRejectedResult).reason)).toContain("WRONGTYPE");
      }
      await expect(q.send({ n: 4 })).rejects.toThrow(/WRONGTYPE/);
      await redis.del(stream);
      await redis.xgroup("CREATE", stream, "engine", "0", "MKSTREAM");
      const ids = await Promise.all([5, 6].map((n) => q.send({ n })));
      expect(await redis.xlen(stream)).toBe(2);
      expect(ids).toHaveLength(2);
    }));

  test("sends given before close() are written", () =>
    onFreshStream(async (q, redis, stream) => {
      const sent = [1, 2, 3].map((n) => q.send({ n }));
      await q.close();
      expect(await Promise.all(sent)).toHaveLength(3);
      expect(await redis.xlen(stream)).toBe(3);
      await expect(q.send({ n: 4 })).rejects.toThrow(/closed/);
    }));
});

describe("redis stream queue: publishes folded into reads", () => {
  /** onFreshStream with acks folded into reads (as the single engine opens it) and a subscriber. */
  const withSubscriber = (body: (q: TestQueue, got: number[], channel: string) => Promise<void>) =>
    onFreshStream(
      async (q) => {
        const sub = createRedisPubSub<{ n: number }>(REDIS_URL);
        const channel = uniqueName("test-fold");
        const got: number[] = [];
        try {
          await sub.subscribe(channel, (m) => got.push(m.n));
          await body(q, got, channel);
        } finally {
          await sub.close();
        }
      },
      { foldAcksIntoReads: true },
    );

  test("a publish followed at once by a read goes with it: subscribers have it while the read still blocks", () =>
    withSubscriber(async (q, got, channel) => {
      await q.depth(); // the group exists, so the read below is the blocking one
      const published = q.publish(channel, JSON.stringify({ n: 1 }));
      let readDone = false;
      const read = q.receive(10, 20_000).then((d) => {
        readDone = true;
        return d;
      });
      await eventually(() => got.length === 1, "the folded publish");
      expect(readDone).toBe(false);
      await q.send({ n: 9 }); // wakes the read
      expect((await read).map((d) => d.body.n)).toEqual([9]);
      await published;
    }));

  test("publishes without a read go out alone, and all keep their order on a channel", () =>
    withSubscriber(async (q, got, channel) => {
      await Promise.all([1, 2, 3].map((n) => q.publish(channel, JSON.stringify({ n }))));
      await q.send({ n: 0 });
      const sent = [4, 5].map((n) => q.publish(channel, JSON.stringify({ n })));
      await q.receive(10, 1_000);
      await Promise.all(sent);
      const last = q.publish(channel, JSON.stringify({ n: 6 }));
      await q.close(); // given before close(): written
      await last;
      await eventually(() => got.length === 6, "every publish");
      expect(got).toEqual([1, 2, 3, 4, 5, 6]);
    }));
});
