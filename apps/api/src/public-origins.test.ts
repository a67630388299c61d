import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { request as httpRequest } from "node:http";
import { createPublicOrigins, EnvSchema, parseStreamEnv } from "@ox/config";
import { createHarness, type Harness, signIn } from "./test-harness.ts";

/**
 * Issue 9: the CSRF check took the site's own origin from the Host header, so a DNS-rebinding page
 * (Host and Origin both its own name) passed, and behind a TLS proxy the real origin was refused.
 * Over real HTTP, with the Host header set by hand as such a client sends it.
 */
let h: Harness;
const servers: ReturnType<typeof Bun.serve>[] = [];
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  for (const s of servers) s.stop(true);
  await h.close();
});

function post(port: number, path: string, headers: Record<string, string>, body: unknown) {
  return new Promise<{ status: number; code?: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, code: text ? JSON.parse(text).error?.code : undefined }),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** The harness app behind a listening server, with the given PUBLIC_ORIGINS. */
function serve(publicOrigins: string[]) {
  const config = { ...h.deps.config, PUBLIC_ORIGINS: publicOrigins };
  const origins = createPublicOrigins(config);
  const { app } = h.rebuild({ config, publicOrigins: origins });
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => app.fetch(req) });
  servers.push(server);
  origins.listening(server.port ?? 0);
  return server.port ?? 0;
}

describe("CSRF origins come from configuration, not the Host header", () => {
  test("development default: the server's own 127.0.0.1 and localhost origins; a forged Host is refused", async () => {
    const c = await signIn(h);
    const port = serve([]);
    const body = { code: "NOSUCHCODE" };
    const path = "/api/v1/referrals/redeem";
    // DNS rebinding: evil.example resolves to us, so the browser sends its own name as Host and Origin.
    const rebinding = await post(
      port,
      path,
      { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, cookie: c.cookie },
      body,
    );
    expect(rebinding).toEqual({ status: 403, code: "CSRF" });
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const own = await post(port, path, { origin, cookie: c.cookie }, body);
      expect({ origin, status: own.status, code: own.code }).toEqual({
        origin,
        status: 404,
        code: "REFERRAL_CODE_UNKNOWN",
      });
    }
  });

  test("behind a TLS proxy: the configured origin passes whatever Host the proxy forwards", async () => {
    const c = await signIn(h);
    const port = serve(["https://exchange.example.com"]);
    const path = "/api/v1/referrals/redeem";
    const body = { code: "NOSUCHCODE" };
    const viaProxy = await post(
      port,
      path,
      { host: `127.0.0.1:${port}`, origin: "https://exchange.example.com", cookie: c.cookie },
      body,
    );
    expect(viaProxy).toEqual({ status: 404, code: "REFERRAL_CODE_UNKNOWN" });
    // Once origins are configured the loopback default is gone, and the Host still decides nothing.
    for (const origin of [`http://127.0.0.1:${port}`, "https://evil.example"]) {
      const r = await post(port, path, { host: new URL(origin).host, origin, cookie: c.cookie }, body);
      expect({ origin, ...r }).toEqual({ origin, status: 403, code: "CSRF" });
    }
  });

  test("env: PUBLIC_ORIGINS is a list of origins, required in production for the API and the stream", () => {
    expect(
      EnvSchema.safeParse({ PUBLIC_ORIGINS: "https://a.example, http://b.example:8080" }).data
        ?.PUBLIC_ORIGINS,
    ).toEqual(["https://a.example", "http://b.example:8080"]);
    for (const bad of ["exchange.example.com", "https://a.example/path", "ftp://a.example"])
      expect(EnvSchema.safeParse({ PUBLIC_ORIGINS: bad }).success).toBe(false);
    const production = {
      NODE_ENV: "production",
      JWT_SECRET: "s".repeat(40),
      PAYMENT_WEBHOOK_SECRET: "w".repeat(20),
      SMS_PROVIDER: "twilio",
      TWILIO_ACCOUNT_SID: "AC1",
      TWILIO_AUTH_TOKEN: "t",
      TWILIO_FROM: "+15005550006",
      PAYMENT_GATEWAY: "webhook",
    };
    const refused = EnvSchema.safeParse(production);
    expect(refused.success).toBe(false);
    expect(JSON.stringify(refused.error?.issues)).toContain("PUBLIC_ORIGINS");
    expect(
      EnvSchema.safeParse({ ...production, PUBLIC_ORIGINS: "https://exchange.example.com" }).success,
    ).toBe(true);
    const stream = {
      NODE_ENV: "production",
      REDIS_URL: "redis://127.0.0.1:6379",
      JWT_SECRET: "s".repeat(40),
    };
    expect(() => parseStreamEnv(stream)).toThrow(/PUBLIC_ORIGINS/);
    expect(
      parseStreamEnv({ ...stream, PUBLIC_ORIGINS: "https://exchange.example.com" }).PUBLIC_ORIGINS,
    ).toEqual(["https://exchange.example.com"]);
    const dev = createPublicOrigins({ NODE_ENV: "production", PUBLIC_ORIGINS: [] });
    dev.listening(3000);
    expect(dev.list()).toEqual([]);
  });
});
