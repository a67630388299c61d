/**
 * GET /api/v1/admin/health (issue 10): admins only; the in-memory history's shape, the order rate
 * from the engine's real PLACE_ORDER count, the round-trip percentiles of the last window, and the
 * healthy/degraded verdict with its reasons (lag, a stuck persister, a source that does not answer).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HealthHistoryView } from "@ox/contracts";
import { createHealthHistory, HEALTH_LIMITS, type HealthHistory, quantileMs } from "../health-history.ts";
import { type Client, signIn } from "../test-harness.ts";
import { createSystemStatsProvider } from "./admin-stats.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

let h: TradingHarness;
let admin: Client;
let alice: Client;
let bob: Client;
let marketId: string;
let history: HealthHistory;
let clock = 1_000_000;
const persister = { offset: 0, lag: 0 };
let streamDown = false;
/** A round-trip histogram the test fills, as the API's metrics keep it: counts per bucket (+ overflow). */
const BUCKETS = [0.001, 0.01, 0.1, 1];
const rt = { buckets: BUCKETS, counts: [0, 0, 0, 0, 0], count: 0 };
const observe = (seconds: number) => {
  let i = 0;
  while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++;
  rt.counts[i] = (rt.counts[i] as number) + 1;
  rt.count++;
};
const EMPTY = { buckets: BUCKETS, counts: [0, 0, 0, 0, 0], count: 0 };
const json = async (res: Response) =>
  (await res.json()) as { market: { id: string }; error: { code: string } };
const view = async () => {
  const res = await admin.call("GET", "/api/v1/admin/health");
  expect(res.status).toBe(200);
  return HealthHistoryView.parse(await res.json());
};
/** One sample `ms` after the previous one. */
const tick = async (ms = 2_000) => {
  clock += ms;
  await history.sample();
};

beforeAll(async () => {
  h = await createTradingHarness();
  const stats = createSystemStatsProvider({
    engine: () => h.service.stats(),
    persister: () => ({ ...persister }),
    stream: async () => {
      if (streamDown) throw new Error("stream down");
      return { clusterSockets: 3 };
    },
    now: () => clock,
  });
  history = createHealthHistory({
    stats,
    roundTrip: () => ({ ...rt, counts: [...rt.counts] }),
    everyMs: 2_000,
    keep: 20,
    windowSamples: 2,
    now: () => clock,
  });
  h.app = h.rebuild({ systemStats: stats, history }).app;
  admin = await signIn(h, "+919999900000");
  alice = await signIn(h);
  bob = await signIn(h);
  const res = await admin.call("POST", "/api/v1/admin/markets", {
    title: "Will the health page move?",
    category: "test",
    closeAt: Date.now() + 3_600_000,
  });
  marketId = (await json(res)).market.id;
  await h.settle();
});
afterAll(async () => {
  await h.close();
});

describe("GET /admin/health", () => {
  test("admins only: 401 without a session, 403 FORBIDDEN for a user", async () => {
    expect((await h.app.request("http://localhost/api/v1/admin/health")).status).toBe(401);
    const res = await alice.call("GET", "/api/v1/admin/health");
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("FORBIDDEN");
  });

  test("before any sample: no samples, degraded 'no sample yet', the limits", async () => {
    const v = await view();
    expect(v).toEqual({
      status: "degraded",
      reasons: ["no sample yet"],
      intervalMs: 2_000,
      limits: { ...HEALTH_LIMITS },
      samples: [],
      current: null,
    });
  });

  test("order rate from the engine's PLACE_ORDER count, round-trip p50/p99 of the window, sockets, lag; healthy", async () => {
    await tick();
    // 6 orders in the next 2 s (3 resting YES, 3 crossing NO: the signup bonus pays) → 3.0 orders/s.
    for (let i = 0; i < 3; i++) {
      for (const [c, outcome, pricePaise] of [
        [alice, "YES", 500],
        [bob, "NO", 500],
      ] as const) {
        const r = await c.call("POST", "/api/v1/orders", {
          marketId,
          type: "LIMIT",
          side: "BUY",
          outcome,
          pricePaise,
          quantity: 1,
        });
        expect(r.status).toBe(201);
      }
    }
    // The service re-reads its queue depth at most once a second; let it see the drained queue, so a
    // depth read while an order was still queued does not stand in for the sample.
    for (let i = 0; i < 40 && h.service.stats().queueDepth !== 0; i++) await Bun.sleep(100);
    // Round trips: 90 at ≤ 1 ms, 10 at (10, 100] ms.
    for (let i = 0; i < 90; i++) observe(0.0005);
    for (let i = 0; i < 10; i++) observe(0.05);
    persister.offset = 40;
    persister.lag = 1;
    await tick();
    const v = await view();
    expect(v.status).toBe("healthy");
    expect(v.reasons).toEqual([]);
    expect(v.samples.length).toBe(2);
    const last = v.samples.at(-1);
    expect(last).toEqual({
      t: clock,
      orderRate: 3,
      rtP50Ms: quantileMs(0.5, EMPTY, rt),
      rtP99Ms: quantileMs(0.99, EMPTY, rt),
      queueDepth: 0,
      persisterLag: 1,
      sockets: 3,
    });
    expect(last?.rtP50Ms).toBeLessThanOrEqual(1);
    expect(last?.rtP99Ms).toBeGreaterThan(10);
    expect(last?.rtP99Ms).toBeLessThanOrEqual(100);
    expect(v.current?.ordersPlaced).toBe(6);
    // A quiet interval: rate 0, the percentiles still span the window (two samples back).
    await tick();
    const quiet = (await view()).samples.at(-1);
    expect(quiet?.orderRate).toBe(0);
    expect(quiet?.rtP99Ms).toBe(last?.rtP99Ms ?? -1);
  });

  test("degraded with reasons: lag over the limit, a persister that stops advancing, a source down; bounded", async () => {
    persister.offset = 45; // advancing, but far behind
    persister.lag = HEALTH_LIMITS.persisterLag + 1;
    await tick();
    let v = await view();
    expect(v.status).toBe("degraded");
    expect(v.reasons).toEqual([`persister lag ${persister.lag} records > ${HEALTH_LIMITS.persisterLag}`]);

    persister.lag = 5; // behind and not moving: stuck after persisterStuckSamples samples
    for (let i = 0; i < HEALTH_LIMITS.persisterStuckSamples; i++) await tick();
    v = await view();
    expect(v.status).toBe("degraded");
    expect(v.reasons).toEqual(["persister has not advanced for 20 s while behind"]);

    persister.offset = 50; // it moves again: healthy
    persister.lag = 0;
    await tick();
    expect((await view()).status).toBe("healthy");

    streamDown = true;
    await tick();
    v = await view();
    expect(v.reasons).toEqual(["stream did not answer"]);
    expect(v.samples.at(-1)?.sockets).toBeNull();
    streamDown = false;

    for (let i = 0; i < 30; i++) await tick();
    v = await view();
    expect(v.samples.length).toBe(20);
    expect(v.samples.at(-1)?.t).toBe(clock);
    expect(v.samples[0]?.t).toBe(clock - 19 * 2_000);
  });
});
