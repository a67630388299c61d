/**
 * `@ox/logger`: the one pino set-up of every process: secrets redacted wherever they appear, and
 * database errors without the driver's bound parameters. The mains and the platform create their
 * logger here, so no process logs a PAN, an OTP or a cookie because it forgot the redaction.
 */
import { redactDbError } from "@ox/db";
import pino, { type DestinationStream, type Logger } from "pino";

const SECRET_KEYS = [
  "otp",
  "devOtp",
  "token",
  "accessToken",
  "refreshToken",
  "cookie",
  "pan",
  "bankAccount",
  "authorization",
];

/**
 * pino's error serializer, minus what a database driver puts on its errors: the statement's bound
 * parameters (phone, PAN, bank account, OTP hash) and values Postgres echoes in `detail`.
 */
export function serializeError(err: unknown): unknown {
  return redactDbError(pino.stdSerializers.err(err as Error), err);
}

/** Secrets are redacted wherever they appear up to three levels deep, and in request/response headers. */
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers["set-cookie"]',
  'res.headers["set-cookie"]',
  "headers.cookie",
  'headers["set-cookie"]',
];

export function createLogger(
  options: {
    level?: string;
    /** The `service` field of every line; default "api" (the API and the one-process platform). */
    service?: string;
    destination?: DestinationStream;
  } = {},
): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service ?? "api" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers: { err: serializeError, error: serializeError },
    },
    options.destination,
  );
}
