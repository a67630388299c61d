/**
 * One answer to "is this error the infrastructure (retry later) or the data/the code (retrying will
 * not help)?", shared by the API (503 + Retry-After instead of 500), the persister (retry in place;
 * never quarantine a batch for it) and the engine. Classified by error codes and names only, so no
 * driver has to be imported here: node's socket errors, Postgres SQLSTATE classes, ioredis and
 * kafkajs error names. The `cause` chain is followed (drizzle wraps driver errors).
 */

const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "ConnectionRefused",
  "ConnectionClosed",
]);

/** Postgres: connection exceptions (08), shutdown / cannot connect now (57P01-3), resources (53), retriable conflicts. */
const PG_TRANSIENT = /^(08...|57P0[123]|53...|40001|40P01)$/;

const NAMES = new Set([
  // ioredis
  "MaxRetriesPerRequestError",
  // kafkajs
  "KafkaJSConnectionError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSNumberOfRetriesExceeded",
  "KafkaJSBrokerNotFound",
  "KafkaJSConnectionClosedError",
  "KafkaJSLockTimeout",
  // ours
  "InfraTimeoutError",
]);

const MESSAGES = [
  /^Connection is closed/i, // ioredis
  /^Command timed out/i, // ioredis commandTimeout
  /^(LOADING|READONLY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN)\b/, // Redis replies while it restarts / fails over
  /Connection terminated/i, // node-postgres
  /timeout exceeded when trying to connect/i, // pg pool
  /not queryable/i, // pg client after a connection error
  /Client was closed and is not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/** A timeout of a call to Redis, Kafka or Postgres on a request path. */
export class InfraTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = "InfraTimeoutError";
  }
}

export function isTransientError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    const e = current as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      retriable?: unknown;
      cause?: unknown;
    };
    if (typeof e.name === "string" && NAMES.has(e.name)) return true;
    if (typeof e.code === "string" && (SOCKET_CODES.has(e.code) || PG_TRANSIENT.test(e.code))) return true;
    if (typeof e.name === "string" && e.name.startsWith("KafkaJS") && e.retriable === true) return true;
    if (typeof e.message === "string" && MESSAGES.some((m) => m.test(e.message as string))) return true;
    current = e.cause;
  }
  return false;
}

/** Rejects with InfraTimeoutError when `promise` has not settled within `ms`; never leaves a rejection unhandled. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InfraTimeoutError(what, ms)), ms);
  });
  promise.catch(() => {}); // a late rejection after the timeout won is not an unhandled one
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
