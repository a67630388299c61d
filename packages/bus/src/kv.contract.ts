import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { Kv } from "./ports.ts";
import { sleep } from "./test-util.ts";

/** The Kv contract. `open` returns a fresh, empty keyspace; `cleanup` removes it. */
export function kvContract(name: string, open: () => Promise<{ kv: Kv; cleanup: () => Promise<void> }>) {
  describe(`Kv contract: ${name}`, () => {
    let kv: Kv;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ kv, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    test("set, get, overwrite and del", async () => {
      expect(await kv.get("a")).toBeNull();
      await kv.set("a", "1");
      expect(await kv.get("a")).toBe("1");
      await kv.set("a", "2");
      expect(await kv.get("a")).toBe("2");
      expect(await kv.del("a")).toBe(true);
      expect(await kv.del("a")).toBe(false);
      expect(await kv.get("a")).toBeNull();
    });

    test("a key set with a ttl expires, one without stays", async () => {
      await kv.set("short", "x", 150);
      await kv.set("long", "y");
      expect(await kv.get("short")).toBe("x");
      await sleep(300);
      expect(await kv.get("short")).toBeNull();
      expect(await kv.get("long")).toBe("y");
    });

    test("setIfAbsent sets once, and again after expiry", async () => {
      expect(await kv.setIfAbsent("lock", "a", 150)).toBe(true);
      expect(await kv.setIfAbsent("lock", "b", 150)).toBe(false);
      expect(await kv.get("lock")).toBe("a");
      await sleep(300);
      expect(await kv.setIfAbsent("lock", "c")).toBe(true);
      expect(await kv.get("lock")).toBe("c");
    });

    test("incr counts, by a step, and its ttl starts at the first hit", async () => {
      expect(await kv.incr("hits", 400)).toBe(1);
      await sleep(200);
      expect(await kv.incr("hits", 400)).toBe(2);
      expect(await kv.incr("hits", 400, 5)).toBe(7);
      await sleep(350); // 550 ms after the first hit: the window has closed
      expect(await kv.get("hits")).toBeNull();
      expect(await kv.incr("hits", 400)).toBe(1);
    });

    test("incr without ttl persists and works on a set integer", async () => {
      await kv.set("n", "41");
      expect(await kv.incr("n")).toBe(42);
      expect(await kv.get("n")).toBe("42");
    });
  });
}
