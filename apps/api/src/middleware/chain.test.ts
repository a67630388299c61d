import { describe, expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import { Hono, type MiddlewareHandler } from "hono";
import { type AppEnv, createRouter, routeHandler } from "../app-env.ts";
import { chain } from "./chain.ts";

/** Layers that log, post-process, throw and answer early, by the request's `?case=`. */
function layers(log: string[]): MiddlewareHandler<AppEnv>[] {
  return [
    async (c, next) => {
      log.push("a");
      await next();
      log.push(`a saw ${c.res.status}`);
      c.res.headers.set("x-a", "1");
    },
    async (c, next) => {
      log.push("b");
      if (c.req.query("case") === "throw-b") throw new Error("b failed");
      if (c.req.query("case") === "answer-b") return c.text("from b", 202);
      await next();
      log.push("b after");
    },
    async (c, next) => {
      log.push("c");
      await next();
      if (c.req.query("case") === "throw-c-after") throw new Error("c failed after");
    },
  ];
}

/** One suite, two implementations: the layers registered one by one, and as one chain. */
function apps(log: string[]) {
  const onError = (err: Error, c: Parameters<MiddlewareHandler<AppEnv>>[0]) =>
    c.text(`error: ${err.message}`, 500);
  const separate = new Hono<AppEnv>();
  for (const layer of layers(log)) separate.use("*", layer);
  const chained = new Hono<AppEnv>();
  chained.use("*", chain(layers(log), onError));
  for (const app of [separate, chained]) {
    app.get("/x", (c) => {
      log.push("handler");
      if (c.req.query("case") === "throw-handler") throw new Error("handler failed");
      return c.text("ok");
    });
    app.onError(onError);
  }
  return { separate, chained };
}

describe("chain: hono's compose semantics without a dispatch step per layer", () => {
  for (const which of ["ok", "throw-b", "answer-b", "throw-c-after", "throw-handler", "nothing"]) {
    test(`?case=${which}: same answer, headers and call order as separate middleware`, async () => {
      const log: string[] = [];
      const { separate, chained } = apps(log);
      const path = which === "nothing" ? "/none" : `/x?case=${which}`;
      const run = async (app: Hono<AppEnv>) => {
        log.length = 0;
        const res = await app.request(path);
        return { status: res.status, body: await res.text(), xa: res.headers.get("x-a"), log: [...log] };
      };
      const expected = await run(separate);
      expect(await run(chained)).toEqual(expected);
      if (which === "throw-b") expect(expected).toMatchObject({ status: 500, xa: "1" });
    });
  }
});

describe("routeHandler: a route's middleware and handler as one hono handler", () => {
  function router(log: string[]) {
    const r = createRouter();
    const first: MiddlewareHandler<AppEnv> = async (c, next) => {
      log.push(`first ${c.req.param("id")}`);
      if (c.req.header("x-stop") === "first") return c.json({ stopped: "first" }, 403);
      return next();
    };
    const second: MiddlewareHandler<AppEnv> = async (_c, next) => {
      log.push("second");
      await next();
    };
    r.openapi(
      createRoute({
        method: "post",
        path: "/things/{id}",
        middleware: [first, second],
        request: {
          params: z.object({ id: z.string().regex(/^t\d+$/) }),
          body: { required: true, content: { "application/json": { schema: z.object({ n: z.number() }) } } },
        },
        responses: { 200: { description: "ok" } },
      }),
      (c) => {
        log.push("handler");
        if (c.req.valid("json").n < 0) throw new Error("negative");
        return c.json({ id: c.req.valid("param").id, n: c.req.valid("json").n }, 200);
      },
    );
    const app = new Hono<AppEnv>();
    app.route("/", r);
    app.onError((err, c) => c.json({ error: err.message }, err.message === "negative" ? 422 : 400));
    return app;
  }
  const call = (app: Hono<AppEnv>, id: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(`/things/${id}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  test("the middleware run in order before the check and the handler; params and the body reach all", async () => {
    const log: string[] = [];
    const res = await call(router(log), "t1", { n: 2 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "t1", n: 2 });
    expect(log).toEqual(["first t1", "second", "handler"]);
  });

  test("an early answer, a failed check and a handler's throw are answered as before", async () => {
    const log: string[] = [];
    const app = router(log);
    const stopped = await call(app, "t1", { n: 2 }, { "x-stop": "first" });
    expect({ status: stopped.status, body: await stopped.json() }).toEqual({
      status: 403,
      body: { stopped: "first" },
    });
    expect(log).toEqual(["first t1"]);
    log.length = 0;
    const invalid = await call(app, "nope", { n: 2 });
    expect(invalid.status).toBe(400);
    expect(log).toEqual(["first nope", "second"]);
    log.length = 0;
    const thrown = await call(app, "t2", { n: -1 });
    expect({ status: thrown.status, body: await thrown.json() }).toEqual({
      status: 422,
      body: { error: "negative" },
    });
    expect(log).toEqual(["first t2", "second", "handler"]);
  });

  test("one router entry per route, whatever its middleware", () => {
    const r = createRouter();
    const mw: MiddlewareHandler<AppEnv> = async (_c, next) => next();
    r.openapi(
      createRoute({
        method: "get",
        path: "/one",
        middleware: [mw, mw],
        responses: { 200: { description: "ok" } },
      }),
      (c) => c.text("ok"),
    );
    expect(r.routes.filter((route) => route.path === "/one")).toHaveLength(1);
    const plain = () => new Response("ok");
    expect(routeHandler([], plain)).toBe(plain);
  });
});
