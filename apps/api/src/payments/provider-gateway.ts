import type { PaymentGateway } from "./gateway.ts";

export interface ProviderGatewayOptions {
  /** The provider's API root, or a local stand-in for tests. */
  baseUrl: string;
  keyId: string;
  keySecret: string;
  /** Where the provider sends the payer back after paying. */
  returnUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The provider was unreachable or refused the request; the deposit is marked FAILED. */
export class PaymentProviderError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PaymentProviderError";
  }
}

/**
 * A hosted payment link (the shape of Razorpay's Payment Links API: POST /v1/payment_links, JSON,
 * HTTP basic auth with the key id and secret, amount in paise). The deposit stays PENDING: the money
 * is in only when the provider's signed webhook says so (routes/webhooks.ts); what this call returns
 * is where to send the payer.
 */
export function createProviderGateway(options: ProviderGatewayOptions): PaymentGateway {
  const url = `${options.baseUrl.replace(/\/$/, "")}/v1/payment_links`;
  const auth = `Basic ${Buffer.from(`${options.keyId}:${options.keySecret}`).toString("base64")}`;
  const doFetch = options.fetch ?? fetch;
  return {
    name: "provider",
    async createPayment({ depositId, userId, amountPaise }) {
      let res: Response;
      try {
        res = await doFetch(url, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({
            amount: amountPaise,
            currency: "INR",
            reference_id: depositId,
            description: "Wallet deposit",
            notes: { userId },
            ...(options.returnUrl && { callback_url: options.returnUrl, callback_method: "get" }),
          }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (cause) {
        throw new PaymentProviderError("payment provider unreachable", undefined, { cause });
      }
      const text = await res.text().catch(() => "");
      if (!res.ok)
        throw new PaymentProviderError(
          `payment provider refused: HTTP ${res.status} ${text.slice(0, 200)}`,
          res.status,
        );
      let link: { id?: unknown; short_url?: unknown };
      try {
        link = JSON.parse(text);
      } catch (cause) {
        throw new PaymentProviderError(
          "payment provider answered with something other than JSON",
          res.status,
          { cause },
        );
      }
      if (typeof link.id !== "string" || typeof link.short_url !== "string")
        throw new PaymentProviderError("payment provider answered without id or short_url", res.status);
      return { status: "PENDING", gatewayRef: link.id, redirectUrl: link.short_url };
    },
  };
}
