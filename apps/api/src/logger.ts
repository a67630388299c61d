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
    },
    options.destination,
  );
}
