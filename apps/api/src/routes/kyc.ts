import { createRoute } from "@hono/zod-openapi";
import { KycRequest, KycResponse } from "@ox/contracts";
import { createKycRepo, type KycRequest as KycRow } from "@ox/db";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { ApiError } from "../errors.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";

/** All but the last `keep` characters as dots: what every list shows of a PAN or account number. */
export const mask = (s: string, keep: number) =>
  `${"•".repeat(Math.max(0, s.length - keep))}${s.slice(-keep)}`;

/** What the owner sees: PAN and account number masked. */
export const kycView = (k: KycRow) => ({
  id: k.id,
  status: k.status,
  name: k.name,
  panMasked: mask(k.pan, 4),
  bankAccountMasked: mask(k.bankAccount, 4),
  ifsc: k.ifsc,
  reason: k.reason,
  createdAt: k.createdAt,
  decidedAt: k.decidedAt,
});

const SUBMIT_REFUSED = {
  KYC_EXISTS: "a KYC request is already pending or verified",
  KYC_PAN_IN_USE: "this PAN is already on another account",
  KYC_BANK_ACCOUNT_IN_USE: "this bank account is already on another account",
} as const;

export function createKycRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  const kyc = createKycRepo(deps.db);
  const router = createRouter();
  const secured = { middleware: [ctx.auth], security: [{ cookieAuth: [] }], tags: ["kyc"] };

  router.openapi(
    createRoute({
      ...secured,
      method: "post",
      path: "/kyc",
      summary: "Submit PAN and bank details; the request goes PENDING for review",
      request: { body: jsonBody(KycRequest) },
      responses: { 201: json(KycResponse, "Submitted"), ...errors(400, 401, 403, 409) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const body = c.req.valid("json");
      const result = await kyc.submit({ userId, ...body, now: deps.clock.now() });
      if (!result.ok) throw new ApiError(result.code, SUBMIT_REFUSED[result.code]);
      return c.json({ kyc: kycView(result.request) }, 201);
    },
  );

  router.openapi(
    createRoute({
      ...secured,
      method: "get",
      path: "/kyc",
      summary: "Your latest KYC request and its status",
      responses: { 200: json(KycResponse, "Status"), ...errors(401) },
    }),
    async (c) => {
      const row = await kyc.latestFor(sessionOf(c).userId);
      return c.json({ kyc: row ? kycView(row) : null }, 200);
    },
  );
  return router;
}
