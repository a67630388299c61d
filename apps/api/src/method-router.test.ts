import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import type { H, RouterRoute } from "hono/types";
import { MethodRouter } from "./method-router.ts";

describe("MethodRouter", () => {
  const build = () => {
    const router = new MethodRouter<[H, RouterRoute]>();
    const app = new Hono({ router });
    const seen: string[] = [];
    app.use("*", async (c, next) => {
      seen.push(`mw ${c.req.method}`);
      await next();
      c.header("x-mw", "1");
    });
    app.post("/orders", (c) => c.text("place"));
    app.get("/orders/:id", (c) => c.text(`get ${c.req.param("id")}`));
    // The pair RegExpRouter refuses: a literal and a parameter under one method.
    app.delete("/orders/batch", (c) => c.text("cancel batch"));
    app.delete("/orders/:id", (c) => c.text(`cancel ${c.req.param("id")}`));
    return { app, router, seen };
  };

  test("routes as Hono's default router does, the ambiguous method included", async () => {
    const { app, seen } = build();
    const text = async (method: string, path: string) => {
      const res = await app.request(path, { method });
      return [res.status, await res.text(), res.headers.get("x-mw")];
    };
    expect(await text("POST", "/orders")).toEqual([200, "place", "1"]);
    expect(await text("GET", "/orders/o1")).toEqual([200, "get o1", "1"]);
    expect(await text("DELETE", "/orders/batch")).toEqual([200, "cancel batch", "1"]);
    expect(await text("DELETE", "/orders/o2")).toEqual([200, "cancel o2", "1"]);
    expect((await text("PATCH", "/orders/o2"))[0]).toBe(404);
    expect((await text("OPTIONS", "/orders"))[0]).toBe(404);
    expect(seen).toEqual(["mw POST", "mw GET", "mw DELETE", "mw DELETE", "mw PATCH", "mw OPTIONS"]);
  });

  test("only the method with the ambiguous pair falls back to the TrieRouter", async () => {
    const { app, router } = build();
    for (const method of ["POST", "GET", "DELETE"]) await app.request("/orders/x", { method });
    expect(router.activeRouters()).toEqual({
      POST: "SmartRouter + RegExpRouter",
      GET: "SmartRouter + RegExpRouter",
      DELETE: "SmartRouter + TrieRouter",
    });
  });
});
