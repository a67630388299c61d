import { lazy, Suspense } from "react";
import { isAdmin, useMe } from "./api/queries";
import { Layout } from "./components/layout";
import { Link } from "./components/link";
import { Empty, Loading } from "./components/states";
import { useT } from "./i18n";
import { HomePage } from "./pages/home-page";
import { NotFoundPage } from "./pages/not-found-page";
import { matchRoute, useRoute } from "./state/router";

/**
 * Only the home page is in the entry chunk (the phone budget: initial JS ≤ 120 KB gzipped, see
 * apps/web/scripts/size.ts); every other page, and the chart inside the market page, loads on
 * first visit.
 */
const AdminPage = lazy(() => import("./pages/admin/admin-page"));
const LoginPage = lazy(() => import("./pages/login-page").then((m) => ({ default: m.LoginPage })));
const MarketPage = lazy(() => import("./pages/market-page").then((m) => ({ default: m.MarketPage })));
const PortfolioPage = lazy(() =>
  import("./pages/portfolio-page").then((m) => ({ default: m.PortfolioPage })),
);
const SettingsPage = lazy(() => import("./pages/settings-page").then((m) => ({ default: m.SettingsPage })));
const WalletPage = lazy(() => import("./pages/wallet-page").then((m) => ({ default: m.WalletPage })));

export function App() {
  const path = useRoute((s) => s.path);
  const route = matchRoute(path);
  if (route.name === "login")
    return (
      <Suspense fallback={<Loading />}>
        <LoginPage />
      </Suspense>
    );
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <RouteView route={route} />
      </Suspense>
    </Layout>
  );
}

function RouteView({ route }: { route: ReturnType<typeof matchRoute> }) {
  switch (route.name) {
    case "home":
      return <HomePage />;
    case "market":
      return <MarketPage id={route.id} />;
    case "portfolio":
      return (
        <RequireUser>
          <PortfolioPage />
        </RequireUser>
      );
    case "wallet":
      return (
        <RequireUser>
          <WalletPage />
        </RequireUser>
      );
    case "settings":
      return (
        <RequireUser>
          <SettingsPage />
        </RequireUser>
      );
    case "admin":
      return (
        <RequireUser admin>
          <AdminPage tab={route.tab} />
        </RequireUser>
      );
    default:
      return <NotFoundPage />;
  }
}

function RequireUser({ children, admin }: { children: React.ReactNode; admin?: boolean }) {
  const t = useT();
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (!me.data) {
    return (
      <Empty>
        <Link className="btn btn-primary" href={`/login?next=${encodeURIComponent(location.pathname)}`}>
          {t("login")}
        </Link>
      </Empty>
    );
  }
  if (admin && !isAdmin(me.data)) return <Empty>{t("forbidden")}</Empty>;
  return <>{children}</>;
}
