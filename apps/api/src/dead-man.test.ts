/**
 * Issue 14: the dead-man switch (cancel-on-disconnect) over real HTTP (Bun.serve) with its state in
 * real Redis and the real engine service behind the API. Time is the API clock moved by the test
 * (real time plus an offset), so "not before the timeout" is exact; one test runs the started
 * sweeper on real time as the platform does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { createMemoryKv, createRedisKv } from "@ox/bus";
import { createMetricsRegistry } from "@ox/metrics";
import type { Api } from "./build.ts";
import { createTradingHarness, type TradingHarness } from "./routes/orders-harness.ts";
import { type Client, REDIS_URL, signIn } from "./test-harness.ts";

type Json = Record<string, any>;
let h: TradingHarness;
let server: ReturnType<typeof Bun.serve>;
let admin: Client;
let marketId: string;
let offset = 0;
const clock = {
  now: () => Date.now() + offset,
  advance: (ms: number) => {
    offset += ms;
  },
};

async function http(c: Client | null, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", ...(c && { cookie: c.cookie }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}
const openIds = async (c: Client) => {
  const res = await http(c, "GET", "/orders?status=open");
  expect(res.status).toBe(200);
  return (res.body.orders as Json[]).map((o) => o.id as string).sort();
};
const locked = (c: Client) => h.engine.account(c.userId)?.lockedPaise ?? -1;
const cancelAllsOf = (c: Client) =>
  h.sent.filter((e) => e.command?.type === "CANCEL_ALL" && e.command.userId === c.userId).length;

async function trader(): Promise<Client> {
  const c = await signIn(h);
  expect((await http(c, "POST", "/wallet/deposits", { amountPaise: 1_000_000 })).status).toBeLessThan(300);
  await h.settle();
  return c;
}
async function rest(c: Client, pricePaise = 300): Promise<string> {
  const res = await http(c, "POST", "/orders", {
    marketId,
    outcome: "YES",
    side: "BUY",
    type: "LIMIT",
    pricePaise,
    quantity: 2,
  });
  expect(res.status).toBe(201);
  return res.body.order.id as string;
}

// Distributed (Redis, as every replica shares it) and embedded (the in-process Kv).
for (const backend of ["redis", "memory"] as const)
  describe(`POST /heartbeat: the dead-man switch (${backend} Kv)`, () => {
    beforeAll(async () => {
      const run = crypto.randomUUID().slice(0, 8);
      h = await createTradingHarness({
        kv:
          backend === "redis" ? createRedisKv({ url: REDIS_URL, prefix: `test:${run}:` }) : createMemoryKv(),
        clock,
      });
      server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, srv) => h.app.fetch(req, srv) });
      admin = await signIn(h, "+919999900000");
      const created = await http(admin, "POST", "/admin/markets", {
        title: "Will the dead-man switch fire?",
        category: "tech",
        closeAt: Date.now() + 6 * 3_600_000,
      });
      expect(created.status).toBe(201);
      marketId = created.body.market.id;
      await h.settle();
    });
    afterAll(async () => {
      server.stop(true);
      await h.close();
    });

    test("a timeoutMs outside 5 000..60 000 (and not 0) is 400; nothing is armed", async () => {
      const alice = await trader();
      for (const body of [
        { timeoutMs: 4_999 },
        { timeoutMs: 60_001 },
        { timeoutMs: -5_000 },
        { timeoutMs: 7_500.5 },
        { timeoutMs: "10000" },
        {},
        { timeoutMs: 10_000, extra: 1 },
      ]) {
        const res = await http(alice, "POST", "/heartbeat", body);
        expect({ body, status: res.status, code: res.body.error?.code }).toEqual({
          body,
          status: 400,
          code: "VALIDATION_ERROR",
        });
      }
      const state = await http(alice, "GET", "/heartbeat");
      expect(state).toEqual({
        status: 200,
        body: { armed: false, timeoutMs: null, deadline: null, firedAt: null },
      });
      expect((await http(null, "POST", "/heartbeat", { timeoutMs: 5_000 })).status).toBe(401);
    });

    test("orders are cancelled after the timeout, not before; heartbeats in time keep them; once", async () => {
      const alice = await trader();
      const bob = await trader();
      const mine = [await rest(alice, 300), await rest(alice, 250)].sort();
      const bobs = [await rest(bob, 200)];
      const bobLocked = locked(bob);
      expect(locked(alice)).toBeGreaterThan(0);

      const t0 = clock.now();
      const armed = await http(alice, "POST", "/heartbeat", { timeoutMs: 5_000 });
      expect(armed.status).toBe(200);
      expect(armed.body).toMatchObject({ armed: true, timeoutMs: 5_000, firedAt: null });
      expect(armed.body.deadline).toBeGreaterThanOrEqual(t0 + 5_000);
      expect(armed.body.deadline).toBeLessThanOrEqual(clock.now() + 5_000);

      // Just before the deadline: nothing.
      clock.advance(armed.body.deadline - clock.now() - 50);
      expect(await h.api.deadMan.sweep()).toBe(0);
      expect(await openIds(alice)).toEqual(mine);

      // A heartbeat in time moves the deadline; the old one passes without effect.
      const again = await http(alice, "POST", "/heartbeat", { timeoutMs: 5_000 });
      expect(again.body.deadline).toBeGreaterThan(armed.body.deadline);
      clock.advance(again.body.deadline - clock.now() - 50);
      expect(clock.now()).toBeGreaterThan(armed.body.deadline);
      expect(await h.api.deadMan.sweep()).toBe(0);
      expect(await openIds(alice)).toEqual(mine);
      expect(cancelAllsOf(alice)).toBe(0);

      // Heartbeats stop: the next pass past the deadline cancels every resting order of hers.
      clock.advance(100);
      expect(await h.api.deadMan.sweep()).toBe(1);
      expect(cancelAllsOf(alice)).toBe(1);
      expect(h.sent.findLast((e) => e.command?.type === "CANCEL_ALL")?.command).toEqual({
        type: "CANCEL_ALL",
        userId: alice.userId,
        ts: expect.any(Number),
      });
      expect(await openIds(alice)).toEqual([]);
      expect(locked(alice)).toBe(0);
      expect(await openIds(bob)).toEqual(bobs);
      expect(locked(bob)).toBe(bobLocked);

      // Once: later passes do nothing; the answer says when it fired and that it is disarmed.
      clock.advance(2_000);
      expect(await h.api.deadMan.sweep()).toBe(0);
      expect(cancelAllsOf(alice)).toBe(1);
      const state = await http(alice, "GET", "/heartbeat");
      expect(state.body).toMatchObject({ armed: false, deadline: null });
      expect(state.body.firedAt).toBeGreaterThanOrEqual(again.body.deadline);

      // The next heartbeat arms it again, and it fires again.
      const fresh = await rest(alice);
      const rearmed = await http(alice, "POST", "/heartbeat", { timeoutMs: 60_000 });
      expect(rearmed.body).toMatchObject({ armed: true, timeoutMs: 60_000 });
      clock.advance(59_000);
      expect(await h.api.deadMan.sweep()).toBe(0);
      expect(await openIds(alice)).toEqual([fresh]);
      clock.advance(1_100);
      expect(await h.api.deadMan.sweep()).toBe(1);
      expect(await openIds(alice)).toEqual([]);
    });

    test("DELETE /heartbeat and timeoutMs 0 disarm it: nothing is cancelled", async () => {
      const carol = await trader();
      const mine = [await rest(carol)];
      expect((await http(carol, "POST", "/heartbeat", { timeoutMs: 5_000 })).body.armed).toBe(true);
      const off = await http(carol, "DELETE", "/heartbeat");
      expect(off).toEqual({
        status: 200,
        body: { armed: false, timeoutMs: null, deadline: null, firedAt: null },
      });
      clock.advance(6_000);
      expect(await h.api.deadMan.sweep()).toBe(0);

      expect((await http(carol, "POST", "/heartbeat", { timeoutMs: 5_000 })).body.armed).toBe(true);
      const zero = await http(carol, "POST", "/heartbeat", { timeoutMs: 0 });
      expect(zero.body).toMatchObject({ armed: false, deadline: null });
      clock.advance(6_000);
      expect(await h.api.deadMan.sweep()).toBe(0);
      expect(await openIds(carol)).toEqual(mine);
      expect(cancelAllsOf(carol)).toBe(0);
    });

    test("two API replicas sweeping at once fire it exactly once", async () => {
      const dave = await trader();
      const replica: Api = h.rebuild();
      await rest(dave);
      // Armed through one replica; both sweep the shared Redis state, concurrently, several times.
      expect((await http(dave, "POST", "/heartbeat", { timeoutMs: 5_000 })).status).toBe(200);
      clock.advance(5_100);
      // (Two calls on one replica would join its running pass: one call per replica per round.)
      const first = await Promise.all([h.api.deadMan.sweep(), replica.deadMan.sweep()]);
      expect(first.reduce((a, b) => a + b, 0)).toBe(1);
      const second = await Promise.all([replica.deadMan.sweep(), h.api.deadMan.sweep()]);
      expect(second).toEqual([0, 0]);
      expect(cancelAllsOf(dave)).toBe(1);
      expect(await openIds(dave)).toEqual([]);
    });

    test("an API key needs the trade scope to arm it", async () => {
      const erin = await trader();
      const key = async (scopes: string[]) => {
        const res = await http(erin, "POST", "/keys", { name: scopes.join("+"), scopes });
        expect(res.status).toBe(201);
        return { id: res.body.key.id as string, secret: res.body.secret as string };
      };
      let last = 0;
      const signed = async (k: { id: string; secret: string }, body: unknown) => {
        const text = JSON.stringify(body);
        last = Math.max(clock.now(), last + 1);
        const ts = String(last);
        const signature = createHmac("sha256", k.secret)
          .update(`${ts}POST/api/v1/heartbeat${text}`)
          .digest("base64");
        const res = await fetch(`${server.url}api/v1/heartbeat`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "OX-ACCESS-KEY": k.id,
            "OX-ACCESS-TIMESTAMP": ts,
            "OX-ACCESS-SIGNATURE": signature,
          },
          body: text,
        });
        return { status: res.status, body: (await res.json()) as Json };
      };
      const readOnly = await signed(await key(["read"]), { timeoutMs: 10_000 });
      expect(readOnly.status).toBe(403);
      expect(readOnly.body.error.code).toBe("API_KEY_SCOPE");
      const trading = await signed(await key(["read", "trade"]), { timeoutMs: 10_000 });
      expect(trading.status).toBe(200);
      expect(trading.body).toMatchObject({ armed: true, timeoutMs: 10_000 });
      expect((await http(erin, "DELETE", "/heartbeat")).body.armed).toBe(false);
    });

    test("the started sweeper fires on real time, as the platform runs it", async () => {
      const frank = await trader();
      const registry = createMetricsRegistry({ defaults: false });
      const replica = h.rebuild({ deadMan: { intervalMs: 100 }, metricsRegistry: registry });
      replica.deadMan.start();
      try {
        await rest(frank);
        const armed = await http(frank, "POST", "/heartbeat", { timeoutMs: 5_000 });
        expect(armed.status).toBe(200);
        await Bun.sleep(4_000);
        expect(await openIds(frank)).toHaveLength(1);
        for (let i = 0; i < 60 && (await openIds(frank)).length > 0; i++) await Bun.sleep(100);
        expect(await openIds(frank)).toEqual([]);
        expect(clock.now()).toBeGreaterThanOrEqual(armed.body.deadline);
        // Counted by the replica that fired it.
        const text = await registry.metrics();
        expect(text).toContain('ox_deadman_fired_total{outcome="cancelled"} 1');
        expect(text).toContain("ox_deadman_cancelled_orders_total 1");
        expect(text).toMatch(/ox_deadman_fire_delay_seconds_count 1/);
      } finally {
        await replica.deadMan.stop();
      }
    }, 30_000);
  });
