import { createRoute } from "@hono/zod-openapi";
import { DepositWebhook, WebhookResponse } from "@ox/contracts";
import { createPaymentsRepo } from "@ox/db";
import type { MiddlewareHandler } from "hono";
import type { RouteContext } from "../app.ts";
import { type AppEnv, createRouter } from "../app-env.ts";
import { ApiError } from "../errors.ts";
import { verifyWebhookSignature } from "../payments/gateway.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";

export function createWebhookRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  const payments = createPaymentsRepo(deps.db);
  const router = createRouter();

  // Runs before body validation: an unsigned request is 401 whatever it contains.
  const signed: MiddlewareHandler<AppEnv> = async function webhookSignature(c, next) {
    const raw = await c.req.text();
    if (!verifyWebhookSignature(deps.config.PAYMENT_WEBHOOK_SECRET, raw, c.req.header("x-ox-signature"))) {
      throw new ApiError("INVALID_SIGNATURE", "bad webhook signature");
    }
    return next();
  };

  router.openapi(
    createRoute({
      method: "post",
      path: "/webhooks/payments",
      tags: ["wallet"],
      summary:
        "Payment gateway callback. HMAC-SHA256 of the raw body in `x-ox-signature: sha256=<hex>`. Idempotent.",
      middleware: [signed],
      request: { body: jsonBody(DepositWebhook) },
      responses: {
        200: json(WebhookResponse, "Processed (applied=false for a replay)"),
        ...errors(400, 401, 404, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const deposit = await payments.findDeposit(body.depositId);
      if (!deposit) throw new ApiError("NOT_FOUND", "unknown deposit");
      if (deposit.amountPaise !== body.amount)
        throw new ApiError("VALIDATION_ERROR", "amount does not match the deposit");
      const now = deps.clock.now();
      if (body.status === "FAILED")
        return c.json({ applied: await payments.failDeposit(deposit.id, body.gatewayRef, now) }, 200);
      const { applied } = await payments.confirmDeposit(deposit.id, body.gatewayRef, now, {
        referralMinDepositPaise: deps.config.REFERRAL_MIN_DEPOSIT_PAISE,
      });
      if (applied) deps.outbox.kick();
      return c.json({ applied }, 200);
    },
  );
  return router;
}
