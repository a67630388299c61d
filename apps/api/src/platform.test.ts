import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryKv, createMemoryQueue } from "@ox/bus";
import { ensureDevSecrets, parseApiEnv, type Source } from "@ox/config";
import type { CommandEnvelope } from "@ox/contracts";
import { createOutboxRepo, ledgerEntries, outbox, users } from "@ox/db";
import { createTestDb } from "@ox/db/testing";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import pino from "pino";
import { createRouter } from "./app-env.ts";

/** Parse, then the explicit dev-secret step, as every main does at boot. */
const loadEnv = (source: Source) => ensureDevSecrets(parseApiEnv(source));

import { createLogger } from "@ox/logger";
import { createTwilioSms } from "./sms/twilio-sms.ts";
import { createHarness, type Harness, request, signIn, testConfig } from "./test-harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe("OpenAPI, docs, health, error path", () => {
  test("openapi.json lists every route; /docs serves a page", async () => {
    const doc = (await (await request(h, "GET", "/api/v1/openapi.json")).json()) as {
      paths: Record<string, unknown>;
    };
    for (const p of [
      "/api/v1/auth/otp",
      "/api/v1/auth/verify",
      "/api/v1/auth/logout",
      "/api/v1/me",
      "/api/v1/wallet/deposits",
      "/api/v1/wallet/withdrawals",
      "/api/v1/wallet/transactions",
      "/api/v1/referrals/redeem",
      "/api/v1/kyc",
      "/api/v1/admin/kyc",
      "/api/v1/admin/kyc/{id}/decision",
      "/api/v1/webhooks/payments",
      "/api/v1/health",
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    const docs = await request(h, "GET", "/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("swagger");
  });

  test("health reports each dependency", async () => {
    const r = await request(h, "GET", "/api/v1/health");
    expect(r.status).toBe(200);
    const body = (await r.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(body.status).toBe("ok");
    expect(Object.keys(body.checks).sort()).toEqual(["commandQueue", "database", "kv"]);
  });

  test("unknown routes 404, bugs 500 with a request id that is logged", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (l: string) => void lines.push(l) });
    const boom = () => {
      const r = createRouter();
      r.get("/boom", () => {
        throw new Error("kaboom");
      });
      return r;
    };
    const app = h.rebuild({ logger, extraRoutes: [boom] }).app;
    expect((await app.request("/api/v1/nope")).status).toBe(404);
    const r = await app.request("/api/v1/boom", { headers: { "x-request-id": "req-123" } });
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({
      error: { code: "INTERNAL", message: "internal error", requestId: "req-123" },
    });
    expect(lines.some((l) => l.includes("kaboom") && l.includes("req-123"))).toBe(true);
  });

  test("malformed JSON and wrong content types are 400, never 500", async () => {
    const c = await signIn(h);
    for (const [body, type] of [
      ["{", "application/json"],
      ["", "application/json"],
      ["<x/>", "application/xml"],
    ] as const) {
      const r = await c.call("POST", "/api/v1/kyc", body, { "content-type": type });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
    }
  });

  test("cookie is Secure in production", async () => {
    const app = h.rebuild({ config: testConfig({ NODE_ENV: "production", SMS_PROVIDER: "twilio" }) }).app;
    const phone = "+919812300001";
    const code = await h.deps.kv.del(`otp:cool:${phone}`).then(() => null);
    expect(code).toBeNull();
    const otpRes = await app.request("/api/v1/auth/otp", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "10.3.3.3" },
      body: JSON.stringify({ phone }),
    });
    const { devOtp } = (await otpRes.json()) as { devOtp: string };
    const r = await app.request("/api/v1/auth/verify", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ phone, otp: devOtp }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.getSetCookie().join(";")).toContain("Secure");
  });
});

describe("fuzz: every request body", () => {
  test("no 500 and no state change on rejection", async () => {
    const c = await signIn(h);
    const admin = await signIn(h, "+919999900000", "10.2.2.2");
    const counts = async () => {
      const r = await h.db.db.execute(sql`select
        (select count(*) from users) u, (select count(*) from ledger_entries) l, (select count(*) from outbox) o,
        (select count(*) from kyc_requests) k, (select count(*) from deposits where status = 'CONFIRMED') d,
        (select count(*) from withdrawals) w, (select count(*) from referrals) r, (select count(*) from audit_log) a`);
      return JSON.stringify((r as unknown as { rows: unknown[] }).rows[0]);
    };
    const kycId = crypto.randomUUID();
    const routes: [string, string, Harness extends never ? never : typeof c][] = [
      ["POST", "/api/v1/auth/otp", c],
      ["POST", "/api/v1/auth/verify", c],
      ["POST", "/api/v1/wallet/deposits", c],
      ["POST", "/api/v1/wallet/withdrawals", c],
      ["POST", "/api/v1/referrals/redeem", c],
      ["POST", "/api/v1/kyc", c],
      ["POST", `/api/v1/admin/kyc/${kycId}/decision`, admin],
      ["POST", "/api/v1/webhooks/payments", c],
    ];
    const field = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.jsonValue(),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.string(),
      fc.record(
        {
          phone: field,
          otp: field,
          amount: field,
          amountPaise: field,
          code: field,
          pan: field,
          name: field,
          bankAccount: field,
          ifsc: field,
          status: field,
          reason: field,
          depositId: field,
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, async ([method, path, who], b) => {
        const before = await counts();
        const raw = typeof b === "string" ? b : JSON.stringify(b);
        const r = await who.call(method, path, raw, {
          "content-type": "application/json",
          "x-forwarded-for": "10.99.0.1",
        });
        expect(r.status).toBeLessThan(500);
        const parsed = (await r.json()) as { error?: { code: string } };
        if (r.status >= 400) {
          expect(typeof parsed.error?.code).toBe("string");
          expect(await counts()).toBe(before);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("outbox relay", () => {
  test("a failing queue never blocks login, and the credit is delivered once the queue is back", async () => {
    const db = await createTestDb("postgres");
    const inner = createMemoryQueue<CommandEnvelope>();
    let down = true;
    const queue = {
      ...inner,
      send: (b: CommandEnvelope) => (down ? Promise.reject(new Error("redis down")) : inner.send(b)),
    };
    const { app, relay } = h.rebuild({
      db: db.db,
      readDb: undefined,
      kv: createMemoryKv(),
      commandQueue: queue,
      clock: { now: () => Date.now() },
      relay: { intervalMs: 150, maxBackoffMs: 100 },
    });
    relay.start();
    try {
      const phone = "+919800000077";
      const r1 = await app.request("/api/v1/auth/otp", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ phone }),
      });
      const { devOtp } = (await r1.json()) as { devOtp: string };
      const r2 = await app.request("/api/v1/auth/verify", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ phone, otp: devOtp }),
      });
      expect(r2.status).toBe(200);
      await Bun.sleep(500);
      const repo = createOutboxRepo(db.db);
      expect(await repo.pendingCount()).toBe(2);
      const [first] = await db.db.select().from(outbox).orderBy(outbox.seq).limit(1);
      expect(first?.attempts).toBeGreaterThan(1);
      down = false;
      for (let i = 0; i < 40 && (await repo.pendingCount()) > 0; i++) await Bun.sleep(50);
      expect(await repo.pendingCount()).toBe(0);
      const got = await inner.receive(10, 10);
      expect(got.map((d) => d.body.command?.type)).toEqual(["CREATE_USER", "CREDIT"]);
      const credit = got[1]?.body;
      expect(credit?.command).toMatchObject({
        type: "CREDIT",
        amountPaise: 1500,
        kind: "BONUS",
        ref: credit?.id,
      });
      expect((await db.db.select().from(users)).length).toBe(1);
      expect((await db.db.select().from(ledgerEntries)).length).toBe(1);
    } finally {
      await relay.stop();
      await db.close();
    }
  });
});

describe("configuration, logging, SMS", () => {
  test("env: production needs JWT_SECRET and refuses console SMS; dev secret generated into DATA_DIR", () => {
    expect(() =>
      loadEnv({
        NODE_ENV: "production",
        SMS_PROVIDER: "twilio",
        TWILIO_ACCOUNT_SID: "a",
        TWILIO_AUTH_TOKEN: "b",
        TWILIO_FROM: "c",
        PAYMENT_WEBHOOK_SECRET: "x".repeat(20),
      }),
    ).toThrow(/JWT_SECRET/);
    expect(() =>
      loadEnv({ NODE_ENV: "production", JWT_SECRET: "s".repeat(40), PAYMENT_WEBHOOK_SECRET: "x".repeat(20) }),
    ).toThrow(/console is refused/);
    expect(() => loadEnv({ SMS_PROVIDER: "twilio" })).toThrow(/TWILIO_ACCOUNT_SID/);
    expect(() => loadEnv({ PORT: "abc" })).toThrow(/PORT/);
    const dir = mkdtempSync(join(tmpdir(), "ox-env-"));
    const env = loadEnv({ DATA_DIR: dir, ADMIN_PHONES: "+919999900000, +919999900001" });
    expect(env.JWT_SECRET.length).toBeGreaterThan(30);
    expect(readFileSync(join(dir, "jwt-secret"), "utf8")).toBe(env.JWT_SECRET);
    expect(loadEnv({ DATA_DIR: dir }).JWT_SECRET).toBe(env.JWT_SECRET);
    expect(env.ADMIN_PHONES).toEqual(["+919999900000", "+919999900001"]);
    expect(env.SIGNUP_BONUS_PAISE).toBe(1500);
  });

  test("logs redact otp, tokens, cookies, pan and bank account", () => {
    const lines: string[] = [];
    const log = createLogger({ destination: { write: (l: string) => void lines.push(l) } });
    log.info(
      {
        otp: "123456",
        body: { pan: "ABCDE1234F", bankAccount: "1234567890" },
        headers: { cookie: "ox_session=abc" },
        token: "jwt",
      },
      "x",
    );
    const out = lines.join("");
    for (const secret of ["123456", "ABCDE1234F", "1234567890", "ox_session=abc", 'jwt"'])
      expect(out).not.toContain(secret);
  });

  test("twilio: the exact Messages API request, form-encoded with basic auth", async () => {
    const seen: { method: string; path: string; auth: string | null; type: string | null; body: string }[] =
      [];
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        seen.push({
          method: req.method,
          path: new URL(req.url).pathname,
          auth: req.headers.get("authorization"),
          type: req.headers.get("content-type"),
          body: await req.text(),
        });
        return seen.length === 1
          ? Response.json({ sid: "SM1" }, { status: 201 })
          : Response.json({ message: "bad" }, { status: 400 });
      },
    });
    try {
      const sms = createTwilioSms({
        accountSid: "AC123",
        authToken: "tok",
        from: "+15005550006",
        baseUrl: `http://127.0.0.1:${server.port}`,
      });
      await sms.send("+919876543210", "123456 is your code");
      expect(seen[0]).toEqual({
        method: "POST",
        path: "/2010-04-01/Accounts/AC123/Messages.json",
        auth: `Basic ${Buffer.from("AC123:tok").toString("base64")}`,
        type: "application/x-www-form-urlencoded",
        body: "To=%2B919876543210&From=%2B15005550006&Body=123456+is+your+code",
      });
      await expect(sms.send("+919876543210", "x")).rejects.toThrow(/HTTP 400/);
    } finally {
      server.stop(true);
    }
  });
});
