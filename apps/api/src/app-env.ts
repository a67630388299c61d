import { OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Session } from "@ox/sessions";
import type { Router } from "hono/router";
import type { H, Handler, MiddlewareHandler, RouterRoute } from "hono/types";
import type { Logger } from "pino";
import { ApiError } from "./errors.ts";
import { type OnInvalid, routeValidator } from "./route-validation.ts";

/** Hono context variables every route can read. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** Set by the auth middleware. */
    session: Session;
    /** Set for a signed request (middleware/signed-auth.ts): the key that signed it. */
    apiKey?: { id: string; scopes: readonly string[] };
  };
}

/**
 * A router for one route file. Validation failures of any part (body, query, params) become
 * 400 VALIDATION_ERROR through the shared error path, and its routes join the OpenAPI document
 * when it is mounted with `app.route("/api/v1", router)`.
 */
export function createRouter(options: { router?: Router<[H, RouterRoute]> } = {}): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({
    ...(options.router ? { router: options.router } : {}),
    defaultHook: (result) => {
      if (!result.success) invalid(result.error, result.target);
    },
  });
  // The route joins the document exactly as the library registers it; its request is checked by
  // route-validation.ts (zod's sync parse, one middleware) instead of the library's async chain.
  // The route's middleware, that check and the handler are one hono handler (routeHandler).
  const openapi = router.openapi;
  router.openapi = ((config, handler, hook) => {
    if (hook) throw new Error("createRouter: a per-route hook is not supported; throw an ApiError instead");
    const { middleware, hide, ...route } = config;
    if (!hide) router.openAPIRegistry.registerPath(route);
    const validate = routeValidator(route.request, invalid);
    const before = middleware ? (Array.isArray(middleware) ? middleware : [middleware]) : [];
    const layers = validate ? [...before, validate] : before;
    return openapi(
      { ...route, request: undefined, hide: true },
      routeHandler(layers as MiddlewareHandler[], handler as unknown as Handler) as unknown as typeof handler,
    );
  }) as typeof openapi;
  return router;
}

/**
 * A route's middleware and its handler as one hono handler: one router entry and one dispatch step
 * instead of one per middleware. The same calls in the same order; an error any of them throws
 * reaches the app's onError from this step instead of the middleware's own, which is the same
 * answer as long as route middleware does nothing after `next()` (none does: they check, set
 * context variables and call `next()` last).
 */
export function routeHandler(layers: readonly MiddlewareHandler[], handler: Handler): Handler {
  if (layers.length === 0) return handler;
  return async function route(c, next) {
    let answer: Response | undefined;
    const step = async (i: number): Promise<void> => {
      const layer = layers[i];
      if (!layer) {
        answer = (await handler(c, next)) as Response;
        return;
      }
      const early = await layer(c, () => step(i + 1));
      // A middleware that answers without calling next() (hono's compose: its answer is the response).
      if (early instanceof Response) answer ??= early;
    };
    await step(0);
    return answer as Response;
  };
}

const invalid: OnInvalid = (error, target) => {
  throw new ApiError("VALIDATION_ERROR", validationMessage(error, target));
};

/**
 * A failed zod check as one line ("pricePaise: required for LIMIT; quantity: …"): the message of
 * a 400 VALIDATION_ERROR, and of a batch item's VALIDATION_ERROR (the same body gets the same words).
 */
export function validationMessage(error: z.ZodError, target: string): string {
  const issues = error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || target}: ${i.message}`)
    .join("; ");
  return issues || "invalid request";
}

export function sessionOf(c: { get(key: "session"): Session | undefined }): Session {
  const s = c.get("session");
  if (!s) throw new ApiError("UNAUTHENTICATED", "sign in first");
  return s;
}
