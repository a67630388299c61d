import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { PubSub } from "./ports.ts";
import { eventually, sleep, uniqueName } from "./test-util.ts";

interface Msg {
  n: number;
  text?: string;
}

/** The PubSub contract. `connect` returns a new connection to one shared broker. */
export function pubSubContract(
  name: string,
  setup: () => Promise<{ connect: () => PubSub<Msg>; cleanup: () => Promise<void> }>,
) {
  describe(`PubSub contract: ${name}`, () => {
    let connect: () => PubSub<Msg>;
    let cleanup: () => Promise<void>;
    const opened: PubSub<Msg>[] = [];
    const open = () => {
      const ps = connect();
      opened.push(ps);
      return ps;
    };
    beforeEach(async () => {
      ({ connect, cleanup } = await setup());
    });
    afterEach(async () => {
      for (const ps of opened.splice(0)) await ps.close();
      await cleanup();
    });

    test("a message published after subscribe reaches every subscriber, across connections", async () => {
      const channel = uniqueName("ch");
      const publisher = open();
      const a: Msg[] = [];
      const b: Msg[] = [];
      await open().subscribe(channel, (m) => a.push(m));
      await open().subscribe(channel, (m) => b.push(m));
      await publisher.publish(channel, { n: 1, text: "héllo ₹" });
      await eventually(() => a.length === 1 && b.length === 1, "both subscribers");
      expect(a[0]).toEqual({ n: 1, text: "héllo ₹" });
      expect(b[0]).toEqual({ n: 1, text: "héllo ₹" });
      expect(a[0]).not.toBe(b[0]);
    });

    test("order is kept per publisher and channels are isolated", async () => {
      const [one, two] = [uniqueName("one"), uniqueName("two")];
      const sub = open();
      const got: number[] = [];
      const other: number[] = [];
      await sub.subscribe(one, (m) => got.push(m.n));
      await sub.subscribe(two, (m) => other.push(m.n));
      const pub = open();
      for (let n = 0; n < 200; n++) await pub.publish(one, { n });
      await pub.publish(two, { n: -1 });
      await eventually(() => got.length === 200 && other.length === 1, "200 messages");
      expect(got).toEqual([...Array(200).keys()]);
      expect(other).toEqual([-1]);
    });

    test("after unsubscribe a handler gets nothing, other handlers still do", async () => {
      const channel = uniqueName("ch");
      const sub = open();
      const first: number[] = [];
      const second: number[] = [];
      const off = await sub.subscribe(channel, (m) => first.push(m.n));
      await sub.subscribe(channel, (m) => second.push(m.n));
      const pub = open();
      await pub.publish(channel, { n: 1 });
      await eventually(() => first.length === 1 && second.length === 1, "first message");
      await off();
      await pub.publish(channel, { n: 2 });
      await eventually(() => second.length === 2, "second message");
      await sleep(50);
      expect(first).toEqual([1]);
    });

    test("a closed connection stops receiving; publishing with no subscriber is fine", async () => {
      const channel = uniqueName("ch");
      const sub = open();
      const got: number[] = [];
      await sub.subscribe(channel, (m) => got.push(m.n));
      await sub.close();
      const pub = open();
      await pub.publish(channel, { n: 1 });
      await pub.publish(uniqueName("nobody"), { n: 2 });
      await sleep(100);
      expect(got).toEqual([]);
    });
  });
}
