import { z } from "zod";

/**
 * The notification centre's items: derived from what is already persisted (fills from `trades`,
 * payouts and referral credits from the ledger, KYC decisions, withdrawals), newest first.
 */
export const NotificationView = z
  .object({
    id: z
      .string()
      .meta({ description: "Stable per event: fill:<seq>:<role>, ledger:<id>, kyc:<id>, wd:<id>:<status>" }),
    kind: z.enum(["FILL", "PAYOUT", "KYC", "REFERRAL", "WITHDRAWAL"]),
    ts: z.number().int(),
    read: z.boolean().meta({ description: "At or before the user's readAt" }),
    marketId: z.string().nullable(),
    marketTitle: z.string().nullable(),
    marketTitleHi: z.string().nullable(),
    amountPaise: z
      .number()
      .int()
      .nullable()
      .meta({ description: "Payout, referral credit or withdrawal amount" }),
    qty: z.number().int().nullable(),
    outcome: z.enum(["YES", "NO"]).nullable(),
    side: z.enum(["BUY", "SELL"]).nullable(),
    pricePaise: z.number().int().nullable(),
    status: z
      .string()
      .nullable()
      .meta({ description: "KYC decision (VERIFIED, REJECTED) or withdrawal status" }),
  })
  .meta({ id: "Notification" });
export const NotificationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export const NotificationsResponse = z
  .object({
    notifications: z.array(NotificationView),
    unread: z.number().int().meta({ description: "Unread among the newest `limit` of each source" }),
    readAt: z.number().int().nullable(),
  })
  .meta({ id: "Notifications" });
export const MarkNotificationsReadRequest = z
  .object({
    upTo: z.number().int().nonnegative().meta({ description: "Epoch ms; later than now counts as now" }),
  })
  .strict()
  .meta({ id: "MarkNotificationsRead" });
export const NotificationsReadResponse = z
  .object({ readAt: z.number().int() })
  .meta({ id: "NotificationsRead" });
