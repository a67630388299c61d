import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api/client";
import { keys } from "../api/queries";
import { useT } from "../i18n";
import { liquidity, type Outcome } from "../lib/book";
import { formatRupees } from "../lib/money";
import { exitEstimate } from "../lib/sizing";
import { clampPrice, orderBody, stepPrice } from "../lib/ticket";
import { useMarketRoom } from "../lib/use-live-market";
import { useLive } from "../state/live-store";
import { describeOrderResult } from "./ticket-result";

/**
 * Exit a position: sell at market (what the live book pays now) or at a limit, never more shares than
 * the user can sell (held minus those already offered).
 */
export function ExitForm(props: { marketId: string; tickPaise: number; outcome: Outcome; sellable: number }) {
  const t = useT();
  const qc = useQueryClient();
  useMarketRoom(props.marketId);
  const book = useLive((s) => s.books[props.marketId]) ?? null;
  const bestBid = book ? (liquidity(book, props.outcome, "SELL")[0]?.price ?? null) : null;
  const [kind, setKind] = useState<"MARKET" | "LIMIT">("MARKET");
  const [qty, setQty] = useState(props.sellable);
  const [price, setPrice] = useState<number | null>(null);
  const limitPrice = price ?? clampPrice(bestBid ?? 500, props.tickPaise);
  const n = Math.min(Math.max(1, qty), props.sellable);
  const est = exitEstimate(book, props.outcome, n);
  const proceeds = kind === "MARKET" ? est.amountPaise : limitPrice * n;
  const outcomeLabel = props.outcome === "YES" ? t("yes") : t("no");
  const place = useMutation({
    mutationFn: () => {
      const input = {
        outcome: props.outcome,
        side: "SELL" as const,
        kind,
        // At market the worst acceptable price is the lowest tick: sell into whatever the bids are.
        pricePaise: kind === "MARKET" ? props.tickPaise : limitPrice,
        qty: n,
        tickPaise: props.tickPaise,
      };
      return api.orders.place({ body: orderBody(props.marketId, input, crypto.randomUUID()) });
    },
    onSettled: () => {
      qc.invalidateQueries({ queryKey: keys.portfolio });
      qc.invalidateQueries({ queryKey: keys.openOrders });
      qc.invalidateQueries({ queryKey: keys.fills });
    },
  });
  const message = describeOrderResult(t, place.data, place.error);
  const id = `exit-${props.marketId}-${props.outcome}`;
  return (
    <section className="exit-form" aria-labelledby={`${id}-h`} data-testid="exit-form">
      <h3 id={`${id}-h`} className="review-title">
        {t("exitTitle", { outcome: outcomeLabel })}
      </h3>
      <fieldset className="seg seg-small" aria-label={t("orderKind")}>
        {(["MARKET", "LIMIT"] as const).map((k) => (
          <button
            key={k}
            type="button"
            className={kind === k ? "active" : ""}
            aria-pressed={kind === k}
            onClick={() => setKind(k)}
          >
            {k === "MARKET" ? t("exitAtMarket") : t("exitAtLimit")}
          </button>
        ))}
      </fieldset>
      <div className="stepper-row">
        <label className="field-label" htmlFor={`${id}-qty`}>
          {t("sharesToSell")}
        </label>
        <div className="stepper">
          <input
            id={`${id}-qty`}
            type="number"
            inputMode="numeric"
            min={1}
            max={props.sellable}
            value={n}
            onChange={(e) =>
              setQty(Math.min(props.sellable, Math.max(1, Math.trunc(Number(e.target.value) || 1))))
            }
          />
        </div>
        <span className="muted small">{t("ofSellable", { n: props.sellable })}</span>
      </div>
      {kind === "LIMIT" && (
        <div className="stepper-row">
          <span className="field-label" id={`${id}-price-l`}>
            {t("priceLabel")}
          </span>
          <div className="stepper">
            <button
              type="button"
              aria-label={t("decreasePrice")}
              onClick={() => setPrice(stepPrice(limitPrice, -1, props.tickPaise))}
            >
              −
            </button>
            <output aria-labelledby={`${id}-price-l`} data-testid="exit-price">
              {formatRupees(limitPrice)}
            </output>
            <button
              type="button"
              aria-label={t("increasePrice")}
              onClick={() => setPrice(stepPrice(limitPrice, 1, props.tickPaise))}
            >
              +
            </button>
          </div>
        </div>
      )}
      <dl className="summary">
        <div>
          <dt>{kind === "MARKET" ? t("expectedProceeds") : t("proceedsIfFilled")}</dt>
          <dd data-testid="exit-proceeds">{formatRupees(proceeds)}</dd>
        </div>
        {kind === "MARKET" && est.filledQty < n && (
          <div className="muted small">
            <dt>{t("canFill", { n: est.filledQty, q: n })}</dt>
            <dd>{est.worstPrice !== null ? formatRupees(est.worstPrice) : "—"}</dd>
          </div>
        )}
      </dl>
      <button
        type="button"
        className="btn btn-block btn-primary"
        disabled={place.isPending || props.sellable < 1 || (kind === "MARKET" && est.filledQty === 0)}
        onClick={() => place.mutate()}
      >
        {place.isPending ? t("placing") : t("exitSell", { n, outcome: outcomeLabel })}
      </button>
      {message && (
        <div
          className={`ticket-msg ticket-msg-${message.tone}`}
          role={message.tone === "error" ? "alert" : "status"}
          data-testid="exit-message"
        >
          <strong>{message.title}</strong>
          {message.detail && <span>{message.detail}</span>}
        </div>
      )}
    </section>
  );
}
