import type { AdminKyc as AdminKycRequest } from "@ox/client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "../../api/client";
import { QueryView } from "../../components/states";
import { useT } from "../../i18n";
import { formatDateTime } from "../../lib/time";
import { useUi } from "../../state/ui-store";
import { admin } from "./admin-api";

export function AdminKyc() {
  const t = useT();
  const q = useQuery({
    queryKey: ["admin", "kyc"],
    queryFn: () => admin.kycQueue(),
    refetchInterval: 15_000,
  });
  return (
    <section className="card" aria-labelledby="akyc-h">
      <h2 id="akyc-h">{t("adminKyc")}</h2>
      <QueryView query={q} isEmpty={(l) => l.length === 0} empty={t("noResults")}>
        {(l) => (
          <ul className="list" data-testid="kyc-queue">
            {l.map((k) => (
              <KycRow key={k.id} k={k} />
            ))}
          </ul>
        )}
      </QueryView>
    </section>
  );
}

function KycRow({ k }: { k: AdminKycRequest }) {
  const t = useT();
  const qc = useQueryClient();
  const toast = useUi((s) => s.toast);
  const [reason, setReason] = useState("");
  const { id } = k;
  const decide = useMutation({
    mutationFn: (status: "VERIFIED" | "REJECTED") =>
      admin.decideKyc(id, status, status === "REJECTED" ? reason.trim() : undefined),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["admin", "kyc"] }),
    onError: (e) => toast(errorMessage(e), "error"),
  });
  // The numbers come from an audited API call; they stay in this row's state only, never in a cache.
  const [revealed, setRevealed] = useState<{ pan: string; bankAccount: string } | null>(null);
  const reveal = useMutation({
    mutationFn: () => admin.revealKyc(id),
    onSuccess: (r) => setRevealed({ pan: r.pan, bankAccount: r.bankAccount }),
    onError: (e) => toast(errorMessage(e), "error"),
  });
  return (
    <li className="list-row kyc-row">
      <div className="grow">
        <span className="row-title">{k.name}</span>
        <div className="muted small">
          {k.userId} · {t("panLabel")}{" "}
          <span className="mono" data-testid="kyc-pan">
            {revealed?.pan ?? k.panMasked}
          </span>{" "}
          ·{" "}
          <span className="mono" data-testid="kyc-bank">
            {revealed?.bankAccount ?? k.bankAccountMasked}
          </span>{" "}
          · {k.ifsc} · {formatDateTime(k.createdAt)}
        </div>
        {!revealed && (
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            title={t("revealHint")}
            aria-label={t("revealOf", { name: k.name })}
            disabled={reveal.isPending}
            onClick={() => reveal.mutate()}
          >
            {t("reveal")}
          </button>
        )}
      </div>
      <div className="kyc-actions">
        <button
          type="button"
          className="btn btn-yes-solid btn-sm"
          disabled={decide.isPending}
          onClick={() => decide.mutate("VERIFIED")}
          aria-label={`${t("approve")} ${k.name}`}
        >
          {t("approve")}
        </button>
        <input
          aria-label={`${t("rejectReason")} ${k.name}`}
          placeholder={t("rejectReason")}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <button
          type="button"
          className="btn btn-no-solid btn-sm"
          disabled={decide.isPending || !reason.trim()}
          onClick={() => decide.mutate("REJECTED")}
          aria-label={`${t("reject")} ${k.name}`}
        >
          {t("reject")}
        </button>
      </div>
    </li>
  );
}
