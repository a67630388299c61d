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
  KYC_PAN_IN_USE: 409,
  KYC_BANK_ACCOUNT_IN_USE: 409,
  KYC_SELF_DECISION: 403,
  AMOUNT_TOO_SMALL: 422,
  AMOUNT_TOO_LARGE: 422,
  INSUFFICIENT_FUNDS: 422,
  INVALID_SIGNATURE: 401,
  API_KEY_UNKNOWN: 401,
  API_KEY_REVOKED: 401,
  API_KEY_SCOPE: 403,
  API_KEY_IP_REFUSED: 403,
  API_KEY_NOT_ALLOWED: 403,
  API_KEY_LIMIT: 409,
  SIGNATURE_EXPIRED: 401,
  SIGNATURE_REPLAYED: 401,
  ENGINE_UNAVAILABLE: 503,
  SERVICE_UNAVAILABLE: 503,
  PAYMENT_FAILED: 502,
  SMS_UNAVAILABLE: 503,
  CONFLICT: 409,
  INTERNAL: 500,
  // Engine rejections: malformed input 400, a missing thing 404, a state conflict 409, a business
  // rule that refused a well-formed order 422.
  INVALID_COMMAND: 400,
  INVALID_PRICE: 400,
  INVALID_QUANTITY: 400,
  INVALID_AMOUNT: 400,
  INVALID_MARKET_PARAMS: 400,
  USER_NOT_FOUND: 409, // the account is not in the engine yet (outbox still relaying): retry shortly
  MARKET_NOT_FOUND: 404,
  UNKNOWN_ORDER: 404,
  MARKET_EXISTS: 409,
  MARKET_CLOSED: 409,
  MARKET_ALREADY_RESOLVED: 409,
  ORDER_ID_EXISTS: 409,
  INSUFFICIENT_SHARES: 422,
  POSITION_LIMIT: 422,
  POST_ONLY_WOULD_TAKE: 422,
  FOK_NOT_FILLABLE: 422,
  INVALID_EXPIRY: 400,
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
