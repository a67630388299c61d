import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { EnvSchema } from "@ox/config";
import { Hono } from "hono";
import { OTP_PER_IP_PER_HOUR } from "./auth/otp.ts";
import { clientIp, parseTrustedProxies, type TrustedProxies } from "./client-ip.ts";
import { createHarness, type Harness, nextPhone, request } from "./test-harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const otp = (phone: string, ip: string) =>
  request(h, "POST", "/api/v1/auth/otp", { phone }, { "x-forwarded-for": ip });

describe("OTP throttles: address first, only sent codes count against a phone", () => {
  test("requests refused for their address never touch the phone's quota or resend timer", async () => {
    const victim = nextPhone();
    for (let i = 0; i < OTP_PER_IP_PER_HOUR; i++)
      expect((await otp(nextPhone(), "10.44.0.1")).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await otp(victim, "10.44.0.1")).status).toBe(429);
    expect((await otp(victim, "10.44.0.2")).status).toBe(200);
  });

  test("codes that could not be sent do not count against the phone", async () => {
    const phone = nextPhone();
    const sms = h.deps.sms;
    h.deps.sms = {
      name: "twilio",
      send: async () => {
        throw new Error("provider down");
      },
    };
    try {
      for (let i = 0; i < 7; i++) expect((await otp(phone, `10.45.0.${i}`)).status).toBe(503);
    } finally {
      h.deps.sms = sms;
    }
    expect((await otp(phone, "10.45.1.1")).status).toBe(200);
  });
});

describe("client address", () => {
  const app = (trusted: TrustedProxies) => new Hono().get("/ip", (c) => c.text(clientIp(c, trusted))).fetch;
  const ipVia = async (trusted: TrustedProxies, xff?: string, peer = "203.0.113.9") => {
    const res = await app(trusted)(
      new Request("http://x/ip", { headers: xff ? { "x-forwarded-for": xff } : {} }),
      { requestIP: () => ({ address: peer }) },
    );
    return res.text();
  };

  test("TRUSTED_PROXIES as a hop count takes the hop the proxies appended, not the client's leftmost", async () => {
    expect(await ipVia(null, "1.1.1.1")).toBe("203.0.113.9");
    expect(await ipVia({ hops: 1 }, "6.6.6.6, 198.51.100.7")).toBe("198.51.100.7");
    expect(await ipVia({ hops: 2 }, "6.6.6.6, 198.51.100.7, 10.0.0.2")).toBe("198.51.100.7");
    expect(await ipVia({ hops: 2 }, undefined)).toBe("203.0.113.9");
  });

  test("TRUSTED_PROXIES as CIDRs walks right past trusted proxies to the first untrusted hop", async () => {
    const trusted = parseTrustedProxies("10.0.0.0/8, 203.0.113.9") as TrustedProxies;
    expect(await ipVia(trusted, "6.6.6.6, 198.51.100.7, 10.1.2.3")).toBe("198.51.100.7");
    expect(await ipVia(trusted, "6.6.6.6, 198.51.100.7", "198.51.100.50")).toBe("198.51.100.50");
    expect(await ipVia(trusted, "10.9.9.9")).toBe("10.9.9.9");
  });

  test("bad TRUSTED_PROXIES values are refused at boot", () => {
    expect(parseTrustedProxies("")).toBeNull();
    expect(parseTrustedProxies("10.0.0.0/40")).toBeString();
    expect(EnvSchema.safeParse({ TRUSTED_PROXIES: "not-an-ip" }).success).toBe(false);
    expect(EnvSchema.safeParse({ TRUSTED_PROXIES: "1" }).data?.TRUSTED_PROXIES).toEqual({ hops: 1 });
  });

  test("through the node:http bridge (embedded mode) each client has its own address", async () => {
    const direct = await createHarness({ config: { TRUSTED_PROXIES: null } });
    const listener = getRequestListener((req, bindings) => direct.app.fetch(req, bindings), {
      overrideGlobalObjects: false,
    });
    const server = createServer((req, res) => void listener(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const otpFrom = (localAddress: string) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ phone: nextPhone() });
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            path: "/api/v1/auth/otp",
            method: "POST",
            localAddress,
            headers: { "content-type": "application/json", "x-forwarded-for": "6.6.6.6" },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    try {
      const first: number[] = [];
      for (let i = 0; i <= OTP_PER_IP_PER_HOUR; i++) first.push(await otpFrom("127.0.0.2"));
      expect(first.at(-1)).toBe(429);
      expect(first.slice(0, -1).every((s) => s === 200)).toBe(true);
      expect(await otpFrom("127.0.0.3")).toBe(200);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      await direct.close();
    }
  });

  test("under Bun.serve (distributed mode) the peer comes from server.requestIP", async () => {
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (req, srv) => app({ hops: 0 })(req, srv),
    });
    try {
      expect(await (await fetch(`http://127.0.0.1:${server.port}/ip`)).text()).toBe("127.0.0.1");
    } finally {
      server.stop(true);
    }
  });
});
