import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { QueryView } from "../../components/states";
import { useT } from "../../i18n";
import { formatRupees } from "../../lib/money";
import { admin } from "./admin-api";

export function AdminUsers() {
  const t = useT();
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
                  <span className="row-title">{u.phone}</span> <span className="chip">{u.role}</span>
                  <div className="muted small">
                    {u.id}
                    {u.kycStatus ? ` · KYC ${u.kycStatus}` : ""}
                  </div>
                  {u.positions && u.positions.length > 0 && (
                    <ul className="mini">
                      {u.positions.map((p) => (
                        <li key={p.marketId} className="small">
                          {p.marketId}: YES {p.yes} · NO {p.no}
                        </li>
                      ))}
                    </ul>
                  )}
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
