/**
 * `@ox/sessions`: server-side sessions in the Kv behind short-lived HS256 tokens. The API issues,
 * refreshes and revokes them; the stream's handshake (in the platform) authenticates with the same
 * store. One owner of the token format, so the two cannot drift.
 */
import type { Kv } from "@ox/bus";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";

export const SESSION_COOKIE = "ox_session";
/** The tokens' issuer and audience claims: whoever verifies a session token checks these. */
export const TOKEN_ISSUER = "ox-api";
export const TOKEN_AUDIENCE = "ox";
const ISSUER = TOKEN_ISSUER;
const AUDIENCE = TOKEN_AUDIENCE;

export interface Session {
  sid: string;
  userId: string;
  role: "USER" | "ADMIN";
  /** The login phone: the role is re-derived from it on every authentication (ADMIN_PHONES). */
  phone?: string;
}

/** Seconds of clock skew tolerated on `exp`/`iat`; not a grace period. */
export const CLOCK_TOLERANCE_SEC = 30;

/** Where a live session is kept in the Kv; absent once revoked or expired. */
export const sessionKey = (sid: string) => `sess:${sid}`;

/** Verified tokens remembered (by their full text, signature included), so a repeat skips the HMAC. */
const VERIFIED_CACHE_MAX = 10_000;
/** Session records kept in memory (`cacheMs`); the oldest goes when it is full. */
const RECORD_CACHE_MAX = 100_000;

interface VerifiedClaims {
  sub?: string;
  sid?: unknown;
  iat?: number;
  exp?: number;
}

export interface SessionsOptions {
  kv: Kv;
  secret: string;
  /** Epoch ms. */
  clock: { now(): number };
  /** Idle lifetime of the server-side session; every refresh extends it. */
  sessionTtlSec: number;
  /** A token older than a third of this is re-issued (and the server-side session extended). */
  accessTtlSec: number;
  /**
   * The phones that are admins now. When given, a session's role follows it on every request, so a
   * phone removed from ADMIN_PHONES is demoted on its next request after the restart, not at re-login.
   */
  adminPhones?: readonly string[];
  /** Told of every revoked session (the stream disconnects its sockets). */
  onRevoked?: (sid: string) => void;
  /**
   * Keep a session record read from the Kv this long (ms) in memory, so a request does not wait for
   * a Kv read: an API replica of a distributed deployment, whose Kv is Redis. This process's own
   * writes and revocations update it at once; another process's revocation or role change reaches
   * it through forget()/forgetUser() (the API calls them for the session events on pub/sub), and
   * if that message is lost the record is honoured at most this much longer. Absence is never
   * kept (a session just created elsewhere is read at once). Default 0: every request reads the Kv.
   */
  cacheMs?: number;
  /**
   * Told, once per session, when ADMIN_PHONES gave a session another role than it was created
   * with (a phone removed from or added to the list): record it and tell the stream. Awaited.
   */
  onRoleChanged?: (change: { userId: string; role: Session["role"] }) => Promise<void>;
}

export interface Authenticated {
  session: Session;
  /** A fresh token when the presented one is past a third of its life (sliding refresh). */
  refreshedToken: string | null;
}

/**
 * Sessions: an HS256 JWT in the cookie plus a server-side record in the KV, so logout revokes at once.
 * The token must carry `exp` (at most the session's idle lifetime after `iat`) and is refused once
 * past it, with only CLOCK_TOLERANCE_SEC of skew. Sliding refresh: a request with a token older than
 * a third of `accessTtlSec` gets a new token and extends the session.
 */
export function createSessions(options: SessionsOptions) {
  const key = new TextEncoder().encode(options.secret);
  const kvKey = sessionKey;
  const admins = options.adminPhones ? new Set(options.adminPhones) : null;
  const cacheMs = options.cacheMs ?? 0;
  /** sid → the stored record's text and when it stops counting (cacheMs > 0 only). */
  const records = new Map<string, { raw: string; userId: string; until: number }>();
  const keep = (sid: string, raw: string, userId: string) => {
    if (cacheMs <= 0) return;
    if (records.size >= RECORD_CACHE_MAX && !records.has(sid))
      records.delete(records.keys().next().value as string);
    records.set(sid, { raw, userId, until: options.clock.now() + cacheMs });
  };
  /** The record kept in memory (cacheMs > 0), while it counts; else undefined (read the Kv). */
  const keptRecord = (sid: string): string | undefined => {
    const hit = records.get(sid);
    if (hit && hit.until > options.clock.now()) return hit.raw;
    if (hit) records.delete(sid);
    return undefined;
  };
  // A record's text → its parse, by session: the same text (the Kv's cache hands back the same
  // string) is not parsed again on every request. Only ever read after the text was compared.
  const parsed = new Map<string, { raw: string; stored: Session }>();
  const parseRecord = (sid: string, raw: string): Session => {
    const hit = parsed.get(sid);
    if (hit && hit.raw === raw) return hit.stored;
    const stored = JSON.parse(raw) as Session;
    if (parsed.size >= RECORD_CACHE_MAX && !parsed.has(sid))
      parsed.delete(parsed.keys().next().value as string);
    parsed.set(sid, { raw, stored });
    return stored;
  };

  const sign = (s: Session) => {
    const nowSec = Math.floor(options.clock.now() / 1000);
    return new SignJWT({ sid: s.sid, role: s.role })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(s.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + options.sessionTtlSec)
      .sign(key);
  };

  // Token text → its verified claims. A hit is the same bytes jose already verified with this key;
  // `exp` is checked again against the clock on every use, and the session record (revocation) is
  // still read from the Kv on every request. Bounded: the oldest entry goes when it is full.
  const verified = new Map<string, VerifiedClaims & { exp: number }>();
  /** The remembered claims of a token still inside its exp; else undefined (verify it). */
  const verifiedHit = (token: string): VerifiedClaims | undefined => {
    const hit = verified.get(token);
    if (!hit) return undefined;
    if (options.clock.now() / 1000 <= hit.exp + CLOCK_TOLERANCE_SEC) return hit;
    verified.delete(token);
    return undefined;
  };
  const verify = async (token: string): Promise<VerifiedClaims | null> => {
    const nowMs = options.clock.now();
    let payload: VerifiedClaims;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: new Date(nowMs),
        clockTolerance: CLOCK_TOLERANCE_SEC,
        requiredClaims: ["exp", "iat", "sub"],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return null;
      throw err;
    }
    if (typeof payload.exp === "number") {
      if (verified.size >= VERIFIED_CACHE_MAX) verified.delete(verified.keys().next().value as string);
      verified.set(token, { sub: payload.sub, sid: payload.sid, iat: payload.iat, exp: payload.exp });
    }
    return payload;
  };

  const store = async (s: Session) => {
    const raw = JSON.stringify(s);
    records.delete(s.sid); // a failed write must not leave the new value behind
    await options.kv.set(kvKey(s.sid), raw, options.sessionTtlSec * 1000);
    keep(s.sid, raw, s.userId);
  };

  return {
    async create(
      userId: string,
      role: Session["role"],
      phone?: string,
    ): Promise<{ session: Session; token: string }> {
      const session: Session = { sid: crypto.randomUUID(), userId, role, ...(phone && { phone }) };
      await store(session);
      return { session, token: await sign(session) };
    },

    /** Null for anything that is not a live session: bad signature, wrong alg, revoked, idle-expired. */
    async authenticate(token: string | undefined): Promise<Authenticated | null> {
      if (!token) return null;
      // The common case awaits nothing it does not have to: a remembered token, a kept record.
      const payload = verifiedHit(token) ?? (await verify(token));
      if (!payload) return null;
      if (typeof payload.sid !== "string" || !payload.sub || !payload.iat || !payload.exp) return null;
      // A token living longer than a session may (e.g. a 30-day token under a 7-day session) is not ours.
      if (payload.exp - payload.iat > options.sessionTtlSec) return null;
      const kept = keptRecord(payload.sid);
      const raw = kept ?? (await options.kv.get(kvKey(payload.sid)));
      if (!raw) return null;
      const stored = parseRecord(payload.sid, raw);
      if (stored.userId !== payload.sub) return null;
      if (kept === undefined) keep(payload.sid, raw, stored.userId);
      // A copy: the parse is shared by this session's requests.
      const session: Session = admins
        ? { ...stored, role: stored.phone && admins.has(stored.phone) ? "ADMIN" : "USER" }
        : { ...stored };
      if (session.role !== stored.role) {
        await store(session); // noticed once per session
        await options.onRoleChanged?.({ userId: session.userId, role: session.role });
      }
      const ageSec = options.clock.now() / 1000 - payload.iat;
      if (ageSec < options.accessTtlSec / 3) return { session, refreshedToken: null };
      await store(session);
      return { session, refreshedToken: await sign(session) };
    },

    async revoke(sid: string): Promise<void> {
      records.delete(sid);
      parsed.delete(sid);
      await options.kv.del(kvKey(sid));
      options.onRevoked?.(sid);
    },

    /** Another process revoked `sid` (a SESSION_REVOKED event): read it from the Kv next time. */
    forget(sid: string): void {
      records.delete(sid);
    },

    /** Another process changed `userId`'s sessions (a ROLE_CHANGED event): read them next time. */
    forgetUser(userId: string): void {
      for (const [sid, r] of records) if (r.userId === userId) records.delete(sid);
    },
  };
}
export type Sessions = ReturnType<typeof createSessions>;
