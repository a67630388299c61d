/**
 * The notification centre: a bell with the unread count (fills, payouts, KYC decisions, referral
 * credits, withdrawals, from GET /notifications), a panel listing them, and opening the panel marks
 * them read on the server. Items that arrive while the app is open are also toasts (fills already
 * toast from the socket in main.tsx, so they are not toasted twice). Socket events refetch the list
 * (main.tsx invalidates `notificationsKey`); a slow poll catches the ones with no socket event.
 */
import type { Schema } from "@ox/client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import { type T, useT } from "../i18n";
import { formatRupees } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { useUi } from "../state/ui-store";
import { Link } from "./link";

export const notificationsKey = ["notifications"] as const;
type Notification = Schema<"NotificationView">;

/** One notification as a sentence in the current language. */
export function notificationText(t: T, n: Notification, lang: "en" | "hi"): string {
  const title = (lang === "hi" && n.marketTitleHi) || n.marketTitle || "";
  const amount = formatRupees(n.amountPaise ?? 0, { fixed: true });
  switch (n.kind) {
    case "FILL":
      return t("notifFill", {
        side: t(n.side === "SELL" ? "sideSELL" : "sideBUY"),
        qty: n.qty ?? 0,
        outcome: t(n.outcome === "NO" ? "outcomeNO" : "outcomeYES"),
        price: formatRupees(n.pricePaise ?? 0),
        title,
      });
    case "PAYOUT":
      return t("notifPayout", { amount, title });
    case "KYC":
      return t(n.status === "VERIFIED" ? "notifKycVerified" : "notifKycRejected");
    case "REFERRAL":
      return t("notifReferral", { amount });
    case "WITHDRAWAL": {
      const s = n.status;
      const status =
        s === "REQUESTED" || s === "RESERVED" || s === "PAID" || s === "REFUNDED" || s === "REJECTED"
          ? t(`wd${s}`)
          : (s ?? "");
      return t("notifWithdrawal", { amount, status });
    }
  }
}

export function NotificationBell() {
  const t = useT();
  const lang = useUi((s) => s.lang);
  const toast = useUi((s) => s.toast);
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const q = useQuery({
    queryKey: notificationsKey,
    queryFn: () => api.notifications.list({ query: { limit: 30 } }),
    refetchInterval: 15_000,
  });
  const markRead = useMutation({
    mutationFn: (upTo: number) => api.notifications.markRead({ body: { upTo } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: notificationsKey }),
  });
  // Toast what is new since the first answer of this page (not the backlog at load).
  const known = useRef<Set<string> | null>(null);
  useEffect(() => {
    const list = q.data?.notifications;
    if (!list) return;
    if (known.current === null) {
      known.current = new Set(list.map((n) => n.id));
      return;
    }
    for (const n of list) {
      if (known.current.has(n.id)) continue;
      known.current.add(n.id);
      if (!n.read && n.kind !== "FILL") toast(notificationText(t, n, lang), "info");
    }
  }, [q.data, t, lang, toast]);

  const unread = q.data?.unread ?? 0;
  const list = q.data?.notifications ?? [];
  const toggle = () => {
    const next = !open;
    setOpen(next);
    const newest = list[0]?.ts;
    if (next && unread > 0 && newest !== undefined) markRead.mutate(newest);
  };
  return (
    <div className="notif">
      <button
        type="button"
        className="btn btn-ghost btn-sm notif-bell"
        aria-expanded={open}
        aria-controls="notif-panel"
        onClick={toggle}
        data-testid="notif-bell"
      >
        <span aria-hidden="true">🔔</span>
        <span className="sr-only">{t("notifications")}</span>
        {unread > 0 && (
          <span className="notif-count" data-testid="notif-count" data-count={unread}>
            <span className="sr-only">: </span>
            {unread}
            <span className="sr-only"> {t("notifUnread")}</span>
          </span>
        )}
      </button>
      {open && (
        <section id="notif-panel" className="notif-panel card" aria-label={t("notifications")}>
          <h2 className="notif-title">{t("notifications")}</h2>
          {list.length === 0 ? (
            <p className="muted small">{t("noNotifications")}</p>
          ) : (
            <ul className="list" data-testid="notif-list">
              {list.map((n) => (
                <li key={n.id} className={n.read ? "notif-item" : "notif-item unread"} data-kind={n.kind}>
                  {n.marketId ? (
                    <Link href={`/markets/${encodeURIComponent(n.marketId)}`} onClick={() => setOpen(false)}>
                      {notificationText(t, n, lang)}
                    </Link>
                  ) : (
                    <span>{notificationText(t, n, lang)}</span>
                  )}
                  <div className="muted small">{formatDateTime(n.ts)}</div>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
