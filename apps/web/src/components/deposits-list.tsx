import { useDeposits } from "../api/queries";
import { useT } from "../i18n";
import { formatRupees } from "../lib/money";
import { formatDateTime } from "../lib/time";
import { QueryView } from "./states";

/** Each deposit with its status: pending until the gateway confirms, then confirmed or failed. */
export function DepositsList() {
  const t = useT();
  const q = useDeposits();
  return (
    <QueryView query={q} isEmpty={(d) => d.length === 0} empty={t("noDeposits")}>
      {(ds) => (
        <ul className="list" data-testid="deposits">
          {ds.map((d) => (
            <li key={d.id} className="list-row">
              <div className="grow">
                <strong>{formatRupees(d.amountPaise, { fixed: true })}</strong>
                <div className="muted small">{formatDateTime(d.createdAt)}</div>
              </div>
              <span className="tag" data-testid="deposit-status" data-status={d.status}>
                {t(`dep${d.status}`)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </QueryView>
  );
}
