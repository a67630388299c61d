import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { AppEnv } from "../app-env.ts";

const VALID_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Request id (from `x-request-id` if sane, else new), a child logger carrying it, and one access log line. */
export function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function requestContextMiddleware(c, next) {
    const given = c.req.header("x-request-id");
    const requestId = given && VALID_ID.test(given) ? given : crypto.randomUUID();
    c.set("requestId", requestId);
    c.set("log", lazyChild(logger, { reqId: requestId }));
    const started = performance.now();
    await next();
    c.header("x-request-id", requestId);
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
  };
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
