import { and, desc, eq, isNull, lt, ne } from "drizzle-orm";
import type { Db } from "../client.ts";
import { ledgerEntries, referrals, users, wallets } from "../schema/index.ts";
import { creditWallet, enqueueOutbox } from "./ledger.ts";
import { hasQualifyingDeposit, rewardReferral } from "./referral-reward.ts";

export type User = typeof users.$inferSelect;
export type Role = User["role"];

// No 0/O/1/I: codes are read aloud and typed from screenshots.
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export function generateReferralCode(length = 8): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let code = "";
  for (const b of bytes) code += CODE_ALPHABET[b % CODE_ALPHABET.length];
  return code;
}

export interface LoginInput {
  phone: string;
  role: Role;
  signupBonusPaise: number;
  now: number;
}

export type RedeemResult =
  | { ok: true; referrerId: string; bonusPaise: number; rewarded: boolean }
  | { ok: false; code: "REFERRAL_CODE_UNKNOWN" | "REFERRAL_SELF" | "REFERRAL_ALREADY_REDEEMED" };

export function createAccountsRepo(db: Db) {
  return {
    async findById(id: string): Promise<User | undefined> {
      const [u] = await db.select().from(users).where(eq(users.id, id));
      return u;
    },

    /** Sets the user's role; true when it was different (so exactly one caller sees the change). */
    async setRole(userId: string, role: Role): Promise<boolean> {
      const changed = await db
        .update(users)
        .set({ role })
        .where(and(eq(users.id, userId), ne(users.role, role)))
        .returning({ id: users.id });
      return changed.length > 0;
    },

    async findByPhone(phone: string): Promise<User | undefined> {
      const [u] = await db.select().from(users).where(eq(users.phone, phone));
      return u;
    },

    /**
     * Returns the user for `phone`, creating it on first login in one transaction: user with a
     * unique referral code, wallet, signup bonus ledger entry, and outbox rows CREATE_USER then
     * CREDIT BONUS. The role follows the configuration on every login (ADMIN_PHONES).
     */
    async loginByPhone(input: LoginInput): Promise<{ user: User; created: boolean; roleChanged?: boolean }> {
      for (let attempt = 0; attempt < 10; attempt++) {
        const existing = await this.findByPhone(input.phone);
        if (existing) {
          if (existing.role === input.role) return { user: existing, created: false };
          const changed = await this.setRole(existing.id, input.role);
          return { user: { ...existing, role: input.role }, created: false, roleChanged: changed };
        }
        const created = await db.transaction(async (tx) => {
          const [user] = await tx
            .insert(users)
            .values({
              phone: input.phone,
              role: input.role,
              referralCode: generateReferralCode(),
              createdAt: input.now,
            })
            .onConflictDoNothing()
            .returning();
          if (!user) return undefined; // phone taken by a concurrent login, or code collision: loop
          await tx.insert(wallets).values({ userId: user.id, balancePaise: 0, updatedAt: input.now });
          await enqueueOutbox(tx, { type: "CREATE_USER", userId: user.id }, input.now);
          if (input.signupBonusPaise > 0) {
            await creditWallet(tx, {
              userId: user.id,
              kind: "BONUS",
              amountPaise: input.signupBonusPaise,
              reference: `bonus:${user.id}`,
              description: "Signup bonus",
              now: input.now,
            });
          }
          return user;
        });
        if (created) return { user: created, created: true };
      }
      throw new Error("could not create user: repeated conflicts");
    },

    async wallet(userId: string) {
      const [w] = await db.select().from(wallets).where(eq(wallets.userId, userId));
      return w;
    },

    /** Newest first; `before` is the id of the last entry of the previous page. */
    async transactions(userId: string, limit: number, before?: number) {
      const where = before
        ? and(eq(ledgerEntries.userId, userId), lt(ledgerEntries.id, before))
        : eq(ledgerEntries.userId, userId);
      return db.select().from(ledgerEntries).where(where).orderBy(desc(ledgerEntries.id)).limit(limit);
    },

    /**
     * One transaction: the referee's row is claimed with a conditional update (row lock), so of any
     * number of concurrent redemptions exactly one passes. The referrer is credited (ledger entry and
     * outbox CREDIT REFERRAL) only once the referee has a confirmed deposit of at least
     * `minDepositPaise`: now if one exists, else by the deposit confirmation (payments.confirmDeposit).
     */
    async redeemReferral(
      refereeId: string,
      rawCode: string,
      bonusPaise: number,
      now: number,
      minDepositPaise: number,
    ): Promise<RedeemResult> {
      const code = rawCode.trim().toUpperCase();
      return db.transaction(async (tx): Promise<RedeemResult> => {
        const [referrer] = await tx.select().from(users).where(eq(users.referralCode, code));
        if (!referrer) return { ok: false, code: "REFERRAL_CODE_UNKNOWN" };
        if (referrer.id === refereeId || referrer.referredBy === refereeId)
          return { ok: false, code: "REFERRAL_SELF" };
        const [claimed] = await tx
          .update(users)
          .set({ referredBy: referrer.id, isNew: false })
          .where(
            and(
              eq(users.id, refereeId),
              isNull(users.referredBy),
              eq(users.isNew, true),
              ne(users.id, referrer.id),
            ),
          )
          .returning({ id: users.id });
        if (!claimed) return { ok: false, code: "REFERRAL_ALREADY_REDEEMED" };
        await tx
          .insert(referrals)
          .values({ referrerId: referrer.id, refereeId, code, bonusPaise, createdAt: now });
        const rewarded =
          (await hasQualifyingDeposit(tx, refereeId, minDepositPaise)) &&
          (await rewardReferral(tx, refereeId, now));
        return { ok: true, referrerId: referrer.id, bonusPaise, rewarded };
      });
    },

    async referralsOf(referrerId: string) {
      return db
        .select({
          refereeId: referrals.refereeId,
          bonusPaise: referrals.bonusPaise,
          createdAt: referrals.createdAt,
          rewardedAt: referrals.rewardedAt,
        })
        .from(referrals)
        .where(eq(referrals.referrerId, referrerId))
        .orderBy(desc(referrals.createdAt));
    },
  };
}
export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
