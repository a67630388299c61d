/**
 * Issue 9: the batch endpoints charged the write bucket once per request, so 20 orders cost what one
 * does. Each item is one write point now; a batch the bucket cannot pay is refused whole (429, nothing
 * sent to the engine) and gives its points back. Over real HTTP, on the in-process and the Redis
 * buckets.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ORDER_BATCH_MAX } from "@ox/contracts";
import Redis from "ioredis";
import { type Client, REDIS_URL, signIn } from "../test-harness.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

type Json = Record<string, any>;

for (const backend of ["memory", "redis"] as const) {
  describe(`batch endpoints charge the write bucket per item (${backend})`, () => {
    let h: TradingHarness;
    let server: ReturnType<typeof Bun.serve>;
    let redis: Redis | undefined;
    let marketId: string;

    const http = async (c: Client, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}api/v1${path}`, {
        method,
        headers: { "content-type": "application/json", cookie: c.cookie },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
    };
    const order = (i: number) => ({
      marketId,
      outcome: "YES",
      side: "BUY",
      type: "LIMIT",
      pricePaise: 100,
      quantity: 1,
      clientOrderId: `b-${backend}-${i}-${crypto.randomUUID().slice(0, 8)}`,
    });
    const batchesSent = () => h.sent.filter((e) => e.commands).length;

    beforeAll(async () => {
      redis = backend === "redis" ? new Redis(REDIS_URL, { enableOfflineQueue: false }) : undefined;
      if (redis) await new Promise((r) => redis?.once("ready", r));
      h = await createTradingHarness({
        config: {
          RATE_LIMITS: true,
          RATE_LIMIT_PREFIX: `test-rlb-${crypto.randomUUID()}`,
          // 10 writes in a burst, then one a minute: nothing refills while the test runs.
          RATE_LIMIT_WRITE: { perSec: 1 / 60, burst: 10 },
          RATE_LIMIT_READ: { perSec: 100, burst: 100 },
          RATE_LIMIT_WRITE_IP: { perSec: 100, burst: 1_000 },
          RATE_LIMIT_READ_IP: { perSec: 100, burst: 1_000 },
          RATE_LIMIT_AUTH_IP: { perSec: 100, burst: 1_000 },
          TRUSTED_PROXIES: null,
        },
        rateLimitRedis: redis,
      });
      server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, srv) => h.app.fetch(req, srv) });
      const admin = await signIn(h, "+919999900000");
      const created = await http(admin, "POST", "/admin/markets", {
        title: "Will batches pay per order?",
        category: "tech",
        closeAt: Date.now() + 3_600_000,
      });
      expect(created.status).toBe(201);
      marketId = created.body.market.id;
      await h.settle();
    });
    afterAll(async () => {
      server.stop(true);
      await h.close();
      redis?.disconnect();
    });

    test("a batch of 20 with a write burst of 10 is refused whole; a batch that fits then passes", async () => {
      const alice = await signIn(h);
      await h.settle(); // the engine has the account
      const before = batchesSent();
      const big = await http(alice, "POST", "/orders/batch", {
        orders: Array.from({ length: ORDER_BATCH_MAX }, (_, i) => order(i)),
      });
      expect(ORDER_BATCH_MAX).toBe(20);
      expect(big.status).toBe(429);
      expect(big.body.error.code).toBe("RATE_LIMITED");
      expect(Number(big.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(batchesSent()).toBe(before); // nothing reached the engine

      // The refused batch spent only its request's point: 9 orders fit exactly.
      const fits = await http(alice, "POST", "/orders/batch", {
        orders: Array.from({ length: 9 }, (_, i) => order(100 + i)),
      });
      expect({ status: fits.status, body: fits.body }).toMatchObject({ status: 200 });
      expect(fits.body.results.filter((r: Json) => r.order?.status === "OPEN")).toHaveLength(9);
      const single = await http(alice, "POST", "/orders", order(200));
      expect(single.status).toBe(429);
    });

    test("a cancel batch pays per id too", async () => {
      const bob = await signIn(h);
      await h.settle();
      const placed = await http(bob, "POST", "/orders/batch", {
        orders: Array.from({ length: 5 }, (_, i) => order(300 + i)),
      });
      expect(placed.status).toBe(200);
      const ids: string[] = placed.body.results.map((r: Json) => r.order.id);
      // Tokens: 5 creates spent 50 of 100; a cancel costs 2, so 26 cancels (52) are refused whole,
      // then 4 (the refused request spent its own 2) pass.
      const unknown = Array.from({ length: 21 }, () => crypto.randomUUID());
      const refused = await http(bob, "DELETE", "/orders/batch", { ids: [...ids, ...unknown] });
      expect(refused.status).toBe(429);
      const open = await http(bob, "GET", "/orders?status=open");
      expect(open.status).toBe(200);
      const cancelled = await http(bob, "DELETE", "/orders/batch", { ids: ids.slice(0, 4) });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.results.map((r: Json) => r.order?.status)).toEqual(Array(4).fill("CANCELLED"));
    });
  });
}
