/**
 * The dead-man sweeper's first pass after a start (dead-man.ts): it walks back over the last
 * LOOKBACK_MS of buckets only when some switch was armed within KEEP_MS, so a process that no one
 * armed a switch on does not spend 840 Kv reads (statements to the storage thread in embedded mode)
 * before it looks at the present; one armed since makes a new replica walk back as before.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createMemoryKv, type Kv } from "@ox/bus";
import { createTradingHarness, type TradingHarness } from "./routes/orders-harness.ts";
import { signIn } from "./test-harness.ts";

const memory = createMemoryKv();
let reads: string[] = [];
const kv: Kv = {
  ...memory,
  get: (key) => {
    reads.push(key);
    return memory.get(key);
  },
};
let h: TradingHarness;
beforeAll(async () => {
  h = await createTradingHarness({ kv });
});
afterAll(async () => {
  await h.close();
});

const bucketReads = () => reads.filter((k) => /^deadman:due:\d+$/.test(k)).length;

test("no switch armed: the first pass reads the present's buckets only; after a heartbeat a new replica walks back", async () => {
  reads = [];
  expect(await h.api.deadMan.sweep()).toBe(0);
  expect(bucketReads()).toBeLessThanOrEqual(2);

  const user = await signIn(h);
  await h.api.deadMan.heartbeat(user.userId, 30_000);
  reads = [];
  expect(await h.rebuild().deadMan.sweep()).toBe(0);
  // 14 minutes of one-second buckets, and the one the new switch is due in is not due yet.
  expect(bucketReads()).toBeGreaterThanOrEqual(840);
});
