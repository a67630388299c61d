import { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";

/** What a route declares under `request` (app-env.ts createRouter): the parts this API uses. */
export interface RouteRequest {
  query?: unknown;
  params?: unknown;
  body?: { required?: boolean; content?: object };
  headers?: unknown;
  cookies?: unknown;
}

/** A failed part ("query", "param" or "json"): throws (the app's error path answers 400 VALIDATION_ERROR). */
export type OnInvalid = (error: z.ZodError, target: string) => never;

const zodOrUndefined = (schema: unknown, what: string): z.ZodType | undefined => {
  if (schema === undefined || schema instanceof z.ZodType) return schema;
  throw new Error(`route validation: ${what} must be a zod schema`);
};

// @hono/zod-openapi's media-type gate and hono's JSON validator, the same expressions.
const JSON_MEDIA_TYPE = /^application\/([a-z-.]+\+)?json/i;
const JSON_REQUEST = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;
const JSON_ESSENCE = /^application\/([\w.-]+\+)?json$/i;

/**
 * zod's synchronous parse: its compiled fast path for objects runs only outside an async parse,
 * and @hono/zod-validator always calls `safeParseAsync`. A schema with an async refinement throws
 * zod's async error in a sync parse and is parsed again asynchronously.
 */
function parse(
  schema: z.ZodType,
  value: unknown,
): z.ZodSafeParseResult<unknown> | Promise<z.ZodSafeParseResult<unknown>> {
  try {
    return schema.safeParse(value);
  } catch (err) {
    if (err instanceof z.core.$ZodAsyncError) return schema.safeParseAsync(value);
    throw err;
  }
}

async function hasBody(c: Context): Promise<boolean> {
  const raw = c.req.raw;
  if (raw.body === null) return false;
  if (raw.bodyUsed) return (await c.req.arrayBuffer()).byteLength > 0;
  const body = raw.clone().body;
  if (body === null) return false;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      if (value.byteLength > 0) return true;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/**
 * One middleware that checks a route's query, path parameters and JSON body (in that order, as
 * @hono/zod-openapi's validators do) and stores each for `c.req.valid(...)`; null when the route
 * declares none. The answers are those of the library's own chain: a body with another content
 * type, or a body without one, is 415; malformed JSON is 400; a failed schema goes to `onInvalid`.
 * A route declaring a non-JSON body, headers or cookies is refused at build time: nothing here checks those.
 */
export function routeValidator(
  request: RouteRequest | undefined,
  onInvalid: OnInvalid,
): MiddlewareHandler | null {
  if (!request) return null;
  if (request.headers || request.cookies)
    throw new Error("route validation: headers and cookies are not supported");
  const query = zodOrUndefined(request.query, "query");
  const params = zodOrUndefined(request.params, "params");
  const { body } = request;
  const content = (body?.content ?? {}) as Record<string, { schema?: unknown } | undefined>;
  const mediaTypes = Object.keys(content);
  if (mediaTypes.some((m) => !JSON_MEDIA_TYPE.test(m)))
    throw new Error(`route validation: only JSON bodies are supported (${mediaTypes.join(", ")})`);
  const bodySchema = mediaTypes.map((m) => content[m]?.schema).find((s) => s instanceof z.ZodType);
  if (bodySchema && body?.required !== true)
    throw new Error("route validation: a JSON body must be required");
  if (!query && !params && !bodySchema) return null;

  return async function validateRequest(c, next) {
    if (query) {
      const raw = c.req.queries();
      const value: Record<string, string | string[]> = {};
      for (const key in raw) {
        const all = raw[key] as string[];
        value[key] = all.length === 1 ? (all[0] as string) : all;
      }
      let result = parse(query, value);
      if (result instanceof Promise) result = await result;
      if (!result.success) onInvalid(result.error, "query");
      c.req.addValidatedData("query", result.data as object);
    }
    if (params) {
      let result = parse(params, c.req.param());
      if (result instanceof Promise) result = await result;
      if (!result.success) onInvalid(result.error, "param");
      c.req.addValidatedData("param", result.data as object);
    }
    if (bodySchema) {
      const contentType = c.req.header("content-type");
      let value: unknown = {};
      if (contentType) {
        if (!JSON_REQUEST.test(contentType))
          throw new HTTPException(415, { message: "Unsupported Media Type" });
        if (JSON_ESSENCE.test((contentType.split(";")[0] as string).trim())) {
          try {
            value = await c.req.json();
          } catch {
            throw new HTTPException(400, { message: "Malformed JSON in request body" });
          }
        }
      } else if (await hasBody(c)) throw new HTTPException(415, { message: "Unsupported Media Type" });
      let result = parse(bodySchema, value);
      if (result instanceof Promise) result = await result;
      if (!result.success) onInvalid(result.error, "json");
      c.req.addValidatedData("json", result.data as object);
    }
    return next();
  };
}
