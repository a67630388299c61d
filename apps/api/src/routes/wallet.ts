import { createRoute } from "@hono/zod-openapi";
import {
  AmountRequest,
  DepositRequest,
  DepositResponse,
  DepositsResponse,
  TransactionsQuery,
  TransactionsResponse,
  WithdrawalResponse,
  WithdrawalsResponse,
} from "@ox/contracts";
import { createAccountsRepo, createPaymentsRepo, type Deposit, type Withdrawal } from "@ox/db";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { historyDb } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";
import { createWithdrawalService } from "./withdrawal-service.ts";

export const depositView = (d: Deposit) => ({
  id: d.id,
  amountPaise: d.amountPaise,
  status: d.status,
  gateway: d.gateway,
  createdAt: d.createdAt,
});
export const withdrawalView = (w: Withdrawal) => ({
  id: w.id,
  amountPaise: w.amountPaise,
  status: w.status,
  createdAt: w.createdAt,
});

export function createWalletRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  const accounts = createAccountsRepo(deps.db);
  // The ledger's history: the replica. The balance beside it: the primary (a deposit just made shows).
  const ledgerHistory = createAccountsRepo(historyDb(deps));
  const payments = createPaymentsRepo(deps.db);
  const withdrawals = createWithdrawalService(deps);
  const router = createRouter();
  const secured = { middleware: [ctx.auth], security: [{ cookieAuth: [] }], tags: ["wallet"] };

  router.openapi(
    createRoute({
      ...secured,
      method: "get",
      path: "/wallet/transactions",
      summary: "Ledger entries, newest first (Postgres history)",
      request: { query: TransactionsQuery },
      responses: { 200: json(TransactionsResponse, "Page of entries"), ...errors(400, 401) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const { limit, before } = c.req.valid("query");
      const [wallet, entries] = await Promise.all([
        accounts.wallet(userId),
        ledgerHistory.transactions(userId, limit, before),
      ]);
      const nextBefore = entries.length === limit ? (entries[entries.length - 1]?.id ?? null) : null;
      return c.json({ balancePaise: wallet?.balancePaise ?? 0, entries, nextBefore }, 200);
    },
  );

  router.openapi(
    createRoute({
      ...secured,
      method: "post",
      path: "/wallet/deposits",
      summary:
        "Start a deposit. PENDING until the signed payment webhook confirms it (the development sandbox confirms at once)",
      request: { body: jsonBody(DepositRequest) },
      responses: { 201: json(DepositResponse, "Deposit created"), ...errors(400, 401, 403, 422, 502) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const { amountPaise: amount, method } = c.req.valid("json");
      if (amount < deps.config.DEPOSIT_MIN_PAISE)
        throw new ApiError("AMOUNT_TOO_SMALL", `minimum deposit is ${deps.config.DEPOSIT_MIN_PAISE} paise`);
      if (amount > deps.config.DEPOSIT_MAX_PAISE)
        throw new ApiError("AMOUNT_TOO_LARGE", `maximum deposit is ${deps.config.DEPOSIT_MAX_PAISE} paise`);
      let deposit = await payments.createDeposit({
        userId,
        amountPaise: amount,
        gateway: deps.payments.name,
        now: deps.clock.now(),
      });
      // The deposits table has no method column: the choice is validated and logged, not stored.
      c.get("log").info({ depositId: deposit.id, method: method ?? null }, "deposit started");
      const start = await deps.payments
        .createPayment({ depositId: deposit.id, userId, amountPaise: amount })
        .catch(async (cause) => {
          await payments.failDeposit(deposit.id, `failed_${deposit.id}`, deps.clock.now());
          c.get("log").warn({ err: cause, depositId: deposit.id }, "payment gateway error");
          throw new ApiError("PAYMENT_FAILED", "the payment gateway could not start the deposit", { cause });
        });
      if (start.status === "FAILED") {
        await payments.failDeposit(deposit.id, start.gatewayRef, deps.clock.now());
        throw new ApiError("PAYMENT_FAILED", "the payment gateway declined the deposit");
      }
      if (start.status === "CONFIRMED") {
        const result = await payments.confirmDeposit(deposit.id, start.gatewayRef, deps.clock.now(), {
          referralMinDepositPaise: deps.config.REFERRAL_MIN_DEPOSIT_PAISE,
        });
        if (result.applied) deps.outbox.kick();
        deposit = result.deposit ?? deposit;
      }
      return c.json({ deposit: depositView(deposit), redirectUrl: start.redirectUrl }, 201);
    },
  );

  router.openapi(
    createRoute({
      ...secured,
      method: "get",
      path: "/wallet/deposits",
      summary: "The caller's 50 newest deposits with their status (PENDING until the gateway confirms)",
      responses: { 200: json(DepositsResponse, "Deposits, newest first"), ...errors(401) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const rows = await payments.depositsOf(userId);
      return c.json({ deposits: rows.map(depositView) }, 200);
    },
  );

  router.openapi(
    createRoute({
      ...secured,
      method: "post",
      path: "/wallet/withdrawals",
      summary: "Withdraw to the KYC-verified bank account; the engine reserves the funds first",
      request: { body: jsonBody(AmountRequest) },
      responses: {
        201: json(WithdrawalResponse, "Withdrawal reserved by the engine, then paid or refunded"),
        202: json(
          WithdrawalResponse,
          "Requested; the engine has not answered yet and the withdrawal sweeper will finish it",
        ),
        ...errors(400, 401, 403, 422, 503),
      },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const { amountPaise: amount } = c.req.valid("json");
      const withdrawal = await withdrawals.withdraw(userId, amount);
      return c.json(
        { withdrawal: withdrawalView(withdrawal) },
        withdrawal.status === "REQUESTED" ? 202 : 201,
      );
    },
  );

  router.openapi(
    createRoute({
      ...secured,
      method: "get",
      path: "/wallet/withdrawals",
      summary: "The caller's 50 newest withdrawals with their status",
      responses: { 200: json(WithdrawalsResponse, "Withdrawals, newest first"), ...errors(401) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const rows = await payments.withdrawalsOf(userId);
      return c.json({ withdrawals: rows.map(withdrawalView) }, 200);
    },
  );

  return router;
}
