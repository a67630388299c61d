import { createKycRepo, createPaymentsRepo, type Withdrawal } from "@ox/db";
import type { AppDeps } from "../deps.ts";
import { EngineTimeoutError } from "../engine/engine-gateway.ts";
import { ApiError } from "../errors.ts";

const DEBIT_ATTEMPTS = 3;

/**
 * Withdrawals, SPEC §5: the engine reserves the money first (DEBIT, ref `wd:<id>`, only from
 * available cash, so funds locked in orders cannot leave), then Postgres records it, then the
 * payout runs; a failed payout is refunded to the engine through an outbox CREDIT REFUND.
 * A timed-out DEBIT is retried with the same ref: the engine answers DUPLICATE if the first one
 * went through, so the reserve is never taken twice.
 */
export function createWithdrawalService(deps: AppDeps) {
  const kyc = createKycRepo(deps.db);
  const payments = createPaymentsRepo(deps.db);
  const { config } = deps;

  async function reserve(userId: string, amountPaise: number, id: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const reply = await deps.engine.execute({ type: "DEBIT", userId, amountPaise, ref: `wd:${id}`, ts: deps.clock.now() });
        if (reply.code === "OK" || reply.code === "DUPLICATE") return;
        if (reply.code === "INSUFFICIENT_FUNDS") throw new ApiError("INSUFFICIENT_FUNDS", "not enough available balance");
        if (reply.code === "USER_NOT_FOUND") throw new ApiError("ENGINE_UNAVAILABLE", "your account is still being set up; try again shortly");
        throw new Error(`engine refused DEBIT: ${reply.code}`);
      } catch (err) {
        if (!(err instanceof EngineTimeoutError)) throw err;
        if (attempt >= DEBIT_ATTEMPTS) {
          deps.logger.error({ withdrawalId: id, userId }, "withdraw reserve unanswered; reconcile engine_transfers ref wd:<id>");
          throw new ApiError("ENGINE_UNAVAILABLE", "the exchange did not answer; try again", { cause: err });
        }
      }
    }
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
      if (verified?.status !== "VERIFIED") throw new ApiError("KYC_REQUIRED", "complete KYC before withdrawing");
      const id = crypto.randomUUID();
      await reserve(userId, amountPaise, id);
      const withdrawal = await payments.recordWithdrawal({ id, userId, amountPaise, now: deps.clock.now() });
      const result = await deps.payouts
        .payout({ withdrawalId: id, userId, amountPaise, bankAccount: verified.bankAccount, ifsc: verified.ifsc })
        .catch((err: unknown) => ({ ok: false as const, reason: `payout error: ${(err as Error)?.message ?? err}` }));
      if (result.ok) {
        await payments.markWithdrawalPaid(id, result.payoutRef, deps.clock.now());
        return { ...withdrawal, status: "PAID", payoutRef: result.payoutRef };
      }
      await payments.refundWithdrawal(id, result.reason, deps.clock.now());
      deps.outbox.kick();
      return { ...withdrawal, status: "REFUNDED", failureReason: result.reason };
    },
  };
}
