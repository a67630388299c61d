import { z } from "zod";
import { idString } from "./text.ts";

/** Integer paise; ₹1 = 100. The cap keeps every sum far inside 2^53. */
export const AmountPaise = z
  .number()
  .int()
  .positive()
  .max(100_000_000_00)
  .meta({ description: "Integer paise (₹1 = 100)", example: 10_000 });

export const AmountRequest = z.object({ amountPaise: AmountPaise }).strict().meta({ id: "AmountRequest" });

export const LedgerEntryView = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    amountPaise: z.number().int(),
    balanceAfterPaise: z.number().int(),
    reference: z.string(),
    description: z.string().nullable(),
    createdAt: z.number().int(),
  })
  .meta({ id: "LedgerEntry" });

export const TransactionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional(),
});
export const TransactionsResponse = z
  .object({
    balancePaise: z.number().int(),
    entries: z.array(LedgerEntryView),
    nextBefore: z.number().int().nullable(),
  })
  .meta({ id: "Transactions" });

/** How the user pays; the gateway's checkout preselects it. The sandbox accepts every method. */
export const DEPOSIT_METHODS = ["UPI", "CARD", "NETBANKING"] as const;
export const DepositMethod = z.enum(DEPOSIT_METHODS).meta({ description: "Payment method", example: "UPI" });
export const DepositRequest = z
  .object({ amountPaise: AmountPaise, method: DepositMethod.optional() })
  .strict()
  .meta({ id: "DepositRequest" });

export const DepositView = z
  .object({
    id: z.string(),
    amountPaise: z.number().int(),
    status: z.enum(["PENDING", "CONFIRMED", "FAILED"]),
    gateway: z.string(),
    createdAt: z.number().int(),
  })
  .meta({ id: "Deposit" });
export const DepositResponse = z
  .object({ deposit: DepositView, redirectUrl: z.string().nullable() })
  .meta({ id: "DepositResponse" });
export const DepositsResponse = z.object({ deposits: z.array(DepositView) }).meta({ id: "Deposits" });

export const DepositWebhook = z
  .object({
    depositId: idString(100),
    gatewayRef: idString(200),
    status: z.enum(["SUCCESS", "FAILED"]),
    amount: AmountPaise,
  })
  .strict()
  .meta({ id: "DepositWebhook" });
export const WebhookResponse = z.object({ applied: z.boolean() }).meta({ id: "WebhookResponse" });

export const WithdrawalView = z
  .object({
    id: z.string(),
    amountPaise: z.number().int(),
    status: z.enum(["REQUESTED", "RESERVED", "PAID", "REFUNDED", "REJECTED"]),
    createdAt: z.number().int(),
  })
  .meta({ id: "Withdrawal" });
export const WithdrawalResponse = z.object({ withdrawal: WithdrawalView }).meta({ id: "WithdrawalResponse" });
export const WithdrawalsResponse = z
  .object({ withdrawals: z.array(WithdrawalView) })
  .meta({ id: "Withdrawals" });
