import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "../../components/link";
import { QueryView } from "../../components/states";
import { useT } from "../../i18n";
import { formatRupees } from "../../lib/money";
import { useUi } from "../../state/ui-store";
import { admin } from "./admin-api";
import { RateTierControl } from "./rate-tier-control";

export function AdminUsers() {
  const t = useT();
  const toast = useUi((s) => s.toast);
  const kycLabel = (status: string) =>
    status === "PENDING" || status === "VERIFIED" || status === "REJECTED" ? t(`kyc${status}`) : status;
  const [input, setInput] = useState("");
  const [query, setQuery] = useState("");
  const q = useQuery({ queryKey: ["admin", "users", query], queryFn: () => admin.users(query) });
  return (
    <section className="card" aria-labelledby="au-h">
      <h2 id="au-h">{t("adminUsers")}</h2>
      <form
        className="amount-row"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(input.trim());
        }}
      >
        <input
          aria-label={t("userSearch")}
          placeholder={t("userSearch")}
          value={input}
          onChange={(e) => setInput(e.target.value)}
        />
        <button type="submit" className="btn btn-primary">
          {t("search")}
        </button>
      </form>
      <QueryView query={q} isEmpty={(l) => l.length === 0} empty={t("noResults")}>
        {(users) => (
          <ul className="list" data-testid="admin-users">
            {users.map((u) => (
              <li key={u.id} className="list-row user-row">
                <div className="grow">
                  <span className="row-title">{u.phone}</span>{" "}
                  <span className="chip">{t(`role${u.role}`)}</span>
                  <div className="muted small">
                    <span className="mono">{u.id}</span>
                    {u.kycStatus ? ` · ${t("kycStatus", { status: kycLabel(u.kycStatus) })}` : ""}
                  </div>
                  {u.positions && u.positions.length > 0 && (
                    <ul className="mini" data-testid="admin-user-positions">
                      {u.positions.map((p) => (
                        <li key={p.marketId} className="small">
                          <Link href={`/markets/${encodeURIComponent(p.marketId)}`}>
                            {t("positionLine", { title: p.title ?? p.marketId, yes: p.yes, no: p.no })}
                          </Link>
                        </li>
                      ))}
                    </ul>
                  )}
                  <div className="admin-actions">
                    <RateTierControl userId={u.id} />
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      onClick={() => {
                        void navigator.clipboard?.writeText(u.id).catch(() => {});
                        toast(t("idCopied"), "success");
                      }}
                    >
                      {t("copyId")}
                    </button>
                    {u.kycStatus === "PENDING" && (
                      <Link href="/admin/kyc" className="btn btn-ghost btn-sm">
                        {t("adminKyc")}
                      </Link>
                    )}
                  </div>
                </div>
                {u.balance && (
                  <div className="right small">
                    <div>
                      {t("available")}: <strong>{formatRupees(u.balance.availablePaise)}</strong>
                    </div>
                    <div className="muted">
                      {t("locked")}: {formatRupees(u.balance.lockedPaise)}
                    </div>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </section>
  );
}
