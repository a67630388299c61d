import { lazy, Suspense } from "react";
import { isAdmin, useMe } from "./api/queries";
import { Layout } from "./components/layout";
import { Link } from "./components/link";
import { Empty, Loading } from "./components/states";
import { useT } from "./i18n";
import { HomePage } from "./pages/home-page";
import { LoginPage } from "./pages/login-page";
import { MarketPage } from "./pages/market-page";
import { NotFoundPage } from "./pages/not-found-page";
import { PortfolioPage } from "./pages/portfolio-page";
import { WalletPage } from "./pages/wallet-page";
import { matchRoute, useRoute } from "./state/router";

const AdminPage = lazy(() => import("./pages/admin/admin-page"));

export function App() {
  const path = useRoute((s) => s.path);
  const route = matchRoute(path);
  if (route.name === "login") return <LoginPage />;
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
