import { createHmac, timingSafeEqual } from "node:crypto";

export interface PaymentStart {
  /** CONFIRMED: the money is in now (sandbox). PENDING: the gateway will call the webhook. */
  status: "CONFIRMED" | "PENDING" | "FAILED";
  gatewayRef: string;
  redirectUrl: string | null;
}

/** Money in: a payment gateway (UPI / cards). */
export interface PaymentGateway {
  readonly name: string;
  createPayment(input: { depositId: string; userId: string; amountPaise: number }): Promise<PaymentStart>;
}

export type PayoutResult = { ok: true; payoutRef: string } | { ok: false; reason: string };

/** Money out: bank transfer to the KYC-verified account. */
export interface PayoutProvider {
  readonly name: string;
  payout(input: {
    withdrawalId: string;
    userId: string;
    amountPaise: number;
    bankAccount: string;
    ifsc: string;
  }): Promise<PayoutResult>;
}

/**
 * `instant` confirms at once (development only: env.ts refuses it in production); `webhook` leaves the
 * deposit PENDING until the signed webhook confirms it.
 */
export function createSandboxGateway(options: { mode?: "instant" | "webhook" } = {}): PaymentGateway {
  const mode = options.mode ?? "instant";
  return {
    name: "sandbox",
    async createPayment({ depositId }) {
      return {
        status: mode === "instant" ? "CONFIRMED" : "PENDING",
        gatewayRef: `sbx_${depositId}`,
        redirectUrl: null,
      };
    },
  };
}

/** A deposit the payer completes elsewhere; only the HMAC-signed webhook moves it out of PENDING. */
export function createWebhookGateway(): PaymentGateway {
  return {
    name: "webhook",
    async createPayment({ depositId }) {
      return { status: "PENDING", gatewayRef: `wh_${depositId}`, redirectUrl: null };
    },
  };
}

export function createSandboxPayouts(
  options: { fail?: (amountPaise: number) => string | null } = {},
): PayoutProvider {
  return {
    name: "sandbox",
    async payout({ withdrawalId, amountPaise }) {
      const reason = options.fail?.(amountPaise) ?? null;
      return reason ? { ok: false, reason } : { ok: true, payoutRef: `sbx_po_${withdrawalId}` };
    },
  };
}

/** Webhook signature: hex HMAC-SHA256 of the raw body, header `x-ox-signature: sha256=<hex>`. */
export function signWebhook(secret: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

export function verifyWebhookSignature(secret: string, rawBody: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhook(secret, rawBody));
  const given = Buffer.from(header.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}
