import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, errorMessage } from "../api/client";
import { keys, useKyc } from "../api/queries";
import { useT } from "../i18n";
import { QueryView } from "./states";

const PAN = /^[A-Z]{5}\d{4}[A-Z]$/;
const IFSC = /^[A-Z]{4}0[A-Z0-9]{6}$/;

export function KycCard() {
  const t = useT();
  const q = useKyc();
  return (
    <section className="card" aria-labelledby="kyc-h">
      <h2 id="kyc-h">{t("kyc")}</h2>
      <QueryView query={q}>
        {(k) => (
          <>
            <p data-testid="kyc-status">
              <span className={`status status-kyc-${k.status.toLowerCase()}`}>
                {t("kycStatus", { status: t(`kyc${k.status}`) })}
              </span>
            </p>
            {k.status === "REJECTED" && k.reason && (
              <p className="form-error">{t("kycReason", { reason: k.reason })}</p>
            )}
            {(k.status === "NONE" || k.status === "REJECTED") && <KycForm />}
          </>
        )}
      </QueryView>
    </section>
  );
}

function KycForm() {
  const t = useT();
  const qc = useQueryClient();
  const [f, setF] = useState({ name: "", pan: "", bankAccount: "", ifsc: "" });
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = useMutation({
    mutationFn: () => api.kyc.submit({ body: f }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.kyc }),
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!f.name.trim()) return setInvalid(t("nameLabel"));
    if (!PAN.test(f.pan)) return setInvalid(`${t("panLabel")}: ABCDE1234F`);
    if (!/^\d{9,18}$/.test(f.bankAccount)) return setInvalid(t("bankLabel"));
    if (!IFSC.test(f.ifsc)) return setInvalid(`${t("ifscLabel")}: SBIN0001234`);
    setInvalid(null);
    submit.mutate();
  };
  const set =
    (k: keyof typeof f, upper = false) =>
    (e: { target: { value: string } }) =>
      setF({ ...f, [k]: upper ? e.target.value.toUpperCase().trim() : e.target.value });
  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <label className="field">
        <span>{t("nameLabel")}</span>
        <input value={f.name} onChange={set("name")} autoComplete="name" />
      </label>
      <label className="field">
        <span>{t("panLabel")}</span>
        <input value={f.pan} onChange={set("pan", true)} maxLength={10} placeholder="ABCDE1234F" />
      </label>
      <label className="field">
        <span>{t("bankLabel")}</span>
        <input value={f.bankAccount} onChange={set("bankAccount", true)} inputMode="numeric" />
      </label>
      <label className="field">
        <span>{t("ifscLabel")}</span>
        <input value={f.ifsc} onChange={set("ifsc", true)} maxLength={11} placeholder="SBIN0001234" />
      </label>
      <button type="submit" className="btn btn-primary" disabled={submit.isPending}>
        {t("submitKyc")}
      </button>
      {(invalid || submit.error) && (
        <p className="form-error" role="alert">
          {invalid ?? errorMessage(submit.error)}
        </p>
      )}
      {submit.isSuccess && (
        <p className="ok" role="status">
          {t("kycSubmitted")}
        </p>
      )}
    </form>
  );
}
