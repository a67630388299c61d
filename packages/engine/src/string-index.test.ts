import { describe, expect, test } from "bun:test";
import { StringIndex } from "./string-index.ts";

describe("StringIndex", () => {
  test("agrees with a Map through 200k random sets, gets and deletes (growth and backward shifts)", () => {
    const ix = new StringIndex<number>();
    const ref = new Map<string, number>();
    let x = 12345;
    const rnd = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    for (let step = 0; step < 200_000; step++) {
      const key = `o${rnd(5_000)}`;
      const op = rnd(3);
      if (op === 0) {
        ix.set(key, step);
        ref.set(key, step);
      } else if (op === 1) {
        ix.delete(key);
        ref.delete(key);
      }
      expect(ix.get(`${key}`)).toBe(ref.get(key));
      if (step % 20_000 === 0) {
        expect(ix.size).toBe(ref.size);
        expect([...ix.values()].sort((a, b) => a - b)).toEqual([...ref.values()].sort((a, b) => a - b));
      }
    }
    for (const [k, v] of ref) expect(ix.get(k)).toBe(v);
    expect(ix.size).toBe(ref.size);
  });
});
