import { createHmac, timingSafeEqual } from "node:crypto";
import type { Kv } from "@ox/bus";
import { ApiError } from "../errors.ts";

export const OTP_TTL_SEC = 300;
export const OTP_RESEND_SEC = 30;
export const OTP_MAX_TRIES = 5;
export const OTP_LOCK_SEC = 15 * 60;
export const OTP_PER_PHONE_PER_HOUR = 5;
export const OTP_PER_IP_PER_HOUR = 20;

/** Uniform 6 digits from the CSPRNG (rejection sampling: no modulo bias). */
export function generateOtp(): string {
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    const n = buf[0] as number;
    if (n < 4_294_000_000) return String(n % 1_000_000).padStart(6, "0");
  }
}

/**
 * OTPs live in the KV only as a keyed hash (HMAC with the server secret), so a KV dump does not
 * reveal codes and a 10^6 space cannot be brute-forced offline. Wrong tries count per phone across
 * resends; the fifth locks the phone for 15 minutes.
 */
export function createOtpService(options: { kv: Kv; secret: string }) {
  const { kv } = options;
  const hash = (phone: string, code: string) =>
    createHmac("sha256", options.secret).update(`otp:${phone}:${code}`).digest("hex");
  const locked = async (phone: string) => {
    if (await kv.get(`otp:lock:${phone}`)) {
      throw new ApiError("OTP_LOCKED", "too many wrong codes; try again in 15 minutes", {
        retryAfterSec: OTP_LOCK_SEC,
      });
    }
  };

  return {
    /**
     * Throttles, then stores a new code and returns it for the caller to send. The IP's quota is
     * checked first and the phone's counts only codes actually sent (`sent`), so requests refused
     * for their address never spend a phone's quota: nobody can lock a chosen phone out from an IP.
     */
    async issue(phone: string, ip: string): Promise<string> {
      await locked(phone);
      if ((await kv.incr(`otp:rl:ip:${ip}`, 3_600_000)) > OTP_PER_IP_PER_HOUR) {
        throw new ApiError("RATE_LIMITED", "too many codes from this address; try later", {
          retryAfterSec: 3600,
        });
      }
      if (Number((await kv.get(`otp:rl:phone:${phone}`)) ?? 0) >= OTP_PER_PHONE_PER_HOUR) {
        throw new ApiError("RATE_LIMITED", "too many codes for this number; try later", {
          retryAfterSec: 3600,
        });
      }
      if (!(await kv.setIfAbsent(`otp:cool:${phone}`, "1", OTP_RESEND_SEC * 1000))) {
        throw new ApiError("RATE_LIMITED", "wait before asking for another code", {
          retryAfterSec: OTP_RESEND_SEC,
        });
      }
      const code = generateOtp();
      await kv.set(`otp:code:${phone}`, hash(phone, code), OTP_TTL_SEC * 1000);
      return code;
    },

    /** The code went out: it counts against the phone's hourly quota. */
    async sent(phone: string): Promise<void> {
      await kv.incr(`otp:rl:phone:${phone}`, 3_600_000);
    },

    /** Drops a stored code (the SMS could not be sent). */
    async discard(phone: string): Promise<void> {
      await kv.del(`otp:code:${phone}`);
      await kv.del(`otp:cool:${phone}`);
    },

    /** Consumes the code on success (once, even under concurrent verifies); counts wrong tries. */
    async verify(phone: string, code: string): Promise<void> {
      await locked(phone);
      const stored = await kv.get(`otp:code:${phone}`);
      if (!stored) throw new ApiError("OTP_EXPIRED", "no valid code for this number; request a new one");
      const given = Buffer.from(hash(phone, code), "hex");
      const expected = Buffer.from(stored, "hex");
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        if (!(await kv.del(`otp:code:${phone}`))) throw new ApiError("OTP_EXPIRED", "code already used");
        await kv.del(`otp:tries:${phone}`);
        return;
      }
      const tries = await kv.incr(`otp:tries:${phone}`, OTP_LOCK_SEC * 1000);
      if (tries >= OTP_MAX_TRIES) {
        await kv.set(`otp:lock:${phone}`, "1", OTP_LOCK_SEC * 1000);
        await kv.del(`otp:code:${phone}`);
        await kv.del(`otp:tries:${phone}`);
        throw new ApiError("OTP_LOCKED", "too many wrong codes; try again in 15 minutes", {
          retryAfterSec: OTP_LOCK_SEC,
        });
      }
      throw new ApiError("OTP_INVALID", `wrong code; ${OTP_MAX_TRIES - tries} tries left`);
    },
  };
}
export type OtpService = ReturnType<typeof createOtpService>;
