import { expect, test } from "bun:test";
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { sessionCookieReader } from "./auth.ts";

test("the remembered session cookie is what hono's getCookie reads, header by header", async () => {
  const read = sessionCookieReader();
  const app = new Hono();
  app.get("/", (c) => c.json({ ours: read(c) ?? null, hono: getCookie(c, "ox_session") ?? null }));
  const headers = [
    undefined,
    "",
    "other=1",
    "ox_session=abc",
    "a=1; ox_session=abc.def-ghi; b=2",
    'ox_session="quoted"',
    "ox_session=a%20b",
    "ox_session=bad value",
    "ox_session=first; ox_session=second",
    "xox_session=nope",
  ];
  for (let round = 0; round < 2; round++) {
    for (const cookie of headers) {
      const res = await app.request("/", { headers: cookie === undefined ? {} : { cookie } });
      const { ours, hono } = (await res.json()) as { ours: string | null; hono: string | null };
      expect({ cookie, ours }).toEqual({ cookie, ours: hono });
    }
  }
});
