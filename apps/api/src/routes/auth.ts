import { createRoute } from "@hono/zod-openapi";
import {
  MeResponse,
  OkResponse,
  OtpRequest,
  OtpResponse,
  SessionResponse,
  UserResponse,
  VerifyRequest,
} from "@ox/contracts";
import { createAccountsRepo, createKycRepo, type User } from "@ox/db";
import { SESSION_COOKIE } from "@ox/sessions";
import { deleteCookie, getCookie } from "hono/cookie";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { OTP_RESEND_SEC, OTP_TTL_SEC } from "../auth/otp.ts";
import { clientIp } from "../client-ip.ts";
import { ApiError } from "../errors.ts";
import { writeSessionCookie } from "../middleware/auth.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";

export const userView = (u: User) => ({
  id: u.id,
  phone: u.phone,
  role: u.role,
  referralCode: u.referralCode,
  isNew: u.isNew,
  createdAt: u.createdAt,
});

export function createAuthRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  const accounts = createAccountsRepo(deps.db);
  const kyc = createKycRepo(deps.db);
  const admins = new Set(deps.config.ADMIN_PHONES);
  const router = createRouter();

  router.openapi(
    createRoute({
      method: "post",
      path: "/auth/otp",
      tags: ["auth"],
      summary: "Send a one-time code by SMS",
      request: { body: jsonBody(OtpRequest) },
      responses: { 200: json(OtpResponse, "Code sent"), ...errors(400, 403, 429, 503) },
    }),
    async (c) => {
      const { phone } = c.req.valid("json");
      const code = await ctx.otp.issue(phone, clientIp(c, deps.config.TRUSTED_PROXIES));
      try {
        await deps.sms.send(phone, `${code} is your Opinion Exchange login code. It expires in 5 minutes.`);
      } catch (cause) {
        await ctx.otp.discard(phone);
        c.get("log").warn({ err: cause }, "sms send failed");
        throw new ApiError("SMS_UNAVAILABLE", "could not send the code; try again", { cause });
      }
      await ctx.otp.sent(phone);
      const body = { expiresInSec: OTP_TTL_SEC, resendInSec: OTP_RESEND_SEC };
      return c.json(deps.sms.name === "console" ? { ...body, devOtp: code } : body, 200);
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/auth/verify",
      tags: ["auth"],
      summary:
        "Check the code; sets the session cookie. First login creates the account with the signup bonus.",
      request: { body: jsonBody(VerifyRequest) },
      responses: { 200: json(UserResponse, "Signed in"), ...errors(400, 401, 403, 429) },
    }),
    async (c) => {
      const { phone, otp } = c.req.valid("json");
      await ctx.otp.verify(phone, otp);
      const { user, created, roleChanged } = await accounts.loginByPhone({
        phone,
        role: admins.has(phone) ? "ADMIN" : "USER",
        signupBonusPaise: deps.config.SIGNUP_BONUS_PAISE,
        now: deps.clock.now(),
      });
      if (created) deps.outbox.kick();
      // Demoted or promoted by ADMIN_PHONES since the last login: the user's open sockets reconnect.
      if (roleChanged) deps.sessionEvents?.({ type: "ROLE_CHANGED", userId: user.id });
      const { token } = await ctx.sessions.create(user.id, user.role, user.phone);
      writeSessionCookie(c, token, ctx.cookie);
      return c.json({ user: userView(user) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/auth/refresh",
      tags: ["auth"],
      summary: "Renew the session cookie (any authenticated request also does when the token is aging)",
      middleware: [ctx.auth],
      security: [{ cookieAuth: [] }],
      responses: { 200: json(OkResponse, "Renewed"), ...errors(401, 403) },
    }),
    async (c) => {
      const session = sessionOf(c);
      await ctx.sessions.revoke(session.sid);
      const { token } = await ctx.sessions.create(session.userId, session.role, session.phone);
      writeSessionCookie(c, token, ctx.cookie);
      return c.json({ ok: true as const }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/auth/logout",
      tags: ["auth"],
      summary: "Revoke the session server-side and clear the cookie",
      responses: { 200: json(OkResponse, "Signed out"), ...errors(403) },
    }),
    async (c) => {
      const auth = await ctx.sessions.authenticate(getCookie(c, SESSION_COOKIE));
      if (auth) await ctx.sessions.revoke(auth.session.sid);
      deleteCookie(c, SESSION_COOKIE, {
        path: "/",
        secure: ctx.cookie.secure,
        httpOnly: true,
        sameSite: "Lax",
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/auth/session",
      tags: ["auth"],
      summary: "Who is signed in: the user, or null for an anonymous visitor (always 200)",
      responses: { 200: json(SessionResponse, "The session's user or null") },
    }),
    async (c) => {
      const auth = await ctx.sessions.authenticate(getCookie(c, SESSION_COOKIE));
      if (!auth) return c.json({ user: null }, 200);
      if (auth.refreshedToken) writeSessionCookie(c, auth.refreshedToken, ctx.cookie);
      const user = await accounts.findById(auth.session.userId);
      return c.json({ user: user ? { ...userView(user), role: auth.session.role } : null }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/me",
      tags: ["auth"],
      summary: "The signed-in user, wallet balance (Postgres ledger view) and KYC status",
      middleware: [ctx.auth],
      security: [{ cookieAuth: [] }],
      responses: { 200: json(MeResponse, "Me"), ...errors(401) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const [user, wallet, latest] = await Promise.all([
        accounts.findById(userId),
        accounts.wallet(userId),
        kyc.latestFor(userId),
      ]);
      if (!user) throw new ApiError("UNAUTHENTICATED", "account no longer exists");
      return c.json(
        {
          user: { ...userView(user), role: sessionOf(c).role },
          wallet: { balancePaise: wallet?.balancePaise ?? 0 },
          kycStatus: latest?.status ?? ("NONE" as const),
        },
        200,
      );
    },
  );

  return router;
}
