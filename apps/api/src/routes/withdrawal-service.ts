/**
 * Withdrawals, docs/money.md#where-money-leaves: the engine reserves the money first, so funds locked in orders cannot leave.
 *
 *   1. The intent is recorded first, in its own transaction: a withdrawal row REQUESTED (no ledger
 *      entry, no money moved in Postgres).
 *   2. The engine is sent DEBIT ref `wd:<id>` (only from available cash).
 *      OK or DUPLICATE → RESERVED with its ledger debit (one transaction), then the payout:
 *        paid → PAID; failed → REFUNDED, with a CREDIT REFUND to the engine through the outbox.
 *      INSUFFICIENT_FUNDS (or any other refusal) → REJECTED, no ledger entry.
 *      No answer → the row stays REQUESTED and the client gets 202 with it.
 *   3. The withdrawal sweeper (../withdrawal-sweeper.ts) re-sends the same DEBIT for REQUESTED rows
 *      past their grace and finishes them the same way, backing off but never giving up.
 *
 * Nothing can reserve twice: the engine's DEBIT is idempotent by ref (DUPLICATE once applied), and
 * every status change is conditional, so whichever finisher moves the row first pays it out, once.
 * The persister skips the engine's `wd:*` DEBITED events in the ledger: the entry is written here.
 */
import { createKycRepo, createPaymentsRepo, createWithdrawalsRepo, type Withdrawal } from "@ox/db";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";

/** A REQUESTED row is left to its request this long before a sweeper may take it (> the DEBIT timeout). */
export const REQUEST_GRACE_MS = 10_000;

type Outcome = "RESERVE" | "REJECT" | "WAIT";
const outcomeOf = (code: string, fromSweeper: boolean): Outcome => {
  if (code === "OK" || code === "DUPLICATE") return "RESERVE";
  // Before CREATE_USER reaches the engine; later the outbox will have delivered it.
  if (code === "USER_NOT_FOUND" && fromSweeper) return "WAIT";
  return "REJECT";
};

export function createWithdrawalService(deps: AppDeps) {
  const kyc = createKycRepo(deps.db);
  const payments = createPaymentsRepo(deps.db);
  const repo = createWithdrawalsRepo(deps.db);
  const { config, clock, logger } = deps;

  /** The engine's reply code, or null when none came (timeout, or the queue refused the send). */
  async function sendDebit(w: Withdrawal, timeoutMs?: number): Promise<string | null> {
    try {
      const command = {
        type: "DEBIT" as const,
        userId: w.userId,
        amountPaise: w.amountPaise,
        ref: `wd:${w.id}`,
        ts: clock.now(),
      };
      return (await deps.engine.execute(command, timeoutMs ? { timeoutMs } : {})).code;
    } catch (err) {
      const message = String((err as Error)?.message ?? err);
      logger.warn(
        { withdrawalId: w.id, err: message },
        "withdraw DEBIT unanswered; the sweeper will resend it",
      );
      await repo.noteUnanswered(w.id, message);
      return null;
    }
  }

  async function payOut(w: Withdrawal): Promise<Withdrawal> {
    const verified = await kyc.latestFor(w.userId);
    const result =
      verified?.status === "VERIFIED"
        ? await deps.payouts
            .payout({
              withdrawalId: w.id,
              userId: w.userId,
              amountPaise: w.amountPaise,
              bankAccount: verified.bankAccount,
              ifsc: verified.ifsc,
            })
            .catch((err: unknown) => ({
              ok: false as const,
              reason: `payout error: ${(err as Error)?.message ?? err}`,
            }))
        : { ok: false as const, reason: "KYC no longer verified" };
    if (result.ok) {
      await payments.markWithdrawalPaid(w.id, result.payoutRef, clock.now());
      return { ...w, status: "PAID", payoutRef: result.payoutRef };
    }
    await payments.refundWithdrawal(w.id, result.reason, clock.now());
    deps.outbox.kick();
    return { ...w, status: "REFUNDED", failureReason: result.reason };
  }

  /** Applies the engine's answer to a REQUESTED row; returns the row as it ends up. */
  async function finish(w: Withdrawal, code: string | null, fromSweeper: boolean): Promise<Withdrawal> {
    if (code === null) return w;
    const outcome = outcomeOf(code, fromSweeper);
    if (outcome === "WAIT") return w;
    if (outcome === "REJECT") {
      if (code !== "INSUFFICIENT_FUNDS" && code !== "USER_NOT_FOUND")
        logger.error({ withdrawalId: w.id, code }, "engine refused DEBIT");
      return (await repo.reject(w.id, code, clock.now())).withdrawal;
    }
    const reserved = await repo.reserve(w.id, clock.now());
    if (!reserved.applied) return reserved.withdrawal;
    if (w.status === "REJECTED")
      logger.warn({ withdrawalId: w.id }, "engine took a DEBIT after its refusal; reserved");
    return payOut(reserved.withdrawal);
  }

  return {
    async withdraw(userId: string, amountPaise: number): Promise<Withdrawal> {
      if (amountPaise < config.WITHDRAWAL_MIN_PAISE) {
        throw new ApiError("AMOUNT_TOO_SMALL", `minimum withdrawal is ${config.WITHDRAWAL_MIN_PAISE} paise`);
      }
      if (amountPaise > config.WITHDRAWAL_MAX_PAISE) {
        throw new ApiError("AMOUNT_TOO_LARGE", `maximum withdrawal is ${config.WITHDRAWAL_MAX_PAISE} paise`);
      }
      const verified = await kyc.latestFor(userId);
      if (verified?.status !== "VERIFIED")
        throw new ApiError("KYC_REQUIRED", "complete KYC before withdrawing");
      const now = clock.now();
      const requested = await repo.request({
        id: crypto.randomUUID(),
        userId,
        amountPaise,
        now,
        sweepAfter: now + REQUEST_GRACE_MS,
      });
      const code = await sendDebit(requested);
      const result = await finish(requested, code, false);
      if (result.status === "REJECTED") {
        if (result.failureReason === "INSUFFICIENT_FUNDS")
          throw new ApiError("INSUFFICIENT_FUNDS", "not enough available balance");
        if (result.failureReason === "USER_NOT_FOUND")
          throw new ApiError("ENGINE_UNAVAILABLE", "your account is still being set up; try again shortly");
        throw new Error(`engine refused DEBIT: ${result.failureReason}`);
      }
      return result;
    },

    /** One sweeper try for a claimed REQUESTED row: resend the DEBIT, finish on an answer. */
    async resume(w: Withdrawal, debitTimeoutMs: number): Promise<Withdrawal> {
      return finish(w, await sendDebit(w, debitTimeoutMs), true);
    },
  };
}
export type WithdrawalService = ReturnType<typeof createWithdrawalService>;
