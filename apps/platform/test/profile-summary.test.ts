import { expect, test } from "bun:test";
import { type CpuProfile, histogram, moduleOf, summarize } from "../bench/profile-summary.ts";

// root → dispatch (hono) → handler (apps/api) → JSON.parse (native); root → (program) native.
const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url, lineNumber: 1 },
  children,
});
const profile: CpuProfile = {
  nodes: [
    frame(1, "(root)", "", [2, 5]),
    frame(2, "dispatch", "/w/node_modules/hono/dist/compose.js", [3]),
    frame(3, "handler", "/w/apps/api/src/routes/orders.ts", [4]),
    frame(4, "parse", ""),
    frame(5, "(program)", ""),
  ],
  // 1 s apart: 4 (parse under the handler), 2 (hono), 4, 5 (no JS frame)
  samples: [4, 2, 4, 5],
  timeDeltas: [0, 1e6, 1e6, 1e6],
};

test("a native leaf is charged to the JS that called it; groups by module or file; a time window", () => {
  expect(moduleOf("/w/node_modules/@scope/pkg/dist/x.js", "module")).toBe("nm/@scope/pkg");
  expect(moduleOf("/w/node_modules/hono/dist/compose.js", "file")).toBe("nm/hono/dist/compose.js");
  expect(moduleOf("/w/apps/api/src/routes/orders.ts", "module")).toBe("apps/api/src/routes");
  expect(summarize(profile)).toEqual({
    total: 4,
    groups: [
      ["apps/api/src/routes", 2],
      ["nm/hono", 1],
      ["(native, no JS caller)", 1],
    ],
  });
  expect(summarize(profile, { fromSec: 0.5, toSec: 2.5, by: "file" })).toEqual({
    total: 2,
    groups: [
      ["nm/hono/dist/compose.js", 1],
      ["apps/api/src/routes/orders.ts", 1],
    ],
  });
  expect(histogram(profile, "handler")).toEqual([
    [0, 1, 1],
    [1, 1, 0],
    [2, 1, 1],
    [3, 1, 0],
  ]);
});
