import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { REDIS_URL, sleep, uniqueName } from "@ox/bus/testing";
import Redis from "ioredis";
import { createRedisStreamQueue } from "./redis-stream-queue.ts";

const stream = uniqueName("test-crash");

/** Starts a consumer process that takes 3 commands, then kill -9s it. */
async function consumeAndDie(consumer: string): Promise<number[]> {
  const child = Bun.spawn(
    ["node_modules/.bin/bun", join(import.meta.dir, "redis-crash.fixture.ts"), REDIS_URL, stream, consumer],
    {
      stdout: "pipe",
    },
  );
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  child.kill("SIGKILL");
  await child.exited;
  return JSON.parse(new TextDecoder().decode(value));
}

describe("Redis stream queue: a consumer killed with SIGKILL", () => {
  afterAll(async () => {
    const redis = new Redis(REDIS_URL);
    await redis.del(stream);
    await redis.quit();
  });

  test("its unacked commands go to its restarted self, then to another consumer", async () => {
    const producer = createRedisStreamQueue<{ n: number }>({
      url: REDIS_URL,
      stream,
      group: "engine",
      consumer: "api",
    });
    for (let n = 0; n < 6; n++) await producer.send({ n });

    expect(await consumeAndDie("engine-1")).toEqual([0, 1, 2]);
    const restarted = createRedisStreamQueue<{ n: number }>({
      url: REDIS_URL,
      stream,
      group: "engine",
      consumer: "engine-1",
    });
    const again = await restarted.receive(10, 100);
    expect(again.map((d) => [d.body.n, d.deliveries])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    await restarted.ack(again.map((d) => d.id));
    await restarted.close();

    expect(await consumeAndDie("engine-2")).toEqual([3, 4, 5]);
    const heir = createRedisStreamQueue<{ n: number }>({
      url: REDIS_URL,
      stream,
      group: "engine",
      consumer: "engine-3",
      claimIdleMs: 200,
    });
    await sleep(300);
    const claimed = await heir.receive(10, 100);
    expect(claimed.map((d) => [d.body.n, d.deliveries])).toEqual([
      [3, 2],
      [4, 2],
      [5, 2],
    ]);
    await heir.ack(claimed.map((d) => d.id));
    expect(await heir.depth()).toBe(0);
    await heir.close();
    await producer.close();
  });
});
