import { jwtVerify } from "jose";

/** Resolves a handshake's session token to its user (and session id), or null for an anonymous socket. */
export type VerifyToken = (token: string) => Promise<{ userId: string; sid?: string } | null>;

export interface JwtAuthOptions {
  secret: string | Uint8Array;
  algorithms?: string[];
  issuer?: string;
  audience?: string;
  /** Accept expired tokens this long; only safe with `isRevoked` checking the live session (as the API does). */
  clockToleranceSec?: number;
  /** Server-side revocation (logout): a token whose session is gone is anonymous. */
  isRevoked?: (payload: Record<string, unknown>) => Promise<boolean>;
}

/** HS256 JWT verification with jose, the algorithm pinned like the API's. */
export function createJwtVerifier(options: JwtAuthOptions): VerifyToken {
  const key = typeof options.secret === "string" ? new TextEncoder().encode(options.secret) : options.secret;
  return async function verifyToken(token) {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: options.algorithms ?? ["HS256"],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSec,
      });
      if (typeof payload.sub !== "string" || payload.sub === "") return null;
      if (options.isRevoked && (await options.isRevoked(payload as Record<string, unknown>))) return null;
      return { userId: payload.sub, ...(typeof payload.sid === "string" && { sid: payload.sid }) };
    } catch {
      return null;
    }
  };
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  return null;
}
