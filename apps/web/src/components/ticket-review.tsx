import { useState } from "react";
import { useT } from "../i18n";
import { formatRupees } from "../lib/money";
import { PHONE_QUERY, useMedia } from "../lib/use-media";

export interface ReviewLine {
  label: string;
  value: string;
  testId?: string;
}

/**
 * The review step before an order goes out: what it is, what it costs, what it can pay. On a phone
 * the user slides to confirm (Probo's swipe); elsewhere a Confirm button. Edit goes back.
 */
export function TicketReview(props: {
  title: string;
  lines: ReviewLine[];
  confirmLabel: string;
  tone: "yes" | "no";
  busy: boolean;
  onConfirm: () => void;
  onEdit: () => void;
}) {
  const t = useT();
  const phone = useMedia(PHONE_QUERY);
  const [slide, setSlide] = useState(0);
  return (
    <section className="review" aria-labelledby="review-h" data-testid="ticket-review">
      <h3 id="review-h" className="review-title">
        {t("reviewTitle")}
      </h3>
      <p className="review-what">{props.title}</p>
      <dl className="summary">
        {props.lines.map((l) => (
          <div key={l.label}>
            <dt>{l.label}</dt>
            <dd data-testid={l.testId}>{l.value}</dd>
          </div>
        ))}
      </dl>
      {phone ? (
        <label className={`slide slide-${props.tone}`}>
          <span className="slide-text">{props.busy ? t("placing") : t("slideToConfirm")}</span>
          <input
            type="range"
            min={0}
            max={100}
            step={1}
            value={slide}
            disabled={props.busy}
            aria-label={`${t("slideToConfirm")}: ${props.confirmLabel}`}
            onChange={(e) => {
              const v = Number(e.target.value);
              setSlide(v);
              if (v >= 100) props.onConfirm();
            }}
            onPointerUp={() => setSlide((v) => (v >= 100 ? v : 0))}
          />
        </label>
      ) : (
        <button
          type="button"
          className={`btn btn-block ${props.tone === "yes" ? "btn-yes-solid" : "btn-no-solid"}`}
          disabled={props.busy}
          onClick={props.onConfirm}
        >
          {props.busy ? t("placing") : `${t("confirm")} ${props.confirmLabel}`}
        </button>
      )}
      <button type="button" className="btn btn-ghost btn-block" onClick={props.onEdit} disabled={props.busy}>
        {t("editOrder")}
      </button>
    </section>
  );
}

export const rupeesLine = (label: string, paise: number, testId?: string): ReviewLine => ({
  label,
  value: formatRupees(paise),
  testId,
});
