import { createRoute } from "@hono/zod-openapi";
import { RedeemRequest, RedeemResponse, ReferralsResponse } from "@ox/contracts";
import { createAccountsRepo } from "@ox/db";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { ApiError } from "../errors.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";

const MESSAGES = {
  REFERRAL_CODE_UNKNOWN: "no such referral code",
  REFERRAL_SELF: "you cannot redeem your own code",
  REFERRAL_ALREADY_REDEEMED: "a referral code was already redeemed on this account",
} as const;

export function createReferralRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  const accounts = createAccountsRepo(deps.db);
  const router = createRouter();
  const secured = { middleware: [ctx.auth], security: [{ cookieAuth: [] }], tags: ["referrals"] };

  router.openapi(
    createRoute({
      ...secured,
      method: "get",
      path: "/referrals",
      summary: "Your code and the people who redeemed it",
      responses: { 200: json(ReferralsResponse, "Referrals"), ...errors(401) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const [user, referrals] = await Promise.all([accounts.findById(userId), accounts.referralsOf(userId)]);
      if (!user) throw new ApiError("UNAUTHENTICATED", "account no longer exists");
      const totalBonusPaise = referrals.reduce(
        (sum, r) => sum + (r.rewardedAt === null ? 0 : r.bonusPaise),
        0,
      );
      return c.json(
        {
          code: user.referralCode,
          redeemed: user.referredBy !== null,
          referrals,
          totalBonusPaise,
          rewardPaise: deps.config.REFERRAL_BONUS_PAISE,
          qualifyingDepositPaise: deps.config.REFERRAL_MIN_DEPOSIT_PAISE,
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      ...secured,
      method: "post",
      path: "/referrals/redeem",
      summary:
        "Redeem someone's code (new users, once); the referrer is credited on your first deposit of at least qualifyingDepositPaise",
      request: { body: jsonBody(RedeemRequest) },
      responses: { 200: json(RedeemResponse, "Redeemed"), ...errors(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const { code } = c.req.valid("json");
      const result = await accounts.redeemReferral(
        userId,
        code,
        deps.config.REFERRAL_BONUS_PAISE,
        deps.clock.now(),
        deps.config.REFERRAL_MIN_DEPOSIT_PAISE,
      );
      if (!result.ok) throw new ApiError(result.code, MESSAGES[result.code]);
      if (result.rewarded) deps.outbox.kick();
      return c.json(
        {
          ok: true as const,
          referrerBonusPaise: result.bonusPaise,
          rewarded: result.rewarded,
          qualifyingDepositPaise: deps.config.REFERRAL_MIN_DEPOSIT_PAISE,
        },
        200,
      );
    },
  );
  return router;
}
