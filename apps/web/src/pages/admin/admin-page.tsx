import { Link } from "../../components/link";
import { useT } from "../../i18n";
import { AdminHealth } from "./admin-health";
import { AdminKyc } from "./admin-kyc";
import { AdminMarkets } from "./admin-markets";
import { AdminUsers } from "./admin-users";

const TABS = ["kyc", "markets", "users", "health"] as const;
type Tab = (typeof TABS)[number];

export default function AdminPage({ tab }: { tab: string }) {
  const t = useT();
  const current: Tab = (TABS as readonly string[]).includes(tab) ? (tab as Tab) : "kyc";
  const label: Record<Tab, string> = {
    kyc: t("adminKyc"),
    markets: t("adminMarkets"),
    users: t("adminUsers"),
    health: t("adminHealth"),
  };
  return (
    <div className="page admin">
      <h1 className="page-title">{t("adminTitle")}</h1>
      <nav className="tabs" aria-label={t("adminTitle")}>
        {TABS.map((x) => (
          <Link
            key={x}
            href={`/admin/${x}`}
            className={x === current ? "tab active" : "tab"}
            aria-current={x === current ? "page" : undefined}
          >
            {label[x]}
          </Link>
        ))}
      </nav>
      {current === "kyc" && <AdminKyc />}
      {current === "markets" && <AdminMarkets />}
      {current === "users" && <AdminUsers />}
      {current === "health" && <AdminHealth />}
    </div>
  );
}
