/**
 * Issue 14: API keys and signed requests, over real HTTP (Bun.serve) on the real engine service.
 * The test signs with node:crypto on its own, so a server that signs differently fails here.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { createTradingHarness, type TradingHarness } from "./routes/orders-harness.ts";
import { type Client, signIn } from "./test-harness.ts";

type Json = Record<string, any>;
const ADMIN_PHONE = "+919999900000";

let h: TradingHarness;
let server: ReturnType<typeof Bun.serve>;
let marketId: string;
let alice: Client;
let admin: Client;

const base = () => `http://127.0.0.1:${server.port}`;
// Never one millisecond twice: identical requests signed in the same one would be replays (401).
let lastStamp = 0;
const stamp = () => {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return lastStamp;
};
const sign = (secret: string, ts: string, method: string, path: string, body: string) =>
  createHmac("sha256", secret)
    .update(ts + method + path + body)
    .digest("base64");

/** A signed request; `tamper` changes what is sent after signing. */
async function signed(
  key: { id: string; secret: string },
  method: string,
  path: string,
  body?: unknown,
  opts: { ts?: number; sendBody?: string; sendPath?: string; headers?: Record<string, string> } = {},
) {
  const text = body === undefined ? "" : JSON.stringify(body);
  const ts = String(opts.ts ?? stamp());
  const headers: Record<string, string> = {
    "OX-ACCESS-KEY": key.id,
    "OX-ACCESS-TIMESTAMP": ts,
    "OX-ACCESS-SIGNATURE": sign(key.secret, ts, method, `/api/v1${path}`, text),
    ...(body !== undefined && { "content-type": "application/json" }),
    ...opts.headers,
  };
  const res = await fetch(`${base()}/api/v1${opts.sendPath ?? path}`, {
    method,
    headers,
    body: opts.sendBody ?? (body === undefined ? undefined : text),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json, sent: headers };
}

async function cookieCall(
  c: Client,
  method: string,
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
) {
  const res = await fetch(`${base()}/api/v1${path}`, {
    method,
    headers: {
      cookie: c.cookie,
      ...(body !== undefined && { "content-type": "application/json" }),
      ...extra,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function createKey(c: Client, body: Json) {
  const res = await cookieCall(c, "POST", "/keys", body);
  expect(res.status).toBe(201);
  return { id: res.body.key.id as string, secret: res.body.secret as string, key: res.body.key as Json };
}

const order = (extra: Json = {}) => ({
  marketId,
  outcome: "YES",
  side: "BUY",
  type: "LIMIT",
  pricePaise: 100,
  quantity: 1,
  ...extra,
});

beforeAll(async () => {
  h = await createTradingHarness({ config: { TRUSTED_PROXIES: null } });
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, srv) => h.app.fetch(req, srv) });
  admin = await signIn(h, ADMIN_PHONE);
  const created = await cookieCall(admin, "POST", "/admin/markets", {
    title: "Will signed requests trade?",
    category: "tech",
    closeAt: Date.now() + 3_600_000,
  });
  expect(created.status).toBe(201);
  marketId = created.body.market.id;
  alice = await signIn(h);
  await h.settle();
});
afterAll(async () => {
  server.stop(true);
  await h.close();
});

describe("API keys", () => {
  test("create answers the secret once; the list never shows it", async () => {
    const { id, secret, key } = await createKey(alice, { name: "bot", scopes: ["read", "trade"] });
    expect(id).toMatch(/^ak_/);
    expect(secret.length).toBeGreaterThanOrEqual(40);
    expect(key).toMatchObject({ name: "bot", scopes: ["read", "trade"], allowIps: null, revokedAt: null });
    const list = await cookieCall(alice, "GET", "/keys");
    expect(list.status).toBe(200);
    const listed = list.body.keys.find((k: Json) => k.id === id);
    expect(listed).toMatchObject({ id, name: "bot" });
    expect(JSON.stringify(list.body)).not.toContain(secret);
    // Nothing secret is stored: the row has no secret column to leak.
    const row = await h.db.db.execute(`select * from api_keys where id = '${id}'`);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  test("bad bodies are 400; only an admin's key may have the admin scope", async () => {
    expect((await cookieCall(alice, "POST", "/keys", { name: "x", scopes: [] })).status).toBe(400);
    expect((await cookieCall(alice, "POST", "/keys", { name: "x", scopes: ["root"] })).status).toBe(400);
    expect(
      (await cookieCall(alice, "POST", "/keys", { name: "x", scopes: ["read"], allowIps: ["nope"] })).status,
    ).toBe(400);
    const admin = await cookieCall(alice, "POST", "/keys", { name: "x", scopes: ["admin"] });
    expect(admin.status).toBe(403);
    expect(admin.body.error.code).toBe("FORBIDDEN");
  });

  test("a signed request works on a representative set of routes", async () => {
    const key = await createKey(alice, { name: "all", scopes: ["read", "trade", "wallet"] });
    expect((await signed(key, "GET", "/me")).status).toBe(200);
    expect((await signed(key, "GET", "/portfolio")).status).toBe(200);
    expect((await signed(key, "GET", "/wallet/transactions?limit=5")).status).toBe(200);
    expect((await signed(key, "GET", `/markets/${marketId}`)).status).toBe(200);
    const placed = await signed(key, "POST", "/orders", order({ clientOrderId: crypto.randomUUID() }));
    expect(placed.status).toBe(201);
    const orderId = placed.body.order.id as string;
    const open = await signed(key, "GET", `/orders?status=open&marketId=${marketId}`);
    expect(open.status).toBe(200);
    expect(open.body.orders.map((o: Json) => o.id)).toContain(orderId);
    const batch = await signed(key, "POST", "/orders/batch", {
      orders: [order(), order({ pricePaise: 150 })],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: Json) => r.order?.status)).toEqual(["OPEN", "OPEN"]);
    const cancelled = await signed(key, "DELETE", `/orders/${orderId}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.order.status).toBe("CANCELLED");
    // The orders are the key owner's: the cookie session sees them.
    const mine = await cookieCall(alice, "GET", `/orders?status=open&marketId=${marketId}`);
    const ids = mine.body.orders.map((o: Json) => o.id);
    for (const r of batch.body.results) expect(ids).toContain(r.order.id);
  });

  test("an admin's admin-scoped key reaches admin routes; a user's key cannot", async () => {
    const key = await createKey(admin, { name: "ops", scopes: ["read", "admin"] });
    const users = await signed(key, "GET", "/admin/users?limit=5");
    expect(users.status).toBe(200);
    const userKey = await createKey(alice, { name: "r", scopes: ["read"] });
    const refused = await signed(userKey, "GET", "/admin/users");
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("API_KEY_SCOPE");
  });

  const refusals: [string, number, string][] = [];
  test("wrong key, wrong secret, stale or future timestamp, missing headers", async () => {
    const key = await createKey(alice, { name: "k", scopes: ["read"] });
    const unknown = await signed({ id: "ak_nope", secret: key.secret }, "GET", "/portfolio");
    refusals.push(["unknown key", unknown.status, unknown.body.error.code]);
    const wrong = await signed({ id: key.id, secret: `${key.secret}x` }, "GET", "/portfolio");
    refusals.push(["wrong secret", wrong.status, wrong.body.error.code]);
    const stale = await signed(key, "GET", "/portfolio", undefined, { ts: Date.now() - 6_000 });
    refusals.push(["stale", stale.status, stale.body.error.code]);
    const future = await signed(key, "GET", "/portfolio", undefined, { ts: Date.now() + 6_000 });
    refusals.push(["future", future.status, future.body.error.code]);
    const bare = await fetch(`${base()}/api/v1/portfolio`, { headers: { "OX-ACCESS-KEY": key.id } });
    refusals.push(["no signature", bare.status, ((await bare.json()) as Json).error.code]);
    expect(refusals).toEqual([
      ["unknown key", 401, "API_KEY_UNKNOWN"],
      ["wrong secret", 401, "INVALID_SIGNATURE"],
      ["stale", 401, "SIGNATURE_EXPIRED"],
      ["future", 401, "SIGNATURE_EXPIRED"],
      ["no signature", 401, "INVALID_SIGNATURE"],
    ]);
  });

  test("a signature is accepted once", async () => {
    const key = await createKey(alice, { name: "k", scopes: ["read", "trade"] });
    const first = await signed(key, "POST", "/orders", order());
    expect(first.status).toBe(201);
    const again = await fetch(`${base()}/api/v1/orders`, {
      method: "POST",
      headers: first.sent,
      body: JSON.stringify(order()),
    });
    expect(again.status).toBe(401);
    expect(((await again.json()) as Json).error.code).toBe("SIGNATURE_REPLAYED");
  });

  test("a tampered body, query or method is refused", async () => {
    const key = await createKey(alice, { name: "k", scopes: ["read", "trade"] });
    const body = await signed(key, "POST", "/orders", order({ quantity: 1 }), {
      sendBody: JSON.stringify(order({ quantity: 50 })),
    });
    expect([body.status, body.body.error.code]).toEqual([401, "INVALID_SIGNATURE"]);
    const query = await signed(key, "GET", "/orders?status=open", undefined, {
      sendPath: "/orders?status=all",
    });
    expect([query.status, query.body.error.code]).toEqual([401, "INVALID_SIGNATURE"]);
    // Nothing of the tampered order reached the engine.
    const open = await cookieCall(alice, "GET", "/orders?status=open");
    expect(open.body.orders.some((o: Json) => o.quantity === 50)).toBe(false);
  });

  test("a revoked key is refused at once; revoking is the owner's only", async () => {
    const key = await createKey(alice, { name: "k", scopes: ["read"] });
    expect((await signed(key, "GET", "/portfolio")).status).toBe(200);
    const bob = await signIn(h);
    expect((await cookieCall(bob, "DELETE", `/keys/${key.id}`)).status).toBe(404);
    const revoked = await cookieCall(alice, "DELETE", `/keys/${key.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.key.revokedAt).toBeGreaterThan(0);
    const after = await signed(key, "GET", "/portfolio");
    expect([after.status, after.body.error.code]).toEqual([401, "API_KEY_REVOKED"]);
    // A fresh API instance (empty Kv cache on another replica) refuses it too: from Postgres.
    await h.kv.del(`apikey:${key.id}`);
    const cold = await signed(key, "GET", "/portfolio");
    expect([cold.status, cold.body.error.code]).toEqual([401, "API_KEY_REVOKED"]);
  });

  test("a missing scope is 403 API_KEY_SCOPE; key management needs the session", async () => {
    const key = await createKey(alice, { name: "read-only", scopes: ["read"] });
    const place = await signed(key, "POST", "/orders", order());
    expect([place.status, place.body.error.code]).toEqual([403, "API_KEY_SCOPE"]);
    const withdraw = await signed(key, "POST", "/wallet/withdrawals", { amountPaise: 100 });
    expect([withdraw.status, withdraw.body.error.code]).toEqual([403, "API_KEY_SCOPE"]);
    const mint = await signed(key, "POST", "/keys", { name: "more", scopes: ["trade"] });
    expect([mint.status, mint.body.error.code]).toEqual([403, "API_KEY_NOT_ALLOWED"]);
    const list = await signed(key, "GET", "/keys");
    expect([list.status, list.body.error.code]).toEqual([403, "API_KEY_NOT_ALLOWED"]);
  });

  test("an IP allow-list refuses other addresses", async () => {
    const far = await createKey(alice, { name: "far", scopes: ["read"], allowIps: ["10.9.9.9"] });
    const refused = await signed(far, "GET", "/portfolio");
    expect([refused.status, refused.body.error.code]).toEqual([403, "API_KEY_IP_REFUSED"]);
    const near = await createKey(alice, { name: "near", scopes: ["read"], allowIps: ["127.0.0.1", "::1"] });
    expect((await signed(near, "GET", "/portfolio")).status).toBe(200);
  });

  test("signed requests skip CSRF; a cookie beside a bad signature does not authenticate", async () => {
    const key = await createKey(alice, { name: "k", scopes: ["read", "trade"] });
    // A program's request with a foreign Origin: signed, so no CSRF refusal.
    const foreign = await signed(key, "POST", "/orders", order(), {
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(201);
    // The same from a cookie session is CSRF.
    const csrf = await cookieCall(alice, "POST", "/orders", order(), { origin: "https://evil.example" });
    expect([csrf.status, csrf.body.error.code]).toEqual([403, "CSRF"]);
    // A valid cookie with an invalid signature: judged by the signature alone.
    const mixed = await signed({ id: key.id, secret: "wrong" }, "POST", "/orders", order(), {
      headers: { cookie: alice.cookie, origin: "https://evil.example" },
    });
    expect([mixed.status, mixed.body.error.code]).toEqual([401, "INVALID_SIGNATURE"]);
  });

  test("an admin sees a user's keys; others may not", async () => {
    const carol = await signIn(h);
    const key = await createKey(carol, { name: "carol-bot", scopes: ["read"] });
    const seen = await cookieCall(admin, "GET", `/admin/users/${carol.userId}/keys`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ tier: "standard", keys: [{ id: key.id, name: "carol-bot" }] });
    expect((await cookieCall(carol, "GET", `/admin/users/${carol.userId}/keys`)).status).toBe(403);
  });

  test("OpenAPI offers the signed scheme beside the cookie", async () => {
    const doc = (await (await fetch(`${base()}/api/v1/openapi.json`)).json()) as Json;
    expect(Object.keys(doc.components.securitySchemes)).toEqual(
      expect.arrayContaining(["cookieAuth", "oxAccessKey", "oxAccessTimestamp", "oxAccessSignature"]),
    );
    expect(doc.components.securitySchemes.oxAccessSignature).toMatchObject({
      type: "apiKey",
      in: "header",
      name: "OX-ACCESS-SIGNATURE",
    });
    const both = [{ cookieAuth: [] }, { oxAccessKey: [], oxAccessTimestamp: [], oxAccessSignature: [] }];
    expect(doc.paths["/api/v1/orders"].post.security).toEqual(both);
    expect(doc.paths["/api/v1/portfolio"].get.security).toEqual(both);
    expect(doc.paths["/api/v1/keys"].post.security).toEqual([{ cookieAuth: [] }]);
  });
});
