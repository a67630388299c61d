import { createRoute, type z } from "@hono/zod-openapi";
import {
  MarkNotificationsReadRequest,
  NotificationsQuery,
  NotificationsReadResponse,
  NotificationsResponse,
  type NotificationView,
} from "@ox/contracts";
import { kycRequests, ledgerEntries, markets, trades, users, withdrawals } from "@ox/db";
import { and, desc, eq, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { RouteContext } from "../app.ts";
import { createRouter, sessionOf } from "../app-env.ts";
import { errors, json, jsonBody } from "./openapi-helpers.ts";
import { fillsOf } from "./portfolio-fills.ts";

type Item = z.infer<typeof NotificationView>;
const blank = {
  marketId: null,
  marketTitle: null,
  marketTitleHi: null,
  amountPaise: null,
  qty: null,
  outcome: null,
  side: null,
  pricePaise: null,
  status: null,
} as const;

/** Trade, fee and payout ledger rows end with " in <marketId>" (the persister's plan writes them so). */
const marketOfDescription = (d: string | null) => / in (\S+)$/.exec(d ?? "")?.[1] ?? null;

/**
 * GET /notifications and POST /notifications/read. The items are not a table of their own: each is
 * read from where its event is already persisted (the persister's `trades`, the ledger, KYC requests,
 * withdrawals), so nothing can be notified that did not happen and no writer had to change. Reading
 * is one timestamp per user (`users.notifications_read_at`). The primary, not the replica: a toast
 * follows a socket event and must find its row.
 */
export function createNotificationRoutes(ctx: RouteContext) {
  const { db } = ctx.deps;
  const router = createRouter();
  const secured = { middleware: [ctx.auth], security: [{ cookieAuth: [] }], tags: ["notifications"] };

  async function readAtOf(userId: string): Promise<number | null> {
    const [row] = await db
      .select({ readAt: users.notificationsReadAt })
      .from(users)
      .where(eq(users.id, userId));
    return row?.readAt ?? null;
  }

  router.openapi(
    createRoute({
      ...secured,
      method: "get",
      path: "/notifications",
      summary: "Your fills, payouts, KYC decisions, referral credits and withdrawals, newest first",
      request: { query: NotificationsQuery },
      responses: { 200: json(NotificationsResponse, "Notifications"), ...errors(400, 401) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const { limit } = c.req.valid("query");
      const [fillRows, ledgerRows, kycRows, wdRows, readAt] = await Promise.all([
        db
          .select()
          .from(trades)
          .where(or(eq(trades.makerUserId, userId), eq(trades.takerUserId, userId)))
          .orderBy(desc(trades.seq))
          .limit(limit),
        db
          .select()
          .from(ledgerEntries)
          .where(and(eq(ledgerEntries.userId, userId), inArray(ledgerEntries.kind, ["PAYOUT", "REFERRAL"])))
          .orderBy(desc(ledgerEntries.id))
          .limit(limit),
        db
          .select()
          .from(kycRequests)
          .where(and(eq(kycRequests.userId, userId), isNotNull(kycRequests.decidedAt)))
          .orderBy(desc(kycRequests.decidedAt))
          .limit(limit),
        db
          .select()
          .from(withdrawals)
          .where(eq(withdrawals.userId, userId))
          .orderBy(desc(withdrawals.updatedAt))
          .limit(limit),
        readAtOf(userId),
      ]);
      const items: Omit<Item, "read" | "marketTitle" | "marketTitleHi">[] = [];
      for (const row of fillRows)
        for (const f of fillsOf(row, userId))
          items.push({
            ...blank,
            id: `fill:${f.tradeSeq}:${f.role}`,
            kind: "FILL",
            ts: f.ts,
            marketId: f.marketId,
            qty: f.qty,
            outcome: f.outcome,
            side: f.side,
            pricePaise: f.pricePaise,
          });
      for (const l of ledgerRows)
        items.push({
          ...blank,
          id: `ledger:${l.id}`,
          kind: l.kind === "PAYOUT" ? "PAYOUT" : "REFERRAL",
          ts: l.createdAt,
          marketId: l.kind === "PAYOUT" ? marketOfDescription(l.description) : null,
          amountPaise: l.amountPaise,
        });
      for (const k of kycRows)
        items.push({
          ...blank,
          id: `kyc:${k.id}`,
          kind: "KYC",
          ts: k.decidedAt ?? k.createdAt,
          status: k.status,
        });
      for (const w of wdRows)
        items.push({
          ...blank,
          id: `wd:${w.id}:${w.status}`,
          kind: "WITHDRAWAL",
          ts: w.updatedAt,
          amountPaise: w.amountPaise,
          status: w.status,
        });
      items.sort((a, b) => b.ts - a.ts || (a.id < b.id ? -1 : 1));
      const newest = items.slice(0, limit);
      const ids = [...new Set(newest.flatMap((i) => (i.marketId ? [i.marketId] : [])))];
      const titles = new Map(
        ids.length
          ? (
              await db
                .select({ id: markets.id, title: markets.title, titleHi: markets.titleHi })
                .from(markets)
                .where(inArray(markets.id, ids))
            ).map((m) => [m.id, m])
          : [],
      );
      const notifications: Item[] = newest.map((i) => {
        const m = i.marketId ? titles.get(i.marketId) : undefined;
        return {
          ...i,
          marketTitle: m?.title ?? null,
          marketTitleHi: m?.titleHi ?? null,
          read: readAt !== null && i.ts <= readAt,
        };
      });
      return c.json({ notifications, unread: notifications.filter((n) => !n.read).length, readAt }, 200);
    },
  );

  router.openapi(
    createRoute({
      ...secured,
      method: "post",
      path: "/notifications/read",
      summary: "Mark every notification up to a time as read (never moves back)",
      request: { body: jsonBody(MarkNotificationsReadRequest) },
      responses: { 200: json(NotificationsReadResponse, "Read"), ...errors(400, 401) },
    }),
    async (c) => {
      const { userId } = sessionOf(c);
      const upTo = Math.min(c.req.valid("json").upTo, ctx.deps.clock.now());
      const [row] = await db
        .update(users)
        .set({ notificationsReadAt: sql`greatest(coalesce(${users.notificationsReadAt}, 0), ${upTo})` })
        .where(eq(users.id, userId))
        .returning({ readAt: users.notificationsReadAt });
      return c.json({ readAt: row?.readAt ?? upTo }, 200);
    },
  );
  return router;
}
