import { Link } from "../components/link";
import { useT } from "../i18n";

/** Any client route the router does not know: says so, with a way back to the market list. */
export function NotFoundPage() {
  const t = useT();
  return (
    <div className="page">
      <section className="card state state-empty" aria-labelledby="not-found-title">
        <h1 id="not-found-title" className="page-title">
          {t("notFoundTitle")}
        </h1>
        <p className="muted">{t("notFoundBody")}</p>
        <Link className="btn btn-primary" href="/">
          {t("backHome")}
        </Link>
      </section>
    </div>
  );
}
