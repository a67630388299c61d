import { type FormEvent, useState } from "react";
import { errorMessage } from "../api/client";
import { useT } from "../i18n";
import { parseRupees } from "../lib/money";

/** A rupee amount input that submits integer paise. */
export function AmountForm(props: {
  id: string;
  action: string;
  disabled?: boolean;
  presets?: number[];
  onSubmit: (paise: number) => Promise<unknown>;
}) {
  const t = useT();
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const paise = parseRupees(value);
    if (paise === null || paise <= 0) return setError(t("invalidAmount"));
    setError(null);
    setBusy(true);
    try {
      await props.onSubmit(paise);
      setValue("");
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="amount-form" onSubmit={submit} noValidate>
      <label className="field" htmlFor={props.id}>
        <span>{t("amountLabel")}</span>
      </label>
      <div className="amount-row">
        <input
          id={props.id}
          type="text"
          inputMode="decimal"
          value={value}
          placeholder="100"
          onChange={(e) => setValue(e.target.value)}
          disabled={props.disabled}
          aria-describedby={error ? `${props.id}-err` : undefined}
        />
        <button type="submit" className="btn btn-primary" disabled={props.disabled || busy}>
          {props.action}
        </button>
      </div>
      {props.presets && !props.disabled && (
        <div className="chips">
          {props.presets.map((r) => (
            <button key={r} type="button" className="chip-btn" onClick={() => setValue(String(r))}>
              ₹{r}
            </button>
          ))}
        </div>
      )}
      {error && (
        <p id={`${props.id}-err`} className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
