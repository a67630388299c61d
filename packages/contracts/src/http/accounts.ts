import { z } from "zod";
import { lineText } from "./text.ts";

export const RedeemRequest = z
  .object({
    code: z
      .string()
      .trim()
      .min(4)
      .max(16)
      .regex(/^[A-Za-z0-9]+$/),
  })
  .strict()
  .meta({ id: "RedeemRequest" });
export const RedeemResponse = z
  .object({
    ok: z.literal(true),
    referrerBonusPaise: z.number().int(),
    /** False until the referee's first confirmed deposit of at least `qualifyingDepositPaise`. */
    rewarded: z.boolean(),
    qualifyingDepositPaise: z.number().int(),
  })
  .meta({ id: "RedeemResponse" });
export const ReferralsResponse = z
  .object({
    code: z.string(),
    redeemed: z.boolean(),
    referrals: z.array(
      z.object({
        refereeId: z.string(),
        bonusPaise: z.number().int(),
        createdAt: z.number().int(),
        /** When the bonus was credited (the referee's first qualifying deposit); null while waiting. */
        rewardedAt: z.number().int().nullable(),
      }),
    ),
    /** Credited bonuses only. */
    totalBonusPaise: z.number().int(),
    /** What the referrer is credited per referee (configured REFERRAL_BONUS_PAISE). */
    rewardPaise: z.number().int(),
    /** The referee's first deposit of at least this much releases the reward. */
    qualifyingDepositPaise: z.number().int(),
  })
  .meta({ id: "Referrals" });

export const KycRequest = z
  .object({
    pan: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{5}[0-9]{4}[A-Z]$/, "PAN must look like AAAAA9999A"),
    name: z
      .string()
      .trim()
      .min(2)
      .max(100)
      .regex(/^[\p{L} .'-]+$/u, "letters, spaces, . ' - only"),
    bankAccount: z
      .string()
      .trim()
      .regex(/^\d{9,18}$/, "9 to 18 digits"),
    ifsc: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{4}0[A-Z0-9]{6}$/, "IFSC must look like ABCD0123456"),
  })
  .strict()
  .meta({ id: "KycRequest" });

export const KycView = z
  .object({
    id: z.string(),
    status: z.enum(["PENDING", "VERIFIED", "REJECTED"]),
    name: z.string(),
    panMasked: z.string(),
    bankAccountMasked: z.string(),
    ifsc: z.string(),
    reason: z.string().nullable(),
    createdAt: z.number().int(),
    decidedAt: z.number().int().nullable(),
  })
  .meta({ id: "Kyc" });
export const KycResponse = z.object({ kyc: KycView.nullable() }).meta({ id: "KycResponse" });

export const AdminKycView = z
  .object({
    id: z.string(),
    userId: z.string(),
    status: z.enum(["PENDING", "VERIFIED", "REJECTED"]),
    panMasked: z.string().meta({ description: "All but the last 4 characters masked; reveal is audited" }),
    name: z.string(),
    bankAccountMasked: z.string(),
    ifsc: z.string(),
    createdAt: z.number().int(),
  })
  .meta({ id: "AdminKyc" });
export const KycRevealResponse = z.object({ id: z.string(), pan: z.string(), bankAccount: z.string() }).meta({
  id: "KycReveal",
  description: "The unmasked PAN and account number; each call is in the audit log",
});
export const AdminKycListResponse = z
  .object({ requests: z.array(AdminKycView) })
  .meta({ id: "AdminKycList" });
export const KycDecisionRequest = z
  .object({ status: z.enum(["VERIFIED", "REJECTED"]), reason: lineText(1, 500).optional() })
  .strict()
  .refine((d) => d.status === "VERIFIED" || d.reason !== undefined, {
    message: "a rejection needs a reason",
    path: ["reason"],
  })
  .meta({ id: "KycDecision" });
export const IdParam = z.object({
  id: z.string().uuid(),
});
