import { createWithdrawalsRepo } from "@ox/db";
import type { AppDeps } from "./deps.ts";
import { createPoller } from "./poller.ts";
import { createWithdrawalService } from "./routes/withdrawal-service.ts";

export interface WithdrawalSweeperOptions {
  /** Time between passes. */
  intervalMs?: number;
  batchSize?: number;
  /** Per resent DEBIT; must stay below baseBackoffMs so a claim outlives its own send. */
  debitTimeoutMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface WithdrawalSweeper {
  start(): void;
  /** One pass over due rows; resolves with how many it finished (no longer REQUESTED). */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Finishes withdrawals whose DEBIT went unanswered (see routes/withdrawal-service.ts): claims due
 * REQUESTED rows (SKIP LOCKED, so N API replicas share the work), resends the same DEBIT and
 * applies the answer. A row still unanswered waits longer each time, capped; it is never dropped.
 */
export function createWithdrawalSweeper(
  deps: AppDeps,
  options: WithdrawalSweeperOptions = {},
): WithdrawalSweeper {
  const repo = createWithdrawalsRepo(deps.db);
  const service = createWithdrawalService(deps);
  const intervalMs = options.intervalMs ?? 3_000;
  const debitTimeoutMs = options.debitTimeoutMs ?? 3_000;
  const claim = {
    limit: options.batchSize ?? 50,
    baseBackoffMs: options.baseBackoffMs ?? 5_000,
    maxBackoffMs: options.maxBackoffMs ?? 60_000,
  };
  const pass = async (): Promise<number> => {
    const rows = await repo.claimDue({ ...claim, now: deps.clock.now() });
    if (rows.length === 0) return 0;
    const done = await Promise.all(
      rows.map((row) =>
        service.resume(row, debitTimeoutMs).catch((err: unknown) => {
          deps.logger.error(
            { err, withdrawalId: row.id },
            "withdrawal sweep failed for a row; it stays REQUESTED",
          );
          return row;
        }),
      ),
    );
    const finished = done.filter((w) => w.status !== "REQUESTED").length;
    deps.logger.info({ claimed: rows.length, finished }, "withdrawal sweep");
    return finished;
  };

  const poller = createPoller({
    intervalMs,
    pass,
    onError: (err) => deps.logger.error({ err }, "withdrawal sweep pass failed"),
  });
  return { start: poller.start, sweep: poller.run, stop: poller.stop };
}
