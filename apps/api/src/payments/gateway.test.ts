/**
 * Issue 9, "money that can be conjured": outside the development sandbox a deposit is money only when
 * the signed webhook says so; production refuses the instant sandbox; the HTTP provider's request is
 * checked against a local stand-in (the only fake: the paid edge).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ensureDevSecrets, parseApiEnv, type Source } from "@ox/config";
import { createAccountsRepo, createPaymentsRepo } from "@ox/db";

const loadEnv = (source: Source) => ensureDevSecrets(parseApiEnv(source));

import { createPaymentGateway } from "../runtime.ts";
import { createHarness, type Harness, request, signIn } from "../test-harness.ts";
import { createWebhookGateway, type PaymentGateway, signWebhook } from "./gateway.ts";
import { createProviderGateway } from "./provider-gateway.ts";

const PRODUCTION = {
  NODE_ENV: "production",
  JWT_SECRET: "s".repeat(40),
  PAYMENT_WEBHOOK_SECRET: "w".repeat(20),
  SMS_PROVIDER: "twilio",
  TWILIO_ACCOUNT_SID: "AC1",
  TWILIO_AUTH_TOKEN: "t",
  TWILIO_FROM: "+15005550006",
  PUBLIC_ORIGINS: "https://exchange.example.com",
};

interface Seen {
  method: string;
  path: string;
  auth: string | null;
  type: string | null;
  body: unknown;
}
const seen: Seen[] = [];
let providerAnswer: () => Response = () =>
  Response.json({ id: "plink_1", short_url: "https://pay.example/l/1", status: "created" });
const provider = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(req) {
    seen.push({
      method: req.method,
      path: new URL(req.url).pathname,
      auth: req.headers.get("authorization"),
      type: req.headers.get("content-type"),
      body: await req.json(),
    });
    return providerAnswer();
  },
});
const providerUrl = `http://127.0.0.1:${provider.port}`;

let h: Harness;
let gateway: PaymentGateway = createWebhookGateway();
beforeAll(async () => {
  h = await createHarness({
    payments: {
      get name() {
        return gateway.name;
      },
      createPayment: (input) => gateway.createPayment(input),
    },
  });
});
afterAll(async () => {
  provider.stop(true);
  await h.close();
});

const balanceOf = async (userId: string) => (await createAccountsRepo(h.db.db).wallet(userId))?.balancePaise;

describe("configuration", () => {
  test("production refuses the instant sandbox and requires the provider's keys", () => {
    expect(() => loadEnv(PRODUCTION)).toThrow(/PAYMENT_GATEWAY: sandbox confirms every deposit instantly/);
    expect(() => loadEnv({ ...PRODUCTION, PAYMENT_GATEWAY: "sandbox" })).toThrow(/refused in production/);
    expect(loadEnv({ ...PRODUCTION, PAYMENT_GATEWAY: "webhook" }).PAYMENT_GATEWAY).toBe("webhook");
    expect(() => loadEnv({ ...PRODUCTION, PAYMENT_GATEWAY: "provider" })).toThrow(/PAYMENT_PROVIDER_URL/);
    expect(() => loadEnv({ ...PRODUCTION, PAYMENT_GATEWAY: "instant" })).toThrow(/PAYMENT_GATEWAY/);
    const env = loadEnv({
      ...PRODUCTION,
      PAYMENT_GATEWAY: "provider",
      PAYMENT_PROVIDER_URL: providerUrl,
      PAYMENT_PROVIDER_KEY_ID: "k",
      PAYMENT_PROVIDER_KEY_SECRET: "s",
    });
    expect(createPaymentGateway(env).name).toBe("provider");
    expect(createPaymentGateway(loadEnv({ ...PRODUCTION, PAYMENT_GATEWAY: "webhook" })).name).toBe("webhook");
  });
});

describe("a deposit outside the sandbox", () => {
  test("stays PENDING with no money moved until the signed webhook confirms it", async () => {
    gateway = createWebhookGateway();
    const c = await signIn(h);
    await h.settle();
    const r = await c.call("POST", "/api/v1/wallet/deposits", { amountPaise: 50_000 });
    expect(r.status).toBe(201);
    const { deposit } = (await r.json()) as { deposit: { id: string; status: string; amountPaise: number } };
    expect(deposit.status).toBe("PENDING");
    await h.settle();
    expect(await balanceOf(c.userId)).toBe(1_500);
    expect(h.engine.account(c.userId)?.availablePaise).toBe(1_500);

    const body = JSON.stringify({
      depositId: deposit.id,
      gatewayRef: "pay_1",
      status: "SUCCESS",
      amount: 50_000,
    });
    const unsigned = await request(h, "POST", "/api/v1/webhooks/payments", body, {
      "x-ox-signature": "sha256=00",
    });
    expect(unsigned.status).toBe(401);
    expect(await balanceOf(c.userId)).toBe(1_500);

    const signed = await request(h, "POST", "/api/v1/webhooks/payments", body, {
      "x-ox-signature": signWebhook(h.deps.config.PAYMENT_WEBHOOK_SECRET, body),
    });
    expect(await signed.json()).toEqual({ applied: true });
    await h.settle();
    expect(await balanceOf(c.userId)).toBe(51_500);
    expect(h.engine.account(c.userId)?.availablePaise).toBe(51_500);
  });

  test("provider: the exact payment-link request, the payer sent to its URL, a refusal fails the deposit", async () => {
    gateway = createProviderGateway({
      baseUrl: providerUrl,
      keyId: "rzp_key",
      keySecret: "rzp_secret",
      returnUrl: "https://ox.example/wallet",
    });
    const c = await signIn(h);
    seen.length = 0;
    const r = await c.call("POST", "/api/v1/wallet/deposits", { amountPaise: 20_000 });
    expect(r.status).toBe(201);
    const started = (await r.json()) as { deposit: { id: string; status: string }; redirectUrl: string };
    expect(started.deposit.status).toBe("PENDING");
    expect(started.redirectUrl).toBe("https://pay.example/l/1");
    expect(seen).toEqual([
      {
        method: "POST",
        path: "/v1/payment_links",
        auth: `Basic ${Buffer.from("rzp_key:rzp_secret").toString("base64")}`,
        type: "application/json",
        body: {
          amount: 20_000,
          currency: "INR",
          reference_id: started.deposit.id,
          description: "Wallet deposit",
          notes: { userId: c.userId },
          callback_url: "https://ox.example/wallet",
          callback_method: "get",
        },
      },
    ]);
    expect(await balanceOf(c.userId)).toBe(1_500);

    providerAnswer = () => Response.json({ error: { code: "BAD_REQUEST_ERROR" } }, { status: 400 });
    const refused = await c.call("POST", "/api/v1/wallet/deposits", { amountPaise: 30_000 });
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("PAYMENT_FAILED");
    const payments = createPaymentsRepo(h.db.db);
    const last = (await h.db.db.query.deposits.findMany()).filter((d) => d.userId === c.userId);
    expect(last.map((d) => d.status).sort()).toEqual(["FAILED", "PENDING"]);
    expect((await payments.findDeposit(started.deposit.id))?.status).toBe("PENDING");
    expect(await balanceOf(c.userId)).toBe(1_500);
  });
});
