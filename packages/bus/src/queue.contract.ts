import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { CommandQueue } from "./ports.ts";
import { sleep } from "./test-util.ts";

interface Cmd {
  n: number;
}

/** Opens consumers of one consumer group on one fresh stream. */
export interface QueueStream {
  open(consumer: string, options?: { claimIdleMs?: number }): Promise<CommandQueue<Cmd>>;
  cleanup(): Promise<void>;
}

/** The CommandQueue contract: at-least-once, ordered, redelivery after a consumer crash. */
export function queueContract(name: string, newStream: () => Promise<QueueStream>) {
  describe(`CommandQueue contract: ${name}`, () => {
    let stream: QueueStream;
    const opened: CommandQueue<Cmd>[] = [];
    const open = async (consumer: string, claimIdleMs = 60_000) => {
      const q = await stream.open(consumer, { claimIdleMs });
      opened.push(q);
      return q;
    };
    const sendAll = async (q: CommandQueue<Cmd>, ns: number[]) => {
      const ids: string[] = [];
      for (const n of ns) ids.push(await q.send({ n }));
      return ids;
    };
    beforeEach(async () => {
      stream = await newStream();
    });
    afterEach(async () => {
      for (const q of opened.splice(0)) await q.close();
      await stream.cleanup();
    });

    test("delivers in send order, once each, with the transport ids and max respected", async () => {
      const q = await open("c1");
      const ids = await sendAll(q, [1, 2, 3, 4, 5]);
      const first = await q.receive(3, 100);
      const second = await q.receive(10, 100);
      expect(first.map((d) => d.body.n)).toEqual([1, 2, 3]);
      expect(second.map((d) => d.body.n)).toEqual([4, 5]);
      expect([...first, ...second].map((d) => d.id)).toEqual(ids);
      expect([...first, ...second].every((d) => d.deliveries === 1)).toBe(true);
    });

    test("an empty receive waits about blockMs; a send wakes a blocked receive at once", async () => {
      const q = await open("c1");
      let t = Date.now();
      expect(await q.receive(10, 200)).toEqual([]);
      expect(Date.now() - t).toBeGreaterThanOrEqual(150);
      const producer = await open("producer");
      t = Date.now();
      const pending = q.receive(10, 5_000);
      await sleep(50);
      await producer.send({ n: 7 });
      const got = await pending;
      expect(got.map((d) => d.body.n)).toEqual([7]);
      expect(Date.now() - t).toBeLessThan(2_000);
    });

    test("depth counts sent and unacked; ack is idempotent", async () => {
      const q = await open("c1");
      expect(await q.depth()).toBe(0);
      await sendAll(q, [1, 2, 3]);
      expect(await q.depth()).toBe(3);
      const got = await q.receive(2, 100);
      expect(await q.depth()).toBe(3);
      await q.ack(got.map((d) => d.id));
      expect(await q.depth()).toBe(1);
      await q.ack(got.map((d) => d.id));
      await q.ack([]);
      expect(await q.depth()).toBe(1);
    });

    test("an ack followed at once by a receive (the engine's loop) lands, and the read still reads", async () => {
      const q = await open("c1");
      const producer = await open("producer");
      await sendAll(q, [1, 2, 3]);
      const got = await q.receive(10, 100);
      const acked = q.ack(got.map((d) => d.id)); // not awaited: the read is issued in the same turn
      const next = q.receive(10, 5_000);
      await sleep(50);
      await producer.send({ n: 4 });
      expect((await next).map((d) => d.body.n)).toEqual([4]);
      await acked;
      expect(await q.depth()).toBe(1);
      const many = await sendAll(q, [...Array(1_200).keys()]); // more ids than one ack slice
      const all = [];
      for (let left = 1_200; left > 0; ) {
        const batch = await q.receive(500, 100);
        all.push(...batch);
        left -= batch.length;
      }
      expect(all.map((d) => d.id)).toEqual(many);
      const ackedMany = q.ack([...(await next).map((d) => d.id), ...all.map((d) => d.id)]);
      expect(await q.receive(10, 50)).toEqual([]);
      await ackedMany;
      expect(await q.depth()).toBe(0);
    });

    test("a restarted consumer gets its unacked messages first, counted as redelivered", async () => {
      const q = await open("engine");
      await sendAll(q, [1, 2, 3, 4]);
      const got = await q.receive(3, 100);
      await q.ack([got[1].id]);
      await q.close(); // a crash: 1 and 3 were delivered and never acked
      const restarted = await open("engine");
      await restarted.send({ n: 5 });
      const again = await restarted.receive(10, 100);
      expect(again.map((d) => [d.body.n, d.deliveries])).toEqual([
        [1, 2],
        [3, 2],
      ]);
      const next = await restarted.receive(10, 100);
      expect(next.map((d) => [d.body.n, d.deliveries])).toEqual([
        [4, 1],
        [5, 1],
      ]);
      await restarted.ack([...again, ...next].map((d) => d.id));
      expect(await restarted.depth()).toBe(0);
      const restartedAgain = await open("engine");
      expect(await restartedAgain.receive(10, 100)).toEqual([]);
    });

    test("another consumer claims a dead consumer's messages once they are idle", async () => {
      const dead = await open("dead");
      await sendAll(dead, [1, 2, 3]);
      const got = await dead.receive(3, 100);
      await dead.ack([got[0].id]);
      await dead.close();
      const heir = await open("heir", 300);
      expect(await heir.receive(10, 50)).toEqual([]);
      await sleep(400);
      const claimed = await heir.receive(10, 100);
      expect(claimed.map((d) => [d.body.n, d.deliveries])).toEqual([
        [2, 2],
        [3, 2],
      ]);
      await heir.ack(claimed.map((d) => d.id));
      expect(await heir.depth()).toBe(0);
    });

    test("two live consumers split the messages, each delivered exactly once", async () => {
      const a = await open("a");
      const b = await open("b");
      await sendAll(a, [...Array(100).keys()]);
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) {
        for (const q of [a, b]) {
          const got = await q.receive(7, 20);
          seen.push(...got.map((d) => d.body.n));
          await q.ack(got.map((d) => d.id));
        }
      }
      expect(seen.sort((x, y) => x - y)).toEqual([...Array(100).keys()]);
      expect(await a.depth()).toBe(0);
    });

    test("a thousand messages keep their order", async () => {
      const q = await open("c1");
      const ns = [...Array(1000).keys()];
      await Promise.all(ns.map((n) => q.send({ n }))); // sends issued back to back on one client
      const seen: number[] = [];
      while (seen.length < 1000) {
        const got = await q.receive(128, 100);
        if (got.length === 0) break;
        seen.push(...got.map((d) => d.body.n));
        await q.ack(got.map((d) => d.id));
      }
      expect(seen).toEqual(ns);
    });
  });
}
