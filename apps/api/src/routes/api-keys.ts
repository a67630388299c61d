import { createRoute, z } from "@hono/zod-openapi";
import {
  AdminUserKeysResponse,
  ApiKeyResponse,
  ApiKeysResponse,
  CreateApiKeyRequest,
  CreateApiKeyResponse,
  RateTierResponse,
  SetRateTierRequest,
} from "@ox/contracts";
import { type ApiKeyRow, createApiKeysRepo, users } from "@ox/db";
import { eq } from "drizzle-orm";
import type { RouteContext, RouteFactory } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { ApiError } from "../errors.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";

/** Live keys a user may hold at once. */
export const MAX_LIVE_KEYS = 10;

const view = (r: ApiKeyRow) => ({
  id: r.id,
  name: r.name,
  scopes: r.scopes,
  allowIps: r.allowIps,
  createdAt: r.createdAt,
  revokedAt: r.revokedAt,
});
const KeyParams = z.object({ id: z.string().min(1).max(64) });
const UserParams = z.object({ id: z.string().min(1).max(64) });

/** POST/GET /keys, DELETE /keys/{id}; admin: GET /admin/users/{id}/keys, POST /admin/users/{id}/rate-tier. */
export const createApiKeyRoutes: RouteFactory = (ctx: RouteContext) => {
  const { deps, keys, tiers } = ctx;
  const repo = createApiKeysRepo(deps.db);
  const router = createRouter();
  const secured = { middleware: [ctx.auth], security: [{ cookieAuth: [] }], tags: ["keys"] };
  const adminOnly = { middleware: [ctx.auth, ctx.admin], security: [{ cookieAuth: [] }], tags: ["admin"] };

  router.openapi(
    createRoute({
      ...secured,
      method: "post",
      path: "/keys",
      summary: "Create an API key; the secret is in this answer only",
      request: { body: jsonBody(CreateApiKeyRequest) },
      responses: { 201: json(CreateApiKeyResponse, "The key and its secret"), ...errors(400, 401, 403, 409) },
    }),
    async (c) => {
      const { userId, role } = sessionOf(c);
      const body = c.req.valid("json");
      if (body.scopes.includes("admin") && role !== "ADMIN")
        throw new ApiError("FORBIDDEN", "only an admin's key may have the admin scope");
      if ((await repo.countLive(userId)) >= MAX_LIVE_KEYS)
        throw new ApiError("API_KEY_LIMIT", `at most ${MAX_LIVE_KEYS} live keys; revoke one first`);
      const { row, secret } = await keys.create({
        userId,
        name: body.name,
        scopes: body.scopes,
        allowIps: body.allowIps ?? null,
        now: deps.clock.now(),
      });
      c.get("log").info({ userId, keyId: row.id, scopes: row.scopes }, "api key created");
      return c.json({ key: view(row), secret }, 201);
    },
  );

  router.openapi(
    createRoute({
      ...secured,
      method: "get",
      path: "/keys",
      summary: "Your API keys, newest first (revoked ones too; never a secret)",
      responses: { 200: json(ApiKeysResponse, "Keys"), ...errors(401, 403) },
    }),
    async (c) => c.json({ keys: (await repo.listByUser(sessionOf(c).userId)).map(view) }, 200),
  );

  router.openapi(
    createRoute({
      ...secured,
      method: "delete",
      path: "/keys/{id}",
      summary: "Revoke an API key: every replica refuses it from now on",
      request: { params: KeyParams },
      responses: { 200: json(ApiKeyResponse, "The revoked key"), ...errors(401, 403, 404) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const row = await keys.revoke(userId, c.req.valid("param").id, deps.clock.now());
      if (!row) throw new ApiError("NOT_FOUND", "no such API key");
      c.get("log").info({ userId, keyId: row.id }, "api key revoked");
      return c.json({ key: view(row) }, 200);
    },
  );

  router.openapi(
    createRoute({
      ...adminOnly,
      method: "get",
      path: "/admin/users/{id}/keys",
      summary: "A user's API keys and rate-limit tier",
      request: { params: UserParams },
      responses: {
        200: json(AdminUserKeysResponse, "Keys and tier"),
        ...errors(401, 403),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const [list, tier] = await Promise.all([repo.listByUser(id), tiers.of(id)]);
      return c.json({ keys: list.map(view), tier }, 200);
    },
  );

  router.openapi(
    createRoute({
      ...adminOnly,
      method: "post",
      path: "/admin/users/{id}/rate-tier",
      summary: "Set a user's rate-limit tier (audited)",
      request: { params: UserParams, body: jsonBody(SetRateTierRequest) },
      responses: { 200: json(RateTierResponse, "The new tier"), ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { tier } = c.req.valid("json");
      const [user] = await deps.db.select({ id: users.id }).from(users).where(eq(users.id, id)).limit(1);
      if (!user) throw new ApiError("NOT_FOUND", "no such user");
      await tiers.set({ userId: id, tier, actorId: sessionOf(c).userId, now: deps.clock.now() });
      return c.json({ userId: id, tier }, 200);
    },
  );
  return router;
};
