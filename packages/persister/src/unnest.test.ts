import { describe, expect, test } from "bun:test";
import { freshDb } from "@ox/persister/testing";
import { sql } from "drizzle-orm";
import { arrayLiteral, unnestAs } from "./unnest.ts";

const awkward = [
  "plain",
  'with "quotes"',
  "back\\slash\\",
  "{braces},commas",
  "NULL",
  "",
  " spaced ",
  "हिंदी ₹",
  null,
];

describe.each(["pglite", "postgres"] as const)("unnest arrays on %s", (kind) => {
  test("text, bigint, integer and boolean columns arrive exactly, nulls included, in order", async () => {
    const handle = await freshDb(kind);
    try {
      const big = [0, -1, 9_007_199_254_740_991, null, 42, 7, -9_007_199_254_740_991, 1, 2];
      const flags = [true, false, null, true, false, true, false, true, false];
      const v = unnestAs("v", [
        ["s", "text", awkward],
        ["n", "bigint", big],
        ["i", "integer", awkward.map((_, i) => i)],
        ["b", "boolean", flags],
      ]);
      const result = await handle.db.execute(sql`select s, n::text as n, i, b from ${v}`);
      const rows = (result as unknown as { rows: Array<Record<string, unknown>> }).rows;
      expect(rows.map((r) => r.s)).toEqual(awkward);
      expect(rows.map((r) => (r.n === null ? null : Number(r.n)))).toEqual(big);
      expect(rows.map((r) => r.i)).toEqual(awkward.map((_, i) => i));
      expect(rows.map((r) => r.b)).toEqual(flags);
    } finally {
      await handle.close();
    }
  });
});

test("a number that is not a safe integer is refused before it reaches a money column", () => {
  expect(() => arrayLiteral("bigint", [1.5])).toThrow();
  expect(() => arrayLiteral("bigint", [2 ** 53])).toThrow();
  expect(() => arrayLiteral("text", [3])).toThrow();
  expect(arrayLiteral("bigint", [1, null, -2])).toBe("{1,NULL,-2}");
});
