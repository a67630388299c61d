import { z } from "zod";
import { lineText } from "./text.ts";

/**
 * What a key may do: `read` every GET, `trade` place and cancel orders, `wallet` deposits,
 * withdrawals, KYC and referrals, `admin` the admin routes (an admin's key only). Keys never manage
 * keys and never sign in or out: those need the web session.
 */
export const API_KEY_SCOPES = ["read", "trade", "wallet", "admin"] as const;
export const ApiKeyScope = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

/** Rate-limit tiers set by an admin (README "Limits per tier"): multiples of the standard budget. */
export const RATE_TIERS = ["standard", "pro", "market_maker"] as const;
export const RateTier = z.enum(RATE_TIERS);
export type RateTier = z.infer<typeof RateTier>;

/** Headers of a signed request (README "Trading programmatically"). */
export const SIGNED_HEADERS = {
  key: "OX-ACCESS-KEY",
  timestamp: "OX-ACCESS-TIMESTAMP",
  signature: "OX-ACCESS-SIGNATURE",
} as const;
/** How far a signed request's timestamp may be from the server's clock. */
export const SIGNATURE_MAX_SKEW_MS = 5_000;

const Ip = z.union([z.ipv4(), z.ipv6()]);

export const CreateApiKeyRequest = z
  .object({
    name: lineText(1, 64),
    scopes: z
      .array(ApiKeyScope)
      .min(1)
      .max(API_KEY_SCOPES.length)
      .refine((s) => new Set(s).size === s.length, "scopes repeat"),
    allowIps: z
      .array(Ip)
      .min(1)
      .max(20)
      .optional()
      .meta({ description: "Only these client addresses may sign with the key; absent = any" }),
  })
  .strict()
  .meta({ id: "CreateApiKeyRequest" });

export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(ApiKeyScope),
    allowIps: z.array(z.string()).nullable(),
    createdAt: z.number().int(),
    revokedAt: z.number().int().nullable(),
  })
  .meta({ id: "ApiKey" });

export const CreateApiKeyResponse = z
  .object({
    key: ApiKey,
    secret: z.string().meta({ description: "Shown once: sign requests with it; it cannot be read again" }),
  })
  .meta({ id: "CreateApiKeyResponse" });
export const ApiKeysResponse = z.object({ keys: z.array(ApiKey) }).meta({ id: "ApiKeys" });
export const ApiKeyResponse = z.object({ key: ApiKey }).meta({ id: "ApiKeyResponse" });

export const SetRateTierRequest = z.object({ tier: RateTier }).strict().meta({ id: "SetRateTierRequest" });
export const RateTierResponse = z
  .object({ userId: z.string(), tier: RateTier })
  .meta({ id: "RateTierResponse" });
export const AdminUserKeysResponse = z
  .object({ keys: z.array(ApiKey), tier: RateTier })
  .meta({ id: "AdminUserKeys" });
