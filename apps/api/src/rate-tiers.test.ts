/**
 * Issue 14: rate limits per key and per user in tiers, token costs (a cancel is cheaper than a
 * create), headers on every answer, 429 with Retry-After, and an admin changing the tier. Over
 * real HTTP, on the in-process and the Redis buckets. The rules refill once a minute or slower, so
 * nothing refills while a test runs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import Redis from "ioredis";
import { CANCEL_TOKENS, KEY_SHARE, TIER_MULTIPLIER, WRITE_TOKENS } from "./rate-limit.ts";
import { createTradingHarness, type TradingHarness } from "./routes/orders-harness.ts";
import { type Client, REDIS_URL, signIn } from "./test-harness.ts";

// Never one millisecond twice: identical requests signed in the same one would be replays (401).
let lastStamp = 0;
const stamp = () => {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return lastStamp;
};

type Json = Record<string, any>;
const ADMIN_PHONE = "+919999900000";
const WRITE_BURST = 8; // per user, standard tier: 8 creates
const READ_BURST = 40;

for (const backend of ["memory", "redis"] as const) {
  describe(`tiered limits (${backend})`, () => {
    let h: TradingHarness;
    let server: ReturnType<typeof Bun.serve>;
    let redis: Redis | undefined;
    let admin: Client;

    const url = (path: string) => `http://127.0.0.1:${server.port}/api/v1${path}`;
    async function signed(key: { id: string; secret: string }, method: string, path: string, body?: unknown) {
      const text = body === undefined ? "" : JSON.stringify(body);
      const ts = String(stamp());
      const signature = createHmac("sha256", key.secret)
        .update(`${ts + method}/api/v1${path}${text}`)
        .digest("base64");
      const res = await fetch(url(path), {
        method,
        headers: {
          "OX-ACCESS-KEY": key.id,
          "OX-ACCESS-TIMESTAMP": ts,
          "OX-ACCESS-SIGNATURE": signature,
          ...(body !== undefined && { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : text,
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
    }
    async function cookie(c: Client, method: string, path: string, body?: unknown) {
      const res = await fetch(url(path), {
        method,
        headers: { cookie: c.cookie, ...(body !== undefined && { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
    }
    async function newKey(c: Client) {
      const res = await cookie(c, "POST", "/keys", { name: "mm", scopes: ["read", "trade"] });
      expect(res.status).toBe(201);
      return { id: res.body.key.id as string, secret: res.body.secret as string };
    }
    const missingOrder = {
      marketId: "no-such-market",
      outcome: "YES",
      side: "BUY",
      type: "LIMIT",
      pricePaise: 500,
      quantity: 1,
    };
    const unknownCancel = () => `/orders/${crypto.randomUUID()}`;

    beforeAll(async () => {
      redis = backend === "redis" ? new Redis(REDIS_URL, { enableOfflineQueue: false }) : undefined;
      if (redis) await new Promise((r) => redis?.once("ready", r));
      h = await createTradingHarness({
        config: {
          RATE_LIMITS: true,
          RATE_LIMIT_PREFIX: `test-tier-${crypto.randomUUID()}`,
          RATE_LIMIT_WRITE: { perSec: WRITE_BURST / 600, burst: WRITE_BURST },
          RATE_LIMIT_READ: { perSec: READ_BURST / 600, burst: READ_BURST },
          RATE_LIMIT_WRITE_IP: { perSec: 1_000, burst: 10_000 },
          RATE_LIMIT_READ_IP: { perSec: 1_000, burst: 10_000 },
          RATE_LIMIT_AUTH_IP: { perSec: 1_000, burst: 10_000 },
          TRUSTED_PROXIES: null,
        },
        rateLimitRedis: redis,
      });
      server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, srv) => h.app.fetch(req, srv) });
      admin = await signIn(h, ADMIN_PHONE);
    });
    afterAll(async () => {
      server.stop(true);
      await h.close();
      redis?.disconnect();
    });

    test("a key holds half its user's write tokens: creates cost 10, cancels 2, then 429 with Retry-After", async () => {
      const alice = await signIn(h);
      const key = await newKey(alice);
      const keyTokens = WRITE_BURST * KEY_SHARE * WRITE_TOKENS; // 40
      expect(keyTokens).toBe(40);
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof signed>> | undefined;
      // 3 creates (30 tokens), then cancels at 2: 5 more fit (40), the next is refused.
      for (let i = 0; i < 3; i++) {
        last = await signed(key, "POST", "/orders", missingOrder);
        statuses.push(last.status);
        expect(last.headers.get("ratelimit-limit")).toBe(String(keyTokens));
        expect(last.headers.get("ratelimit-remaining")).toBe(String(keyTokens - (i + 1) * WRITE_TOKENS));
      }
      for (let i = 0; i < 6; i++) {
        last = await signed(key, "DELETE", unknownCancel());
        statuses.push(last.status);
      }
      expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404, 404, 429]);
      expect(CANCEL_TOKENS).toBe(2);
      const refused = last as NonNullable<typeof last>;
      expect(refused.body.error.code).toBe("RATE_LIMITED");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get("ratelimit-remaining")).toBe("0");
      expect(Number(refused.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(1);

      // The user's own bucket (80 tokens; 10 for POST /keys and 40 by the key spent, the refused
      // cancel given back) still serves the web session and another key.
      const web = await cookie(alice, "POST", "/orders", missingOrder);
      expect(web.status).toBe(404);
      expect(web.headers.get("ratelimit-limit")).toBe(String(WRITE_BURST * WRITE_TOKENS));
      expect(web.headers.get("ratelimit-remaining")).toBe(String(WRITE_BURST * WRITE_TOKENS - 60));
      const other = await newKey(alice);
      expect((await signed(other, "POST", "/orders", missingOrder)).status).toBe(404);
      // Reads are another bucket.
      const read = await signed(key, "GET", "/portfolio");
      expect(read.status).toBe(200);
      expect(read.headers.get("ratelimit-limit")).toBe(String(READ_BURST * KEY_SHARE));
    });

    test("a cancel-all and a heartbeat cost what one cancel costs, however many orders", async () => {
      const carol = await signIn(h);
      const key = await newKey(carol);
      const keyTokens = WRITE_BURST * KEY_SHARE * WRITE_TOKENS;
      const costs = [
        await signed(key, "DELETE", "/orders"),
        await signed(key, "POST", "/heartbeat", { timeoutMs: 10_000 }),
        await signed(key, "DELETE", "/heartbeat"),
      ];
      expect(costs.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(costs.map((r) => Number(r.headers.get("ratelimit-remaining")))).toEqual([
        keyTokens - CANCEL_TOKENS,
        keyTokens - 2 * CANCEL_TOKENS,
        keyTokens - 3 * CANCEL_TOKENS,
      ]);
    });

    test("the user bucket caps all keys together", async () => {
      const bob = await signIn(h);
      const keys = [await newKey(bob), await newKey(bob), await newKey(bob)];
      const statuses: number[] = [];
      // 8 writes per user in all, 3 of them the key creations; each key alone could do 4.
      for (let i = 0; i < 8; i++)
        statuses.push(
          (await signed(keys[i % 3] as (typeof keys)[0], "POST", "/orders", missingOrder)).status,
        );
      expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429, 429]);
    });

    test("an admin raises a user's tier: bigger buckets at once, audited; others cannot", async () => {
      const carol = await signIn(h);
      const key = await newKey(carol);
      for (let i = 0; i < 4; i++)
        expect((await signed(key, "POST", "/orders", missingOrder)).status).toBe(404);
      expect((await signed(key, "POST", "/orders", missingOrder)).status).toBe(429);

      const self = await cookie(carol, "POST", `/admin/users/${carol.userId}/rate-tier`, { tier: "pro" });
      expect(self.status).toBe(403);
      expect(
        (await cookie(admin, "POST", `/admin/users/${carol.userId}/rate-tier`, { tier: "gold" })).status,
      ).toBe(400);
      expect((await cookie(admin, "POST", "/admin/users/nobody/rate-tier", { tier: "pro" })).status).toBe(
        404,
      );
      const set = await cookie(admin, "POST", `/admin/users/${carol.userId}/rate-tier`, { tier: "pro" });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ userId: carol.userId, tier: "pro" });

      // Same replica: at once. Pro is 5× the standard budget.
      const after = await signed(key, "POST", "/orders", missingOrder);
      expect(after.status).toBe(404);
      const proKeyTokens = WRITE_BURST * TIER_MULTIPLIER.pro * KEY_SHARE * WRITE_TOKENS;
      expect(after.headers.get("ratelimit-limit")).toBe(String(proKeyTokens));
      const seen = await cookie(admin, "GET", `/admin/users/${carol.userId}/keys`);
      expect(seen.body.tier).toBe("pro");
      const audit = await h.db.db.execute(
        `select action, data from audit_log where target_id = '${carol.userId}' and action = 'RATE_TIER_SET'`,
      );
      expect(JSON.stringify(audit)).toContain('"tier":"pro"');
    });

    test("another API replica (empty memory, same Kv and database) sees the tier", async () => {
      const dave = await signIn(h);
      await cookie(admin, "POST", `/admin/users/${dave.userId}/rate-tier`, { tier: "market_maker" });
      const replica = h.rebuild();
      const srv = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, s) => replica.app.fetch(req, s) });
      try {
        const res = await fetch(`http://127.0.0.1:${srv.port}/api/v1/portfolio`, {
          headers: { cookie: dave.cookie },
        });
        expect(res.status).toBe(200);
        expect(res.headers.get("ratelimit-limit")).toBe(String(READ_BURST * TIER_MULTIPLIER.market_maker));
      } finally {
        srv.stop(true);
      }
    });
  });
}
