import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { AppEnv } from "../app-env.ts";

const VALID_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The request context's two halves, for a caller running its own chain (middleware/api-edge.ts). */
export interface RequestContext {
  /** Chooses the request id, sets `requestId` and `log`; returns the start time for `end`. */
  begin(c: Context<AppEnv>): number;
  /** Once the answer is in `c.res`: its `x-request-id` header and the access log line. */
  end(c: Context<AppEnv>, startedMs: number): void;
}

/** Request id (from `x-request-id` if sane, else new), a child logger carrying it, and one access log line. */
export function createRequestContext(logger: Logger): RequestContext {
  return {
    begin(c) {
      const given = c.req.header("x-request-id");
      const requestId = given && VALID_ID.test(given) ? given : crypto.randomUUID();
      c.set("requestId", requestId);
      c.set("log", lazyChild(logger, { reqId: requestId }));
      return performance.now();
    },
    end(c, started) {
      const requestId = c.get("requestId");
      setAnswerHeader(c, "x-request-id", requestId);
      // The same line a child would write (reqId first), without making one when nothing else logs.
      if (logger.isLevelEnabled("info"))
        logger.info(
          {
            reqId: requestId,
            method: c.req.method,
            path: c.req.path,
            status: c.res.status,
            ms: Math.round(performance.now() - started),
          },
          "request",
        );
    },
  };
}

/** `createRequestContext` as one middleware. */
export function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  const context = createRequestContext(logger);
  return async function requestContextMiddleware(c, next) {
    const started = context.begin(c);
    await next();
    context.end(c, started);
  };
}

/**
 * A header on the finished answer, set in place: `c.header()` after the handler copies the whole
 * Response (body and headers) first, in case its headers are immutable (a fetch() answer, which no
 * route returns); only such an answer takes that path here.
 */
export function setAnswerHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    c.header(name, value);
  }
}

/**
 * `logger.child(bindings)`, made on first use: most requests log nothing beyond the access line,
 * and a child costs a copy of the redaction set-up and its bindings serialised (pino's child).
 */
export function lazyChild(logger: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const real = () => {
    child ??= logger.child(bindings);
    return child;
  };
  return new Proxy(logger, {
    get(_target, prop) {
      const target = real();
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set: (_target, prop, value) => Reflect.set(real(), prop, value),
    has: (_target, prop) => Reflect.has(real(), prop),
  });
}
