import type { ErrorHandler, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";

/**
 * Middleware run in order as one, as if each were registered with `app.use` on the same path:
 * hono's compose semantics (an Error a layer throws is answered by `onError` at that layer, and the
 * layers outside it see that answer in `c.res`; a layer that returns an answer before the chain is
 * finished sets `c.res`), without a router entry and a dispatch step per layer.
 */
export function chain(
  layers: readonly MiddlewareHandler<AppEnv>[],
  onError: ErrorHandler<AppEnv>,
): MiddlewareHandler<AppEnv> {
  return function chained(c, next) {
    const step = async (i: number): Promise<void> => {
      const layer = layers[i];
      if (!layer) {
        await next();
        return;
      }
      let res: unknown;
      let failed = false;
      try {
        res = await layer(c, () => step(i + 1));
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        c.error = err;
        res = await onError(err, c);
        failed = true;
      }
      if (res instanceof Response && (!c.finalized || failed)) c.res = res;
    };
    return step(0);
  };
}
