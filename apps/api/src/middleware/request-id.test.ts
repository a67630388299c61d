import { describe, expect, spyOn, test } from "bun:test";
import { Hono } from "hono";
import pino from "pino";
import type { AppEnv } from "../app-env.ts";
import { lazyChild, requestContext } from "./request-id.ts";

function capture(level: pino.Level) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

function appWith(logger: pino.Logger, route: (c: { get(k: "log"): pino.Logger }) => void) {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext(logger));
  app.get("/x", (c) => {
    route(c);
    return c.text("ok");
  });
  return app;
}

describe("request context", () => {
  test("the access line and a route's own line carry the request id", async () => {
    const { logger, lines } = capture("info");
    const app = appWith(logger, (c) => c.get("log").warn({ n: 1 }, "route line"));
    const res = await app.request("/x", { headers: { "x-request-id": "trace-1" } });
    expect(res.headers.get("x-request-id")).toBe("trace-1");
    const route = lines.find((l) => l.msg === "route line");
    const access = lines.find((l) => l.msg === "request");
    expect(route).toMatchObject({ reqId: "trace-1", n: 1, level: 40 });
    expect(access).toMatchObject({ reqId: "trace-1", method: "GET", path: "/x", status: 200 });
  });

  test("no child logger is made when the route logs nothing and the access line is off", async () => {
    const { logger, lines } = capture("warn");
    const child = spyOn(logger, "child");
    const app = appWith(logger, () => {});
    await app.request("/x");
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  test("lazyChild: made on first use, once; levels, bindings and child() behave as the real child", () => {
    const { logger, lines } = capture("info");
    const child = spyOn(logger, "child");
    const log = lazyChild(logger, { reqId: "r1" });
    expect(child).not.toHaveBeenCalled();
    log.info("one");
    log.error({ err: new Error("boom") }, "two");
    expect(log.isLevelEnabled("debug")).toBe(false);
    expect(child).toHaveBeenCalledTimes(1);
    log.child({ sub: 1 }).warn("three");
    expect(lines.map((l) => [l.msg, l.reqId])).toEqual([
      ["one", "r1"],
      ["two", "r1"],
      ["three", "r1"],
    ]);
    expect(lines[1]?.err).toMatchObject({ message: "boom" });
    expect(lines[2]?.sub).toBe(1);
  });
});
