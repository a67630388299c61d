import { and, eq, gte, isNull } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { deposits, referrals, users } from "../schema/index.ts";
import { creditWallet } from "./ledger.ts";

/**
 * Credits the referrer of `refereeId` once, if the referral is still unrewarded. Runs in the caller's
 * transaction, which must hold the referee's users row lock (see lockReferee) so a redemption and a
 * deposit confirmation racing each other cannot both miss the reward.
 */
export async function rewardReferral(tx: DbOrTx, refereeId: string, now: number): Promise<boolean> {
  const [ref] = await tx
    .update(referrals)
    .set({ rewardedAt: now })
    .where(and(eq(referrals.refereeId, refereeId), isNull(referrals.rewardedAt)))
    .returning();
  if (!ref) return false;
  if (ref.bonusPaise > 0) {
    await creditWallet(tx, {
      userId: ref.referrerId,
      kind: "REFERRAL",
      amountPaise: ref.bonusPaise,
      reference: `referral:${refereeId}`,
      description: "Referral bonus: your friend's first deposit",
      now,
    });
  }
  return true;
}

export async function lockReferee(tx: DbOrTx, refereeId: string): Promise<void> {
  await tx.select({ id: users.id }).from(users).where(eq(users.id, refereeId)).for("update");
}

/** Whether the user already has a confirmed deposit of at least `minPaise`. */
export async function hasQualifyingDeposit(tx: DbOrTx, userId: string, minPaise: number): Promise<boolean> {
  const [row] = await tx
    .select({ id: deposits.id })
    .from(deposits)
    .where(
      and(eq(deposits.userId, userId), eq(deposits.status, "CONFIRMED"), gte(deposits.amountPaise, minPaise)),
    )
    .limit(1);
  return row !== undefined;
}
