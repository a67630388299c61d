import { expect, test } from "bun:test";
import type { CommandReply } from "@ox/contracts/pipeline";
import { createRecentReplies } from "./recent-replies.ts";

const reply = (id: string): CommandReply => ({ id, code: "OK", duplicate: false, order: null, lastSeq: 1 });

test("keeps the newest `limit` replies, oldest first, and survives a round trip", () => {
  const recent = createRecentReplies(3);
  for (const id of ["a", "b", "c", "d", "e"]) recent.remember(id, reply(id));
  expect(recent.get("a")).toBeUndefined();
  expect(recent.get("b")).toBeUndefined();
  expect(recent.get("e")).toEqual(reply("e"));
  expect(recent.entries().map(([id]) => id)).toEqual(["c", "d", "e"]);
  const restored = createRecentReplies(3, recent.entries());
  expect(restored.entries()).toEqual(recent.entries());
  restored.remember("d", { ...reply("d"), lastSeq: 7 });
  expect(restored.size).toBe(3);
  expect(restored.get("d")?.lastSeq).toBe(7);
});

test("stays O(1) per insert over a million ids", () => {
  const recent = createRecentReplies(10_000);
  const started = performance.now();
  for (let i = 0; i < 1_000_000; i++) recent.remember(`id-${i}`, reply(`id-${i}`));
  expect(recent.size).toBe(10_000);
  expect(recent.entries()[0][0]).toBe("id-990000");
  expect(performance.now() - started).toBeLessThan(5_000);
});
