import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, errorMessage } from "../api/client";
import { keys, useKyc } from "../api/queries";
import { useT } from "../i18n";
import { fieldErrors } from "../lib/field-errors";
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

type Field = "name" | "pan" | "bankAccount" | "ifsc";
const FIELDS: readonly Field[] = ["name", "pan", "bankAccount", "ifsc"];
const ERROR_KEY = {
  name: "kycErrName",
  pan: "kycErrPan",
  bankAccount: "kycErrBank",
  ifsc: "kycErrIfsc",
} as const;
const EXAMPLE: Partial<Record<Field, string>> = { pan: "ABCDE1234F", ifsc: "SBIN0001234" };

/** What the form can check before sending; the server's rules stay the authority (its field errors map back). */
function localErrors(f: Record<Field, string>): Field[] {
  const bad: Field[] = [];
  if (f.name.trim().length < 2) bad.push("name");
  if (!PAN.test(f.pan)) bad.push("pan");
  if (!/^\d{9,18}$/.test(f.bankAccount)) bad.push("bankAccount");
  if (!IFSC.test(f.ifsc)) bad.push("ifsc");
  return bad;
}

function KycForm() {
  const t = useT();
  const qc = useQueryClient();
  const [f, setF] = useState<Record<Field, string>>({ name: "", pan: "", bankAccount: "", ifsc: "" });
  const [local, setLocal] = useState<Field[]>([]);
  const submit = useMutation({
    mutationFn: () => api.kyc.submit({ body: f }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.kyc }),
  });
  const server = fieldErrors(submit.error, FIELDS);
  const wrong = (k: Field) => local.includes(k) || server[k] !== undefined;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const bad = localErrors(f);
    setLocal(bad);
    if (bad.length === 0) submit.mutate();
  };
  const set =
    (k: Field, upper = false) =>
    (e: { target: { value: string } }) => {
      setF({ ...f, [k]: upper ? e.target.value.toUpperCase().trim() : e.target.value });
      setLocal(local.filter((x) => x !== k));
      if (server[k] !== undefined) submit.reset();
    };
  const field = (k: Field, label: string, input: Record<string, unknown>, upper = false) => (
    <label className="field">
      <span>{label}</span>
      <input
        name={k}
        value={f[k]}
        onChange={set(k, upper)}
        aria-invalid={wrong(k) || undefined}
        aria-describedby={wrong(k) ? `kyc-${k}-err` : undefined}
        {...input}
      />
      {wrong(k) && (
        <span id={`kyc-${k}-err`} className="form-error" data-testid={`kyc-${k}-error`}>
          {t(ERROR_KEY[k], { example: EXAMPLE[k] ?? "" })}
        </span>
      )}
    </label>
  );
  const otherError = submit.error && Object.keys(server).length === 0 ? errorMessage(submit.error) : null;
  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      {field("name", t("nameLabel"), { autoComplete: "name" })}
      {field("pan", t("panLabel"), { maxLength: 10, placeholder: "ABCDE1234F" }, true)}
      {field("bankAccount", t("bankLabel"), { inputMode: "numeric" }, true)}
      {field("ifsc", t("ifscLabel"), { maxLength: 11, placeholder: "SBIN0001234" }, true)}
      <button type="submit" className="btn btn-primary" disabled={submit.isPending}>
        {t("submitKyc")}
      </button>
      {(local.length > 0 || Object.keys(server).length > 0) && (
        <p className="form-error" role="alert">
          {t("kycFixFields", { n: new Set([...local, ...(Object.keys(server) as Field[])]).size })}
        </p>
      )}
      {otherError && (
        <p className="form-error" role="alert">
          {otherError}
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
