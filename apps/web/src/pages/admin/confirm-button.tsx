import { useState } from "react";
import { useT } from "../../i18n";

/** A destructive action that asks once more, inline (no window.confirm: testable and translatable). */
export function ConfirmButton(props: {
  label: string;
  action: string;
  onConfirm: () => unknown;
  className?: string;
  disabled?: boolean;
}) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className={props.className ?? "btn btn-ghost btn-sm"}
        disabled={props.disabled}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
    );
  }
  return (
    <fieldset className="confirm" aria-label={props.action}>
      <span className="small">{t("confirmAction", { action: props.action })}</span>
      <button
        type="button"
        className="btn btn-danger btn-sm"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await props.onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {t("confirm")}
      </button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAsking(false)}>
        {t("cancel")}
      </button>
    </fieldset>
  );
}
