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

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "api" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers: { err: serializeError, error: serializeError },
    },
    options.destination,
  );
}
