import { z } from "zod";

const INDIAN_MOBILE = /^\+91[6-9]\d{9}$/;

/**
 * Accepts what people type (spaces, dashes, a leading 0 or 91, or none) and normalises to E.164
 * `+91XXXXXXXXXX`; anything that is not an Indian mobile number after that is refused.
 */
export function normalizeIndianPhone(raw: string): string | null {
  const compact = raw.replace(/[\s\-().]/g, "");
  let digits: string;
  if (compact.startsWith("+")) digits = compact;
  else if (/^0\d{10}$/.test(compact)) digits = `+91${compact.slice(1)}`;
  else if (/^91\d{10}$/.test(compact)) digits = `+${compact}`;
  else if (/^\d{10}$/.test(compact)) digits = `+91${compact}`;
  else return null;
  return INDIAN_MOBILE.test(digits) ? digits : null;
}

export const Phone = z
  .string()
  .max(32)
  .refine((s) => normalizeIndianPhone(s) !== null, {
    message: "must be an Indian mobile number (+91XXXXXXXXXX)",
  })
  .transform((s) => normalizeIndianPhone(s) as string)
  .meta({
    example: "+919876543210",
    description: "E.164 Indian mobile number; normalised to +91XXXXXXXXXX",
  });

export const OtpRequest = z.object({ phone: Phone }).strict().meta({ id: "OtpRequest" });
export const OtpResponse = z
  .object({
    expiresInSec: z.number().int(),
    resendInSec: z.number().int(),
    devOtp: z.string().optional().meta({ description: "Only when SMS_PROVIDER=console (development)" }),
  })
  .meta({ id: "OtpResponse" });

export const VerifyRequest = z
  .object({ phone: Phone, otp: z.string().regex(/^\d{6}$/, "must be 6 digits") })
  .strict()
  .meta({ id: "VerifyRequest" });

export const UserView = z
  .object({
    id: z.string(),
    phone: z.string(),
    role: z.enum(["USER", "ADMIN"]),
    referralCode: z.string(),
    isNew: z.boolean(),
    createdAt: z.number().int(),
  })
  .meta({ id: "User" });

export const UserResponse = z.object({ user: UserView }).meta({ id: "UserResponse" });
/** The session probe: 200 whether or not anyone is signed in (an anonymous page load logs no error). */
export const SessionResponse = z.object({ user: UserView.nullable() }).meta({ id: "SessionResponse" });
export const MeResponse = z
  .object({
    user: UserView,
    wallet: z.object({ balancePaise: z.number().int() }),
    kycStatus: z.enum(["NONE", "PENDING", "VERIFIED", "REJECTED"]),
  })
  .meta({ id: "MeResponse" });
export const OkResponse = z.object({ ok: z.literal(true) }).meta({ id: "Ok" });
