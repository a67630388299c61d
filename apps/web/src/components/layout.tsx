import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { api } from "../api/client";
import { isAdmin, useMe, usePortfolio } from "../api/queries";
import { type Lang, useT } from "../i18n";
import { formatRupees } from "../lib/money";
import { useLive } from "../state/live-store";
import { navigate, useRoute } from "../state/router";
import { reauthenticateSocket } from "../state/socket";
import { useUi } from "../state/ui-store";
import { Link } from "./link";
import { NotificationBell } from "./notification-bell";

export function Layout({ children }: { children: ReactNode }) {
  const t = useT();
  const me = useMe();
  const user = me.data ?? null;
  const path = useRoute((s) => s.path);
  const nav = [
    { href: "/", label: t("navHome"), icon: "◎", active: path === "/" || path.startsWith("/markets") },
    { href: "/portfolio", label: t("navPortfolio"), icon: "▤", active: path.startsWith("/portfolio") },
    { href: "/wallet", label: t("navWallet"), icon: "₹", active: path.startsWith("/wallet") },
    ...(user
      ? [{ href: "/settings", label: t("navSettings"), icon: "⚿", active: path.startsWith("/settings") }]
      : []),
    ...(isAdmin(user)
      ? [{ href: "/admin", label: t("navAdmin"), icon: "⚙", active: path.startsWith("/admin") }]
      : []),
  ];
  return (
    <div className="app">
      <header className="topbar">
        <Link href="/" className="brand">
          <span className="brand-mark">OX</span>
          <span className="brand-name">{t("appName")}</span>
        </Link>
        <nav className="mainnav" aria-label={t("mainNav")}>
          {nav.map((n) => (
            <Link
              key={n.href}
              href={n.href}
              className={n.active ? "navlink active" : "navlink"}
              aria-current={n.active ? "page" : undefined}
            >
              <span className="navicon" aria-hidden="true">
                {n.icon}
              </span>
              <span>{n.label}</span>
            </Link>
          ))}
        </nav>
        <div className="topbar-right">
          <LiveDot />
          <LangSwitch />
          {user && <NotificationBell />}
          {user ? (
            <UserChip />
          ) : (
            <Link href="/login" className="btn btn-primary btn-sm">
              {t("login")}
            </Link>
          )}
        </div>
      </header>
      <main className="content">{children}</main>
      <Toasts />
    </div>
  );
}

function LiveDot() {
  const t = useT();
  const connected = useLive((s) => s.connected);
  return (
    <span className={connected ? "live on" : "live off"} title={connected ? t("liveOn") : t("liveOff")}>
      <span className="dot" aria-hidden="true" />
      <span className="live-label">{connected ? t("liveOn") : t("liveOff")}</span>
    </span>
  );
}

function LangSwitch() {
  const t = useT();
  const { lang, setLang } = useUi();
  return (
    <label className="lang">
      <span className="sr-only">{t("language")}</span>
      <select aria-label={t("language")} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        <option value="en">EN</option>
        <option value="hi">हिं</option>
      </select>
    </label>
  );
}

function UserChip() {
  const t = useT();
  const qc = useQueryClient();
  const portfolio = usePortfolio();
  const logout = useMutation({
    mutationFn: () => api.auth.logout(),
    onSettled: () => {
      qc.clear();
      qc.setQueryData(["me"], null);
      reauthenticateSocket();
      navigate("/login");
    },
  });
  return (
    <div className="userchip">
      <Link
        href="/wallet"
        className="balance-pill"
        data-testid="header-balance"
        aria-label={`${t("available")} ${formatRupees(portfolio.data?.balance.availablePaise ?? 0)}`}
      >
        {portfolio.data ? formatRupees(portfolio.data.balance.availablePaise) : "…"}
      </Link>
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => logout.mutate()}>
        {t("logout")}
      </button>
    </div>
  );
}

function Toasts() {
  const t = useT();
  const toasts = useUi((s) => s.toasts);
  const dismiss = useUi((s) => s.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((x) => (
        <div key={x.id} className={`toast toast-${x.tone}`} role={x.tone === "error" ? "alert" : "status"}>
          <span>{x.text}</span>
          <button type="button" aria-label={t("dismiss")} onClick={() => dismiss(x.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
