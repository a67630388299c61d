import { useWithdrawals } from "../api/queries";
import { useT } from "../i18n";
import { formatRupees } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { QueryView } from "./states";

/** Each withdrawal with its status (requested → reserved → paid, or refunded / rejected). */
export function WithdrawalsList() {
  const t = useT();
  const q = useWithdrawals();
  return (
    <QueryView query={q} isEmpty={(w) => w.length === 0} empty={t("noWithdrawals")}>
      {(ws) => (
        <ul className="list" data-testid="withdrawals">
          {ws.map((w) => (
            <li key={w.id} className="list-row">
              <div className="grow">
                <strong>{formatRupees(w.amountPaise, { fixed: true })}</strong>
                <div className="muted small">{formatDateTime(w.createdAt)}</div>
              </div>
              <span className="tag" data-testid="withdrawal-status" data-status={w.status}>
                {t(`wd${w.status}`)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </QueryView>
  );
}
