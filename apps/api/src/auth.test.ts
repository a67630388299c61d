import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createAccountsRepo, createOutboxRepo } from "@ox/db";
import { SignJWT } from "jose";
import {
  createHarness,
  type Harness,
  nextPhone,
  request,
  sessionCookieFrom,
  signIn,
} from "./test-harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ config: { ADMIN_PHONES: ["+919999900000", "+919999900007"] } });
});
afterAll(async () => {
  await h.close();
});

const otp = (phone: string, ip = "10.9.9.9") =>
  request(h, "POST", "/api/v1/auth/otp", { phone }, { "x-forwarded-for": ip });
const verify = (phone: string, code: string) =>
  request(h, "POST", "/api/v1/auth/verify", { phone, otp: code });

describe("login", () => {
  test("OTP → verify sets a HttpOnly Lax cookie; first login creates wallet, bonus, outbox → engine", async () => {
    const phone = nextPhone();
    const r1 = await otp(phone);
    expect(r1.status).toBe(200);
    const body = (await r1.json()) as { expiresInSec: number; devOtp: string };
    expect(body.expiresInSec).toBe(300);
    expect(body.devOtp).toMatch(/^\d{6}$/);
    const r2 = await verify(phone, body.devOtp);
    expect(r2.status).toBe(200);
    const setCookie = r2.headers.getSetCookie().join("\n");
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).not.toContain("Secure");
    const { user } = (await r2.json()) as { user: { id: string; role: string; referralCode: string } };
    expect(user.role).toBe("USER");
    const me = await request(h, "GET", "/api/v1/me", undefined, { cookie: sessionCookieFrom(r2) as string });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { wallet: { balancePaise: number } }).wallet.balancePaise).toBe(1500);
    await h.settle();
    expect(h.engine.account(user.id)).toEqual({ availablePaise: 1500, lockedPaise: 0 });
    // a second login creates nothing new (skip the 30 s resend wait)
    await h.kv.del(`otp:cool:${phone}`);
    const again = await signIn(h, phone, "10.9.9.10");
    expect(again.userId).toBe(user.id);
    await h.settle();
    expect(h.engine.account(user.id)?.availablePaise).toBe(1500);
  });

  test("phone numbers are validated and normalised to E.164", async () => {
    for (const bad of ["12345", "+14155550100", "+91512345678", "abc", "", "+9198765432101"]) {
      const r = await otp(bad);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
    }
    const r = await otp("098765 43-210", "10.9.9.11");
    expect(r.status).toBe(200);
    const code = ((await r.json()) as { devOtp: string }).devOtp;
    expect((await verify("+919876543210", code)).status).toBe(200);
  });

  test("resend is throttled per phone and per IP", async () => {
    const phone = nextPhone();
    expect((await otp(phone, "10.8.0.1")).status).toBe(200);
    const again = await otp(phone, "10.8.0.2");
    expect(again.status).toBe(429);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    expect(again.headers.get("retry-after")).toBe("30");
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await otp(nextPhone(), "10.8.0.3")).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });

  test("five wrong codes lock the phone for 15 minutes (429 OTP_LOCKED), even for the right code", async () => {
    const phone = nextPhone();
    const code = ((await (await otp(phone, "10.7.0.1")).json()) as { devOtp: string }).devOtp;
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 4; i++) {
      const r = await verify(phone, wrong);
      expect(r.status).toBe(401);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("OTP_INVALID");
    }
    const fifth = await verify(phone, wrong);
    expect(fifth.status).toBe(429);
    expect(((await fifth.json()) as { error: { code: string } }).error.code).toBe("OTP_LOCKED");
    expect((await verify(phone, code)).status).toBe(429);
    expect((await otp(phone, "10.7.0.2")).status).toBe(429);
    expect(await createAccountsRepo(h.db.db).findByPhone(phone)).toBeUndefined();
  });

  test("a code works once", async () => {
    const phone = nextPhone();
    const code = ((await (await otp(phone, "10.6.0.1")).json()) as { devOtp: string }).devOtp;
    const results = await Promise.all([verify(phone, code), verify(phone, code), verify(phone, code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  test("ADMIN_PHONES get the admin role", async () => {
    const admin = await signIn(h, "+919999900000", "10.5.0.1");
    const me = (await (await admin.call("GET", "/api/v1/me")).json()) as { user: { role: string } };
    expect(me.user.role).toBe("ADMIN");
  });

  test("concurrent first logins of one phone create one user and one bonus", async () => {
    const phone = nextPhone();
    const code = ((await (await otp(phone, "10.4.0.1")).json()) as { devOtp: string }).devOtp;
    // only one verify can consume the code; the others are refused, nothing doubles
    await Promise.all(Array.from({ length: 10 }, () => verify(phone, code)));
    const user = await createAccountsRepo(h.db.db).findByPhone(phone);
    if (!user) throw new Error("verify created no user");
    const rows = await createOutboxRepo(h.db.db).forUser(user.id);
    expect(rows.filter((r) => r.command.type === "CREDIT").length).toBe(1);
  });
});

describe("sessions", () => {
  test("logout revokes the session server-side", async () => {
    const c = await signIn(h);
    const stolen = c.cookie;
    expect((await c.call("POST", "/api/v1/auth/logout")).status).toBe(200);
    const r = await request(h, "GET", "/api/v1/me", undefined, { cookie: stolen });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
  });

  test("sliding refresh renews the token and outlives the JWT expiry while the server-side session lives", async () => {
    const c = await signIn(h);
    const first = c.cookie;
    h.clock.advance(6 * 60_000);
    expect((await c.call("GET", "/api/v1/me")).status).toBe(200);
    expect(c.cookie).not.toBe(first);
    // 40 minutes of activity with requests every 10 minutes: far past one token's 15-minute life
    for (let i = 0; i < 4; i++) {
      h.clock.advance(10 * 60_000);
      expect((await c.call("GET", "/api/v1/me")).status).toBe(200);
    }
    // an expired token still refreshes while the server-side session lives
    h.clock.advance(60 * 60_000);
    expect((await c.call("GET", "/api/v1/me")).status).toBe(200);
    const refreshed = await c.call("POST", "/api/v1/auth/refresh");
    expect(refreshed.status).toBe(200);
  });

  test("a token needs exp, is refused past it (30 s skew only) and may not outlive the session", async () => {
    const c = await signIn(h);
    const claims = JSON.parse(Buffer.from(c.cookie.split(".")[1] as string, "base64url").toString()) as {
      sid: string;
      sub: string;
      role: string;
    };
    const key = new TextEncoder().encode(h.deps.config.JWT_SECRET);
    const nowSec = Math.floor(h.clock.now() / 1000);
    const token = (iat: number, exp?: number) => {
      const jwt = new SignJWT({ sid: claims.sid, role: claims.role })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(claims.sub)
        .setIssuer("ox-api")
        .setAudience("ox")
        .setIssuedAt(iat);
      return (exp === undefined ? jwt : jwt.setExpirationTime(exp)).sign(key);
    };
    const me = async (t: string) =>
      (await request(h, "GET", "/api/v1/me", undefined, { cookie: `ox_session=${t}` })).status;
    // The server-side session is alive in every case below: only the token's own claims differ.
    expect(await me(await token(nowSec - 60, nowSec + 3_600))).toBe(200);
    expect(await me(await token(nowSec - 60, nowSec - 10))).toBe(200); // within the skew
    expect(await me(await token(nowSec - 60))).toBe(401); // no exp
    expect(await me(await token(nowSec - 7_200, nowSec - 3_600))).toBe(401); // expired an hour ago
    expect(await me(await token(nowSec, nowSec + 30 * 86_400))).toBe(401); // 30 days > the 7-day session
  });

  test("a phone removed from ADMIN_PHONES loses the admin role on its live sessions", async () => {
    const admin = await signIn(h, "+919999900007", "10.7.0.1");
    expect((await admin.call("GET", "/api/v1/admin/kyc")).status).toBe(200);
    // The same data and sessions, after a restart with the phone no longer listed.
    const restarted = h.rebuild({ config: { ...h.deps.config, ADMIN_PHONES: [] } }).app;
    const get = (path: string) =>
      restarted.request(`http://localhost${path}`, { headers: { cookie: admin.cookie } });
    const refused = await get("/api/v1/admin/kyc");
    expect(refused.status).toBe(403);
    const session = (await (await get("/api/v1/auth/session")).json()) as { user: { role: string } };
    expect(session.user.role).toBe("USER");
    expect(((await (await get("/api/v1/me")).json()) as { user: { role: string } }).user.role).toBe("USER");
    const anonymous = await restarted.request("http://localhost/api/v1/auth/session");
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ user: null });
  });

  test("tampered, unsigned and foreign-key tokens are refused", async () => {
    const c = await signIn(h);
    const token = c.cookie.slice("ox_session=".length);
    const [header, payload] = token.split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload as string, "base64url").toString()), role: "ADMIN" })).toString("base64url")}.${token.split(".")[2]}`;
    for (const t of [none, forged, "garbage", `${token}x`]) {
      expect((await request(h, "GET", "/api/v1/me", undefined, { cookie: `ox_session=${t}` })).status).toBe(
        401,
      );
    }
    expect((await request(h, "GET", "/api/v1/me")).status).toBe(401);
  });
});

describe("CSRF", () => {
  test("foreign Origin, cross-site fetch and form/text bodies are refused with 403 and change nothing", async () => {
    const c = await signIn(h);
    const attempts: [Record<string, string>, string | object][] = [
      [{ origin: "https://evil.example" }, { code: "ABCDEFGH" }],
      [{ origin: "null" }, { code: "ABCDEFGH" }],
      [{ "sec-fetch-site": "cross-site" }, { code: "ABCDEFGH" }],
      [{ "content-type": "application/x-www-form-urlencoded" }, "code=ABCDEFGH"],
      [{ "content-type": "text/plain" }, JSON.stringify({ code: "ABCDEFGH" })],
      [{ "content-type": "multipart/form-data; boundary=x" }, "--x--"],
    ];
    for (const [headers, body] of attempts) {
      const r = await c.call(
        "POST",
        "/api/v1/kyc",
        typeof body === "string"
          ? body
          : { pan: "ABCDE1234F", name: "Asha Rao", bankAccount: "123456789012", ifsc: "HDFC0001234" },
        headers,
      );
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("CSRF");
    }
    expect(((await (await c.call("GET", "/api/v1/kyc")).json()) as { kyc: unknown }).kyc).toBeNull();
    const logout = await c.call("POST", "/api/v1/auth/logout", undefined, { origin: "https://evil.example" });
    expect(logout.status).toBe(403);
    expect((await c.call("GET", "/api/v1/me")).status).toBe(200);
    const ok = await c.call(
      "POST",
      "/api/v1/kyc",
      { pan: "ABCDE1234F", name: "Asha Rao", bankAccount: "123456789012", ifsc: "HDFC0001234" },
      { origin: "https://app.example.in" },
    );
    expect(ok.status).toBe(201);
  });
});

describe("over real HTTP", () => {
  test("login and /me through Bun.serve with a cookie", async () => {
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: h.app.fetch });
    h.deps.publicOrigins?.listening(server.port ?? 0);
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const phone = nextPhone();
      const r1 = await fetch(`${base}/api/v1/auth/otp`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ phone }),
      });
      expect(r1.status).toBe(200);
      const { devOtp } = (await r1.json()) as { devOtp: string };
      const r2 = await fetch(`${base}/api/v1/auth/verify`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: base },
        body: JSON.stringify({ phone, otp: devOtp }),
      });
      expect(r2.status).toBe(200);
      const cookie = sessionCookieFrom(r2) as string;
      const me = await fetch(`${base}/api/v1/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(me.headers.get("x-request-id")).toBeTruthy();
    } finally {
      server.stop(true);
    }
  });
});
