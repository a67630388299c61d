import { z } from "zod";

/** Every error code the HTTP API returns. Statuses live in one table in apps/api (error-codes.ts). */
export const ERROR_CODES = [
  "VALIDATION_ERROR",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "CSRF",
  "NOT_FOUND",
  "RATE_LIMITED",
  "OTP_INVALID",
  "OTP_EXPIRED",
  "OTP_LOCKED",
  "REFERRAL_CODE_UNKNOWN",
  "REFERRAL_SELF",
  "REFERRAL_ALREADY_REDEEMED",
  "KYC_EXISTS",
  "KYC_REQUIRED",
  "KYC_NOT_PENDING",
  "KYC_PAN_IN_USE",
  "KYC_BANK_ACCOUNT_IN_USE",
  "KYC_SELF_DECISION",
  "AMOUNT_TOO_SMALL",
  "AMOUNT_TOO_LARGE",
  "INSUFFICIENT_FUNDS",
  "INVALID_SIGNATURE",
  // Signed requests with an API key (README "Trading programmatically").
  "API_KEY_UNKNOWN",
  "API_KEY_REVOKED",
  "API_KEY_SCOPE",
  "API_KEY_IP_REFUSED",
  "API_KEY_NOT_ALLOWED",
  "API_KEY_LIMIT",
  "SIGNATURE_EXPIRED",
  "SIGNATURE_REPLAYED",
  "ENGINE_UNAVAILABLE",
  /** Redis, Postgres or Kafka down or stalled: 503 with Retry-After. */
  "SERVICE_UNAVAILABLE",
  "PAYMENT_FAILED",
  "SMS_UNAVAILABLE",
  "CONFLICT",
  "INTERNAL",
  // The engine's rejection codes (packages/engine ResultCode), passed through unchanged.
  "INVALID_COMMAND",
  "INVALID_PRICE",
  "INVALID_QUANTITY",
  "INVALID_AMOUNT",
  "INVALID_MARKET_PARAMS",
  "USER_NOT_FOUND",
  "MARKET_NOT_FOUND",
  "UNKNOWN_ORDER",
  "MARKET_EXISTS",
  "MARKET_CLOSED",
  "MARKET_ALREADY_RESOLVED",
  "ORDER_ID_EXISTS",
  "INSUFFICIENT_SHARES",
  "POSITION_LIMIT",
  "POST_ONLY_WOULD_TAKE",
  "FOK_NOT_FILLABLE",
  "INVALID_EXPIRY",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ example: "VALIDATION_ERROR" }),
      message: z.string(),
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: "Error" });
export type ErrorResponse = z.infer<typeof ErrorResponse>;
