import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import type { LimitFamily, LimitScope } from "./rate-limit.ts";
import { createTradingHarness, type TradingHarness } from "./routes/orders-harness.ts";
import { REDIS_URL } from "./test-harness.ts";

/** A browser-like client over real HTTP (cookie kept), signed in with the console OTP. */
async function httpUser(base: string, phone: string) {
  const post = (path: string, body: unknown, cookie?: string) =>
    fetch(`${base}/api/v1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie && { cookie }) },
      body: JSON.stringify(body),
    });
  const otp = await post("/auth/otp", { phone });
  expect(otp.status).toBe(200);
  const { devOtp } = (await otp.json()) as { devOtp: string };
  const verify = await post("/auth/verify", { phone, otp: devOtp });
  expect(verify.status).toBe(200);
  const cookie = /^(ox_session=[^;]*)/.exec(verify.headers.getSetCookie()[0] ?? "")?.[1] ?? "";
  return {
    call: (method: string, path: string, body?: unknown) =>
      fetch(`${base}/api/v1${path}`, {
        method,
        headers: { cookie, ...(body !== undefined && { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}

const missingMarketOrder = {
  marketId: "no-such-market",
  outcome: "YES",
  side: "BUY",
  type: "LIMIT",
  pricePaise: 500,
  quantity: 1,
};
let phoneSeq = Math.floor(Math.random() * 1_000_000);
const phone = () => `+9170${String(phoneSeq++ % 100_000_000).padStart(8, "0")}`;

for (const backend of ["memory", "redis"] as const) {
  describe(`rate limits over HTTP (${backend})`, () => {
    let h: TradingHarness;
    let server: ReturnType<typeof Bun.serve>;
    let base: string;
    let redis: Redis | undefined;
    const limited: { family: LimitFamily; scope: LimitScope }[] = [];

    beforeAll(async () => {
      redis = backend === "redis" ? new Redis(REDIS_URL, { enableOfflineQueue: false }) : undefined;
      if (redis) await new Promise((r) => redis?.once("ready", r));
      h = await createTradingHarness({
        config: {
          RATE_LIMITS: true,
          RATE_LIMIT_PREFIX: `test-rl-${crypto.randomUUID()}`,
          RATE_LIMIT_WRITE: { perSec: 1, burst: 5 },
          RATE_LIMIT_READ: { perSec: 1, burst: 30 },
          RATE_LIMIT_WRITE_IP: { perSec: 100, burst: 100 },
          RATE_LIMIT_READ_IP: { perSec: 100, burst: 100 },
          RATE_LIMIT_AUTH_IP: { perSec: 100, burst: 100 },
          TRUSTED_PROXIES: null,
        },
        rateLimitRedis: redis,
        onRateLimited: (e) => limited.push(e),
      });
      server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, srv) => h.app.fetch(req, srv) });
      base = `http://127.0.0.1:${server.port}`;
    });
    afterAll(async () => {
      server.stop(true);
      await h.close();
      redis?.disconnect();
    });

    test("a user's write bucket empties into 429 RATE_LIMITED with Retry-After and RateLimit-* headers", async () => {
      const mallory = await httpUser(base, phone());
      const alice = await httpUser(base, phone());
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => mallory.call("POST", "/orders", missingMarketOrder)),
      );
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429, 429]);
      const refused = answers.find((r) => r.status === 429) as Response;
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get("ratelimit-limit")).toBe("50"); // tokens: 5 creates of 10
      expect(refused.headers.get("ratelimit-remaining")).toBe("0");
      expect(Number(refused.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(1);
      const ok = answers.find((r) => r.status === 404) as Response;
      expect(ok.headers.get("ratelimit-limit")).toBe("50");

      // Cancels draw on the same bucket; reads and other users do not.
      expect((await mallory.call("DELETE", "/orders/00000000-0000-4000-8000-000000000000")).status).toBe(429);
      expect((await mallory.call("GET", "/markets")).status).toBe(200);
      expect((await alice.call("POST", "/orders", missingMarketOrder)).status).toBe(404);
      expect(limited.filter((e) => e.family === "write" && e.scope === "user").length).toBe(4);
    });

    test("the IP bucket limits every user behind one address, and anonymous reads", async () => {
      const tight = await createTradingHarness({
        config: {
          RATE_LIMITS: true,
          RATE_LIMIT_PREFIX: `test-rl-${crypto.randomUUID()}`,
          RATE_LIMIT_READ_IP: { perSec: 1, burst: 4 },
          RATE_LIMIT_AUTH_IP: { perSec: 100, burst: 100 },
          TRUSTED_PROXIES: null,
        },
        rateLimitRedis: redis,
      });
      const srv = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, s) => tight.app.fetch(req, s) });
      try {
        const url = `http://127.0.0.1:${srv.port}/api/v1/markets`;
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) statuses.push((await fetch(url)).status);
        expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
        // Health and the payment webhook are outside the buckets.
        expect((await fetch(`http://127.0.0.1:${srv.port}/api/v1/health`)).status).toBe(200);
      } finally {
        srv.stop(true);
        await tight.close();
      }
    });

    test("the auth bucket is per IP and separate from reads", async () => {
      const tight = await createTradingHarness({
        config: {
          RATE_LIMITS: true,
          RATE_LIMIT_PREFIX: `test-rl-${crypto.randomUUID()}`,
          RATE_LIMIT_AUTH_IP: { perSec: 0.1, burst: 2 },
          TRUSTED_PROXIES: null,
        },
        rateLimitRedis: redis,
      });
      const srv = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, s) => tight.app.fetch(req, s) });
      try {
        const otp = () =>
          fetch(`http://127.0.0.1:${srv.port}/api/v1/auth/otp`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ phone: phone() }),
          });
        expect([(await otp()).status, (await otp()).status, (await otp()).status]).toEqual([200, 200, 429]);
        expect((await fetch(`http://127.0.0.1:${srv.port}/api/v1/markets`)).status).toBe(200);
      } finally {
        srv.stop(true);
        await tight.close();
      }
    });
  });
}

test("two API replicas on one Redis share the buckets", async () => {
  const redis = new Redis(REDIS_URL);
  const config = {
    RATE_LIMITS: true,
    RATE_LIMIT_PREFIX: `test-rl-${crypto.randomUUID()}`,
    RATE_LIMIT_READ_IP: { perSec: 1, burst: 3 },
    TRUSTED_PROXIES: null,
  };
  const a = await createTradingHarness({ config, rateLimitRedis: redis });
  const b = await createTradingHarness({ config, rateLimitRedis: redis });
  const servers = [a, b].map((h) =>
    Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, s) => h.app.fetch(req, s) }),
  );
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const srv = servers[i % 2] as (typeof servers)[number];
      statuses.push((await fetch(`http://127.0.0.1:${srv.port}/api/v1/markets`)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  } finally {
    for (const s of servers) s.stop(true);
    await a.close();
    await b.close();
    redis.disconnect();
  }
});
