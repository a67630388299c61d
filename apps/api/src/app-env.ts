import { OpenAPIHono } from "@hono/zod-openapi";
import type { Session } from "@ox/sessions";
import type { Logger } from "pino";
import { ApiError } from "./errors.ts";

/** Hono context variables every route can read. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** Set by the auth middleware. */
    session: Session;
  };
}

/**
 * A router for one route file. Validation failures of any part (body, query, params) become
 * 400 VALIDATION_ERROR through the shared error path, and its routes join the OpenAPI document
 * when it is mounted with `app.route("/api/v1", router)`.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join(".") || result.target}: ${i.message}`)
          .join("; ");
        throw new ApiError("VALIDATION_ERROR", issues || "invalid request");
      }
    },
  });
}

export function sessionOf(c: { get(key: "session"): Session | undefined }): Session {
  const s = c.get("session");
  if (!s) throw new ApiError("UNAUTHENTICATED", "sign in first");
  return s;
}
