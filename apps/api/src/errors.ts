import type { ErrorCode } from "@ox/contracts";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The one table from error code to HTTP status. */
export const ERROR_STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  VALIDATION_ERROR: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CSRF: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  OTP_INVALID: 401,
  OTP_EXPIRED: 401,
  OTP_LOCKED: 429,
  REFERRAL_CODE_UNKNOWN: 404,
  REFERRAL_SELF: 422,
  REFERRAL_ALREADY_REDEEMED: 409,
  KYC_EXISTS: 409,
  KYC_REQUIRED: 403,
  KYC_NOT_PENDING: 409,
  AMOUNT_TOO_SMALL: 422,
  AMOUNT_TOO_LARGE: 422,
  INSUFFICIENT_FUNDS: 422,
  INVALID_SIGNATURE: 401,
  ENGINE_UNAVAILABLE: 503,
  PAYMENT_FAILED: 502,
  SMS_UNAVAILABLE: 503,
  CONFLICT: 409,
  INTERNAL: 500,
};

/** A business outcome that becomes a 4xx/5xx answer. Anything else thrown is a bug (500). */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSec?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ApiError";
    this.status = ERROR_STATUS[code];
    this.retryAfterSec = options?.retryAfterSec;
  }
  readonly retryAfterSec: number | undefined;
}
