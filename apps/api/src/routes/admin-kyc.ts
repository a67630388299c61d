import { createRoute } from "@hono/zod-openapi";
import {
  AdminKycListResponse,
  IdParam,
  KycDecisionRequest,
  KycResponse,
  KycRevealResponse,
} from "@ox/contracts";
import { createKycRepo, recordAudit } from "@ox/db";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { historyDb } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { kycView, mask } from "./kyc.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";

export function createAdminKycRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  const kyc = createKycRepo(deps.db);
  // The pending queue is an admin list: the replica. Decisions read and write the primary.
  const kycQueue = createKycRepo(historyDb(deps));
  const router = createRouter();
  const adminOnly = { middleware: [ctx.auth, ctx.admin], security: [{ cookieAuth: [] }], tags: ["admin"] };

  router.openapi(
    createRoute({
      ...adminOnly,
      method: "get",
      path: "/admin/kyc",
      summary: "Pending KYC requests, oldest first; PAN and account number masked",
      responses: { 200: json(AdminKycListResponse, "Queue"), ...errors(401, 403) },
    }),
    async (c) => {
      const rows = await kycQueue.pending();
      const requests = rows.map((r) => ({
        id: r.id,
        userId: r.userId,
        status: r.status,
        panMasked: mask(r.pan, 4),
        name: r.name,
        bankAccountMasked: mask(r.bankAccount, 4),
        ifsc: r.ifsc,
        createdAt: r.createdAt,
      }));
      return c.json({ requests }, 200);
    },
  );

  router.openapi(
    createRoute({
      ...adminOnly,
      method: "post",
      path: "/admin/kyc/{id}/reveal",
      summary: "The unmasked PAN and account number of one request; writes a KYC_REVEAL audit entry",
      request: { params: IdParam },
      responses: { 200: json(KycRevealResponse, "Revealed"), ...errors(401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const row = await kyc.find(id);
      if (!row) throw new ApiError("NOT_FOUND", "no such KYC request");
      // The audit row is written before the numbers leave, so no reveal goes unrecorded.
      await recordAudit(deps.db, {
        actorId: sessionOf(c).userId,
        action: "KYC_REVEAL",
        targetType: "kyc_request",
        targetId: id,
        data: { userId: row.userId },
        now: deps.clock.now(),
      });
      return c.json({ id, pan: row.pan, bankAccount: row.bankAccount }, 200);
    },
  );

  router.openapi(
    createRoute({
      ...adminOnly,
      method: "post",
      path: "/admin/kyc/{id}/decision",
      summary: "Verify or reject a pending request (audited); never the admin's own",
      request: { params: IdParam, body: jsonBody(KycDecisionRequest) },
      responses: { 200: json(KycResponse, "Decided"), ...errors(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { status, reason } = c.req.valid("json");
      const row = await kyc.decide({
        id,
        adminId: sessionOf(c).userId,
        status,
        reason: reason ?? null,
        now: deps.clock.now(),
      });
      if (!row) {
        const current = await kyc.find(id);
        if (!current) throw new ApiError("NOT_FOUND", "no such KYC request");
        if (current.userId === sessionOf(c).userId)
          throw new ApiError("KYC_SELF_DECISION", "another admin must decide your own KYC request");
        throw new ApiError("KYC_NOT_PENDING", "this request was already decided");
      }
      return c.json({ kyc: kycView(row) }, 200);
    },
  );
  return router;
}
