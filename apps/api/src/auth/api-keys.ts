/**
 * API keys: the secret of a key is HMAC-SHA256(server key, key id), so the database and the Kv
 * hold nothing secret (a leaked table signs nothing) and the API can still verify an HMAC
 * signature, which needs the secret itself. The server key is API_KEY_SECRET, or one derived
 * from JWT_SECRET (rotating it invalidates every key; README "Trading programmatically").
 *
 * The Kv caches each key's record (user, scopes, allow-list, phone) so the order path reads no
 * Postgres; a revoked key's record is replaced by a tombstone, so every replica refuses it at once.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Kv } from "@ox/bus";
import type { ApiKeyScope } from "@ox/contracts";
import { type ApiKeyRow, createApiKeysRepo, type Db, users } from "@ox/db";
import { eq } from "drizzle-orm";

/** What the Kv keeps of a key, by id. */
export interface KeyRecord {
  userId: string;
  phone: string;
  scopes: ApiKeyScope[];
  allowIps: string[] | null;
}
type Cached = KeyRecord | { revoked: true };

const CACHE_TTL_MS = 3_600_000;
const cacheKey = (id: string) => `apikey:${id}`;

export function apiKeyServerSecret(config: { API_KEY_SECRET?: string; JWT_SECRET: string }): string {
  return config.API_KEY_SECRET ?? createHmac("sha256", config.JWT_SECRET).update("ox-api-keys").digest("hex");
}

export interface ApiKeyStore {
  /** The secret of a key id (shown once at creation; recomputed to verify). */
  secretOf(id: string): string;
  /** The key's record, "revoked", or null for an id that never existed. */
  lookup(id: string): Promise<KeyRecord | "revoked" | null>;
  create(input: {
    userId: string;
    name: string;
    scopes: ApiKeyScope[];
    allowIps: string[] | null;
    now: number;
  }): Promise<{ row: ApiKeyRow; secret: string }>;
  revoke(userId: string, id: string, now: number): Promise<ApiKeyRow | null>;
}

export function createApiKeyStore(deps: { db: Db; kv: Kv; serverSecret: string }): ApiKeyStore {
  const repo = createApiKeysRepo(deps.db);
  const secretOf = (id: string) =>
    createHmac("sha256", deps.serverSecret).update(`ox-api-key:${id}`).digest("base64url");
  const phoneOf = async (userId: string) =>
    (await deps.db.select({ phone: users.phone }).from(users).where(eq(users.id, userId)).limit(1))[0]
      ?.phone ?? "";
  const recordOf = async (row: ApiKeyRow): Promise<Cached> =>
    row.revokedAt !== null
      ? { revoked: true }
      : { userId: row.userId, phone: await phoneOf(row.userId), scopes: row.scopes, allowIps: row.allowIps };

  return {
    secretOf,
    async lookup(id) {
      const raw = await deps.kv.get(cacheKey(id));
      let cached: Cached | null = raw ? (JSON.parse(raw) as Cached) : null;
      if (!cached) {
        const row = await repo.get(id);
        if (!row) return null;
        cached = await recordOf(row);
        // First writer wins: a revocation's tombstone is never overwritten by a stale fill.
        await deps.kv.setIfAbsent(cacheKey(id), JSON.stringify(cached), CACHE_TTL_MS);
        const now = await deps.kv.get(cacheKey(id));
        if (now) cached = JSON.parse(now) as Cached;
      }
      return "revoked" in cached ? "revoked" : cached;
    },
    async create(input) {
      const id = `ak_${crypto.randomUUID().replaceAll("-", "")}`;
      const row = await repo.create({ id, ...input });
      await deps.kv.set(cacheKey(id), JSON.stringify(await recordOf(row)), CACHE_TTL_MS);
      return { row, secret: secretOf(id) };
    },
    async revoke(userId, id, now) {
      const row = await repo.revoke(userId, id, now);
      if (row) await deps.kv.set(cacheKey(id), JSON.stringify({ revoked: true }), CACHE_TTL_MS);
      return row;
    },
  };
}

/** base64(HMAC-SHA256(secret, timestamp + METHOD + path-with-query + body)). */
export function signRequest(secret: string, timestamp: string, method: string, path: string, body: string) {
  return createHmac("sha256", secret)
    .update(`${timestamp}${method.toUpperCase()}${path}${body}`)
    .digest("base64");
}

export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
