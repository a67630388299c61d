import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createMetricsRegistry, type Registry } from "@ox/metrics";
import { Hono } from "hono";
import { NONCE, secureHeaders } from "hono/secure-headers";
import { createTradingHarness, type TradingHarness } from "../routes/orders-harness.ts";
import { signIn } from "../test-harness.ts";
import { API_CSP, apiSecurityHeaders } from "./security-headers.ts";

/** What hono's own secure-headers middleware puts on an answer with these options. */
async function honoHeaders(production: boolean, csp: Record<string, string[]>): Promise<Map<string, string>> {
  const app = new Hono();
  app.use(
    secureHeaders({
      xFrameOptions: "DENY",
      referrerPolicy: "strict-origin-when-cross-origin",
      strictTransportSecurity: production ? "max-age=31536000; includeSubDomains" : false,
      contentSecurityPolicy: csp,
    }),
  );
  app.get("/", (c) => {
    c.header("X-Powered-By", "someone");
    return c.body(null);
  });
  const res = await app.request("/");
  return new Map([...res.headers].filter(([name]) => name !== "content-type"));
}

describe("the API's security headers", () => {
  for (const production of [false, true]) {
    test(`are exactly hono's secure-headers with the API's policy (production: ${production})`, async () => {
      const headers = new Headers({ "X-Powered-By": "someone", "content-type": "application/json" });
      apiSecurityHeaders({ production })(headers);
      const ours = new Map([...headers].filter(([name]) => name !== "content-type"));
      expect(ours).toEqual(await honoHeaders(production, API_CSP));
      expect(ours.has("x-powered-by")).toBe(false);
      expect(ours.has("strict-transport-security")).toBe(production);
    });
  }

  test("a nonce in the policy would differ: the reference does see the policy (the test can fail)", async () => {
    const withNonce = await honoHeaders(false, { ...API_CSP, styleSrc: ["'self'", NONCE as never] });
    const headers = new Headers();
    apiSecurityHeaders({ production: false })(headers);
    expect(headers.get("content-security-policy")).not.toBe(withNonce.get("content-security-policy"));
  });
});

/**
 * The API edge (api-edge.ts) over real HTTP, so requests carry Content-Length as wrk's and
 * browsers' do: each check's refusal is answered as when the checks were separate middleware,
 * with the request id, the security headers and the metrics of any other answer.
 */
describe("the API edge", () => {
  let h: TradingHarness;
  let server: ReturnType<typeof Bun.serve>;
  let base: string;
  let registry: Registry;
  let cookie: string;
  const order = {
    marketId: "no-such-market",
    outcome: "YES",
    side: "BUY",
    type: "LIMIT",
    pricePaise: 500,
    quantity: 1,
  };
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/v1/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, ...headers },
      body,
    });
  const expectEdgeHeaders = (res: Response, requestId?: string) => {
    if (requestId) expect(res.headers.get("x-request-id")).toBe(requestId);
    else expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  };

  beforeAll(async () => {
    h = await createTradingHarness({
      config: {
        RATE_LIMITS: true,
        RATE_LIMIT_PREFIX: `test-edge-${crypto.randomUUID()}`,
        RATE_LIMIT_WRITE: { perSec: 100, burst: 100 },
        // Every request here comes from 127.0.0.1: the 429 test is the last one.
        RATE_LIMIT_WRITE_IP: { perSec: 1, burst: 12 },
        TRUSTED_PROXIES: null,
      },
    });
    cookie = (await signIn(h)).cookie;
    registry = createMetricsRegistry({ defaults: false });
    const { app } = h.rebuild({ metricsRegistry: registry });
    server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, srv) => app.fetch(req, srv) });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    server.stop(true);
    await h.close();
  });

  test("an order that passes every check reaches the route; the request id is echoed", async () => {
    const res = await post(JSON.stringify(order), { "x-request-id": "edge-ok-1" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string; requestId: string } }).error).toMatchObject({
      code: "MARKET_NOT_FOUND",
      requestId: "edge-ok-1",
    });
    expectEdgeHeaders(res, "edge-ok-1");
    expect(res.headers.get("ratelimit-limit")).not.toBeNull();
  });

  test("a CSRF refusal has the request id and the security headers", async () => {
    const res = await post("a=1", {
      "content-type": "application/x-www-form-urlencoded",
      "x-request-id": "edge-csrf",
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("CSRF");
    expectEdgeHeaders(res, "edge-csrf");
    const foreign = await post(JSON.stringify(order), { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expectEdgeHeaders(foreign);
  });

  test("the body limit: a declared length past it, and a chunked body past it, are 400; a small chunked body passes", async () => {
    const big = JSON.stringify({ ...order, pad: "x".repeat(70_000) });
    const declared = await post(big);
    expect(declared.status).toBe(400);
    expect(((await declared.json()) as { error: { message: string } }).error.message).toBe(
      "request body too large",
    );
    expectEdgeHeaders(declared);
    const chunked = (text: string) =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
    const bigChunked = await post(chunked(big));
    expect(bigChunked.status).toBe(400);
    expect(((await bigChunked.json()) as { error: { message: string } }).error.message).toBe(
      "request body too large",
    );
    const smallChunked = await post(chunked(JSON.stringify(order)));
    expect(smallChunked.status).toBe(404); // read, validated, refused by the route
    expectEdgeHeaders(smallChunked);
  });

  test("the IP bucket's 429 has Retry-After, RateLimit-*, the request id and the security headers; metrics count it", async () => {
    const answers = await Promise.all(Array.from({ length: 14 }, () => post(JSON.stringify(order))));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const res of limited) {
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(res.headers.get("ratelimit-remaining")).toBe("0");
      expectEdgeHeaders(res);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    }
    const text = await registry.metrics();
    expect(text).toContain(`ox_http_rate_limited_total{route="/api/v1/orders"} ${limited.length}`);
    const fourxx =
      /ox_http_requests_total\{method="POST",route="\/api\/v1\/orders",status_class="4xx"\} (\d+)/.exec(text);
    // Every answer of this file's requests to POST /orders was a 4xx (404, 403, 400, 429).
    expect(Number(fourxx?.[1])).toBe(1 + 2 + 3 + answers.length);
  });
});
