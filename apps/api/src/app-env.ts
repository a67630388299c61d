import { OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Session } from "@ox/sessions";
import type { Router } from "hono/router";
import type { H, RouterRoute } from "hono/types";
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
  const openapi = router.openapi;
  router.openapi = ((config, handler, hook) => {
    if (hook) throw new Error("createRouter: a per-route hook is not supported; throw an ApiError instead");
    const { middleware, hide, ...route } = config;
    if (!hide) router.openAPIRegistry.registerPath(route);
    const validate = routeValidator(route.request, invalid);
    const before = middleware ? (Array.isArray(middleware) ? middleware : [middleware]) : [];
    return openapi(
      { ...route, request: undefined, hide: true, middleware: validate ? [...before, validate] : before },
      handler,
    );
  }) as typeof openapi;
  return router;
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
