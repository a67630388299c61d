import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApiAdapters } from "./build.ts";
import { createStaticWeb } from "./static-web.ts";
import { createHarness, type Harness } from "./test-harness.ts";

/** Issue 9: security headers on every answer, read over real HTTP (a listening server, fetch). */
let h: Harness;
let dist: string;
const servers: ReturnType<typeof Bun.serve>[] = [];

function serve(overrides: Partial<ApiAdapters> = {}): string {
  const { app } = h.rebuild({ web: createStaticWeb(dist), ...overrides });
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => app.fetch(req) });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

beforeAll(async () => {
  h = await createHarness();
  dist = mkdtempSync(join(tmpdir(), "ox-web-"));
  mkdirSync(join(dist, "assets"));
  writeFileSync(join(dist, "index.html"), '<html><script type="module" src="/assets/a.js"></script></html>');
  writeFileSync(join(dist, "assets", "a.js"), "console.log(1)");
});
afterAll(async () => {
  for (const s of servers) s.stop(true);
  rmSync(dist, { recursive: true, force: true });
  await h.close();
});

const ANSWERS: [string, string, number][] = [
  ["GET", "/", 200], // the SPA's index.html
  ["GET", "/markets/some-market", 200], // a client-side route (fallback to index.html)
  ["GET", "/assets/a.js", 200],
  ["GET", "/api/v1/health", 200],
  ["GET", "/api/v1/no-such-route", 404],
  ["GET", "/api/v1/me", 401],
  ["POST", "/api/v1/auth/otp", 400], // a validation error from onError
  ["GET", "/%E0%A4%A", 400],
];

describe("security headers", () => {
  test("pages, assets, API answers and errors all carry CSP, frame-ancestors, nosniff, Referrer-Policy", async () => {
    const base = serve();
    for (const [method, path, status] of ANSWERS) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: method === "POST" ? { "content-type": "application/json" } : {},
        body: method === "POST" ? "{}" : undefined,
      });
      expect({ path, status: res.status }).toEqual({ path, status });
      const csp = res.headers.get("content-security-policy") ?? "";
      expect({ path, csp }).toEqual({ path, csp: expect.stringContaining("frame-ancestors 'none'") });
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(res.headers.get("strict-transport-security")).toBeNull();
      await res.arrayBuffer();
    }
  });

  test("/docs gets the CDN and inline script Swagger UI needs, and still may not be framed", async () => {
    const res = await fetch(`${serve()}/docs`);
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("https://cdn.jsdelivr.net");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain("cdn.jsdelivr.net");
  });

  test("HSTS only when NODE_ENV=production", async () => {
    const base = serve({ config: { ...h.deps.config, NODE_ENV: "production" } });
    for (const path of ["/", "/api/v1/health", "/api/v1/no-such-route"]) {
      const res = await fetch(`${base}${path}`);
      expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      await res.arrayBuffer();
    }
  });
});
