import { describe, expect, test } from "bun:test";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { type AppEnv, createRouter, validationMessage } from "./app-env.ts";
import { ApiError } from "./errors.ts";
import { jsonBody } from "./routes/openapi-helpers.ts";

const Body = z
  .object({ name: z.string().min(2), qty: z.number().int().min(1), tags: z.array(z.string()).optional() })
  .strict()
  .superRefine((b, ctx) => {
    if (b.name === "no") ctx.addIssue({ code: "custom", path: ["name"], message: "not that one" });
  });
const Query = z.object({ limit: z.coerce.number().int().max(10).default(5), tag: z.string().optional() });
const Params = z.object({ id: z.string().regex(/^[a-z]+$/) });
const Slow = z.object({ n: z.number() }).refine(async (v) => v.n !== 13, { message: "unlucky" });

const ok = { 200: { description: "ok" } };
const routes = [
  createRoute({
    method: "post",
    path: "/things/{id}",
    request: { params: Params, body: jsonBody(Body) },
    responses: ok,
  }),
  createRoute({ method: "get", path: "/things", request: { query: Query }, responses: ok }),
  createRoute({ method: "post", path: "/slow", request: { body: jsonBody(Slow) }, responses: ok }),
];

/** The error path of app.ts, reduced to what validation can reach. */
function mount(app: OpenAPIHono<AppEnv>) {
  for (const route of routes)
    app.openapi(route, (c) => {
      const req = c.req as unknown as { valid(target: string): unknown };
      const parts = route.request as Record<string, unknown>;
      const valid = (part: string, target: string) => (parts[part] ? req.valid(target) : null);
      return c.json(
        { json: valid("body", "json"), query: valid("query", "query"), param: valid("params", "param") },
        200,
      );
    });
  app.onError((err, c) => {
    if (err instanceof ApiError)
      return c.json({ error: { code: err.code, message: err.message } }, err.status);
    if (err instanceof HTTPException)
      return c.json({ error: { status: err.status, message: err.message } }, 400);
    throw err;
  });
  return app;
}

// The library's own validator chain with the same default hook: the reference our router must match.
const reference = mount(
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success)
        throw new ApiError("VALIDATION_ERROR", validationMessage(result.error, result.target));
    },
  }),
);
const ours = mount(createRouter());

const json = (body: unknown, type = "application/json") => ({
  method: "POST",
  headers: { "content-type": type },
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const cases: Array<[string, string, RequestInit?]> = [
  ["valid body and params", "/things/abc", json({ name: "ab", qty: 2, tags: ["x"] })],
  ["a charset parameter", "/things/abc", json({ name: "ab", qty: 2 }, "application/json; charset=utf-8")],
  ["a +json type", "/things/abc", json({ name: "ab", qty: 2 }, "application/vnd.ox+json")],
  ["missing and wrong fields", "/things/abc", json({ name: 1 })],
  ["an unknown key (strict)", "/things/abc", json({ name: "ab", qty: 1, extra: true })],
  ["a refinement", "/things/abc", json({ name: "no", qty: 1 })],
  ["not an object", "/things/abc", json([1, 2])],
  ["malformed JSON", "/things/abc", json("{nope")],
  ["text/plain", "/things/abc", json({ name: "ab", qty: 2 }, "text/plain")],
  ["a form", "/things/abc", json("name=ab", "application/x-www-form-urlencoded")],
  ["a body without a content type", "/things/abc", { method: "POST", body: "{}" }],
  ["no body, no content type", "/things/abc", { method: "POST" }],
  ["bad params checked before the body", "/things/ABC", json({ name: 1 })],
  ["query defaults and coercion", "/things?tag=a"],
  ["a repeated query key", "/things?tag=a&tag=b&limit=3"],
  ["a query out of range", "/things?limit=99"],
  ["an async refinement passes", "/slow", json({ n: 1 })],
  ["an async refinement fails", "/slow", json({ n: 13 })],
];

describe("route validation (createRouter) answers as @hono/zod-openapi's own validators do", () => {
  for (const [name, path, init] of cases)
    test(name, async () => {
      const [a, b] = await Promise.all([reference.request(path, init), ours.request(path, init)]);
      const body = await b.text();
      expect({ status: b.status, body }).toEqual({ status: a.status, body: await a.text() });
      if (b.status === 400 && body.includes("VALIDATION_ERROR")) expect(body).toContain('"message":"');
    });

  test("the document is the library's: same paths, parameters and bodies", () => {
    const info = { openapi: "3.0.0", info: { title: "t", version: "1" } };
    expect(JSON.stringify(ours.getOpenAPIDocument(info))).toBe(
      JSON.stringify(reference.getOpenAPIDocument(info)),
    );
  });

  test("a route that declares what the validator cannot check is refused when it is registered", () => {
    const headers = createRoute({
      method: "get",
      path: "/h",
      request: { headers: z.object({ "x-a": z.string() }) },
      responses: ok,
    });
    expect(() => createRouter().openapi(headers, (c) => c.json({}, 200))).toThrow(/headers/);
    const optional = createRoute({
      method: "post",
      path: "/o",
      request: { body: { content: { "application/json": { schema: Body } } } },
      responses: ok,
    });
    expect(() => createRouter().openapi(optional, (c) => c.json({}, 200))).toThrow(/required/);
  });
});
