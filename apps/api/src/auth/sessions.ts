import type { Kv } from "@ox/bus";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Clock } from "../deps.ts";

export const SESSION_COOKIE = "ox_session";
const ISSUER = "ox-api";
const AUDIENCE = "ox";

export interface Session {
  sid: string;
  userId: string;
  role: "USER" | "ADMIN";
}

export interface SessionsOptions {
  kv: Kv;
  secret: string;
  clock: Clock;
  /** Idle lifetime of the server-side session; every refresh extends it. */
  sessionTtlSec: number;
  /** Lifetime of one JWT. Short: it is what other services (stream) trust without asking the KV. */
  accessTtlSec: number;
}

export interface Authenticated {
  session: Session;
  /** A fresh token when the presented one is past a third of its life (sliding refresh). */
  refreshedToken: string | null;
}

/**
 * Sessions: a short-lived HS256 JWT in the cookie plus a server-side record in the KV, so logout
 * revokes at once. Sliding refresh: any authenticated request with a token older than a third of
 * its life, or already expired while the session is alive, gets a new token and extends the session.
 */
export function createSessions(options: SessionsOptions) {
  const key = new TextEncoder().encode(options.secret);
  const kvKey = (sid: string) => `sess:${sid}`;

  const sign = (s: Session) => {
    const nowSec = Math.floor(options.clock.now() / 1000);
    return new SignJWT({ sid: s.sid, role: s.role })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(s.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + options.accessTtlSec)
      .sign(key);
  };

  const store = (s: Session) => options.kv.set(kvKey(s.sid), JSON.stringify(s), options.sessionTtlSec * 1000);

  return {
    async create(userId: string, role: Session["role"]): Promise<{ session: Session; token: string }> {
      const session: Session = { sid: crypto.randomUUID(), userId, role };
      await store(session);
      return { session, token: await sign(session) };
    },

    /** Null for anything that is not a live session: bad signature, wrong alg, revoked, idle-expired. */
    async authenticate(token: string | undefined): Promise<Authenticated | null> {
      if (!token) return null;
      let payload: { sub?: string; sid?: unknown; iat?: number; exp?: number };
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: new Date(options.clock.now()),
          // An expired token may still refresh a live session; the KV record is the authority.
          clockTolerance: options.sessionTtlSec,
        }));
      } catch (err) {
        if (err instanceof joseErrors.JOSEError) return null;
        throw err;
      }
      if (typeof payload.sid !== "string" || !payload.sub || !payload.iat) return null;
      const raw = await options.kv.get(kvKey(payload.sid));
      if (!raw) return null;
      const session = JSON.parse(raw) as Session;
      if (session.userId !== payload.sub) return null;
      const ageSec = options.clock.now() / 1000 - payload.iat;
      if (ageSec < options.accessTtlSec / 3) return { session, refreshedToken: null };
      await store(session);
      return { session, refreshedToken: await sign(session) };
    },

    async revoke(sid: string): Promise<void> {
      await options.kv.del(kvKey(sid));
    },
  };
}
export type Sessions = ReturnType<typeof createSessions>;
