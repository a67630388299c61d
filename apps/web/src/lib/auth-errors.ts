/** The login page's words for the auth endpoints' error codes (@ox/contracts ERROR_CODES). */
import type { ErrorCode } from "@ox/contracts";
import type { MessageKey } from "../i18n/en";

const AUTH_ERRORS: Partial<Record<ErrorCode, MessageKey>> = {
  OTP_INVALID: "errOtpInvalid",
  OTP_EXPIRED: "errOtpExpired",
  OTP_LOCKED: "errOtpLocked",
  RATE_LIMITED: "errRateLimited",
  SMS_UNAVAILABLE: "errSmsUnavailable",
  VALIDATION_ERROR: "errAuthValidation",
};

/** The message key for a server code, or null to fall back to the generic error text. */
export function authErrorKey(code: string): MessageKey | null {
  return AUTH_ERRORS[code as ErrorCode] ?? null;
}

/** The length of the SMS code (SPEC: a 6-digit OTP); the form submits itself at this many digits. */
export const OTP_LENGTH = 6;
