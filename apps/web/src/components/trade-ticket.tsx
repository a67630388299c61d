import type { Market } from "@ox/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import { keys, useMe, usePortfolio } from "../api/queries";
import { useT } from "../i18n";
import { bestBuyPrice, type Outcome, type Side } from "../lib/book";
import { formatRupees, probabilityPct } from "../lib/money";
import { clampPrice, type OrderKind, orderBody, quoteTicket, stepPrice } from "../lib/ticket";
import { useLive } from "../state/live-store";
import { Link } from "./link";
import { describeOrderResult } from "./ticket-result";

const KINDS: OrderKind[] = ["LIMIT", "MARKET", "IOC", "FOK"];
const MAX_QTY = 10_000;

/** A price level picked in the order book; `n` counts picks so picking the same row again re-applies it. */
export interface BookPick {
  outcome: Outcome;
  pricePaise: number;
  n: number;
}

export function TradeTicket({
  market,
  initialOutcome,
  pick = null,
}: {
  market: Market;
  initialOutcome: Outcome;
  pick?: BookPick | null;
}) {
  const t = useT();
  const qc = useQueryClient();
  const me = useMe();
  const book = useLive((s) => s.books[market.id]) ?? null;
  const portfolio = usePortfolio(!!me.data);
  const [outcome, setOutcome] = useState<Outcome>(initialOutcome);
  const [side, setSide] = useState<Side>("BUY");
  const [kind, setKind] = useState<OrderKind>("LIMIT");
  const [price, setPrice] = useState(() =>
    clampPrice((book && bestBuyPrice(book, initialOutcome)) ?? 500, market.tickPaise),
  );
  const [qty, setQty] = useState(10);
  const [postOnly, setPostOnly] = useState(false);
  const touched = useRef(false);

  // Follow the best price until the user sets one.
  const suggested = book
    ? side === "BUY"
      ? bestBuyPrice(book, outcome)
      : 1000 - (bestBuyPrice(book, outcome === "YES" ? "NO" : "YES") ?? 1000)
    : null;
  useEffect(() => {
    if (!touched.current && suggested !== null && suggested > 0 && suggested < 1000)
      setPrice(clampPrice(suggested, market.tickPaise));
  }, [suggested, market.tickPaise]);

  // A book row picked: BUY LIMIT of that row's outcome at its price, held until the user changes it.
  useEffect(() => {
    if (!pick) return;
    touched.current = true;
    setOutcome(pick.outcome);
    setSide("BUY");
    setKind("LIMIT");
    setPrice(clampPrice(pick.pricePaise, market.tickPaise));
  }, [pick, market.tickPaise]);

  const input = { outcome, side, kind, pricePaise: price, qty, tickPaise: market.tickPaise };
  const quote = quoteTicket(input, book);
  const place = useMutation({
    mutationFn: () => {
      const worst =
        quote.estimate?.worstPrice ?? (side === "BUY" ? 1000 - market.tickPaise : market.tickPaise);
      const body = orderBody(
        market.id,
        kind === "MARKET" ? { ...input, pricePaise: worst } : input,
        crypto.randomUUID(),
        postOnly,
      );
      return api.orders.place({ body });
    },
    onSettled: () => {
      qc.invalidateQueries({ queryKey: keys.portfolio });
      qc.invalidateQueries({ queryKey: keys.openOrders });
    },
  });
  const message = describeOrderResult(t, place.data, place.error);
  const held = portfolio.data?.positions.find((p) => p.marketId === market.id);
  const heldQty = held ? (outcome === "YES" ? held.yes : held.no) : 0;
  const open = market.status === "OPEN";
  const outcomeLabel = outcome === "YES" ? t("yes") : t("no");

  const changeOutcome = (o: Outcome) => {
    touched.current = false;
    setOutcome(o);
  };
  const changeSide = (s: Side) => {
    touched.current = false;
    setSide(s);
  };
  const setPriceBy = (steps: number) => {
    touched.current = true;
    setPrice((p) => stepPrice(p, steps, market.tickPaise));
  };

  return (
    <section className="card ticket" aria-labelledby="ticket-h">
      <h2 id="ticket-h" className="sr-only">
        {t("ticket")}
      </h2>
      <fieldset className="seg seg-outcome" aria-label={t("outcome")}>
        <button
          type="button"
          className={outcome === "YES" ? "active yes" : ""}
          aria-pressed={outcome === "YES"}
          onClick={() => changeOutcome("YES")}
        >
          {t("yes")}{" "}
          {book && bestBuyPrice(book, "YES") !== null ? formatRupees(bestBuyPrice(book, "YES") ?? 0) : ""}
        </button>
        <button
          type="button"
          className={outcome === "NO" ? "active no" : ""}
          aria-pressed={outcome === "NO"}
          onClick={() => changeOutcome("NO")}
        >
          {t("no")}{" "}
          {book && bestBuyPrice(book, "NO") !== null ? formatRupees(bestBuyPrice(book, "NO") ?? 0) : ""}
        </button>
      </fieldset>
      <div className="row-2">
        <fieldset className="seg seg-small" aria-label={t("side")}>
          {(["BUY", "SELL"] as const).map((s) => (
            <button
              key={s}
              type="button"
              className={side === s ? "active" : ""}
              aria-pressed={side === s}
              onClick={() => changeSide(s)}
            >
              {s === "BUY" ? t("buy") : t("sell")}
            </button>
          ))}
        </fieldset>
        <label className="field inline">
          <span className="sr-only">{t("orderKind")}</span>
          <select
            aria-label={t("orderKind")}
            value={kind}
            onChange={(e) => setKind(e.target.value as OrderKind)}
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`kind${k}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted small">{t(`kindHelp${kind}`)}</p>

      {kind !== "MARKET" && (
        <div className="stepper-row">
          <span className="field-label" id="price-l">
            {t("priceLabel")}
          </span>
          <div className="stepper">
            <button type="button" aria-label={t("decreasePrice")} onClick={() => setPriceBy(-1)}>
              −
            </button>
            <output aria-labelledby="price-l" data-testid="ticket-price">
              {formatRupees(price)}
            </output>
            <button type="button" aria-label={t("increasePrice")} onClick={() => setPriceBy(1)}>
              +
            </button>
          </div>
          <span className="muted small">{t("chance", { pct: probabilityPct(price) })}</span>
        </div>
      )}
      <div className="stepper-row">
        <label className="field-label" htmlFor="ticket-qty">
          {t("quantity")}
        </label>
        <div className="stepper">
          <button
            type="button"
            aria-label={t("decreaseQty")}
            onClick={() => setQty((q) => Math.max(1, q - 1))}
          >
            −
          </button>
          <input
            id="ticket-qty"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_QTY}
            value={qty}
            onChange={(e) => setQty(Math.min(MAX_QTY, Math.max(1, Math.trunc(Number(e.target.value) || 1))))}
          />
          <button
            type="button"
            aria-label={t("increaseQty")}
            onClick={() => setQty((q) => Math.min(MAX_QTY, q + 1))}
          >
            +
          </button>
        </div>
        {side === "SELL" && <span className="muted small">{t("shares", { n: heldQty })}</span>}
      </div>
      {kind === "LIMIT" && (
        <label className="check">
          <input type="checkbox" checked={postOnly} onChange={(e) => setPostOnly(e.target.checked)} />
          <span>{t("postOnly")}</span>
        </label>
      )}

      <dl className="summary" data-testid="ticket-summary">
        {side === "BUY" ? (
          <>
            <div>
              <dt>{kind === "MARKET" ? t("estPay") : t("youPay")}</dt>
              <dd data-testid="ticket-cost">{formatRupees(quote.amountPaise)}</dd>
            </div>
            <div>
              <dt>{t("youGet")}</dt>
              <dd className="yes-text" data-testid="ticket-payout">
                {formatRupees(quote.payoutPaise)}
              </dd>
            </div>
            <div>
              <dt>{t("profit")}</dt>
              <dd data-testid="ticket-profit">{formatRupees(quote.profitPaise)}</dd>
            </div>
          </>
        ) : (
          <div>
            <dt>{t("youReceive")}</dt>
            <dd data-testid="ticket-cost">{formatRupees(quote.amountPaise)}</dd>
          </div>
        )}
        {quote.estimate && (
          <div className="muted small">
            <dt>{t("worstPrice")}</dt>
            <dd>
              {quote.estimate.worstPrice !== null ? formatRupees(quote.estimate.worstPrice) : "—"} ·{" "}
              {t("canFill", { n: quote.estimate.filledQty, q: qty })}
            </dd>
          </div>
        )}
      </dl>

      {!open ? (
        <p className="notice">{t("marketClosed")}</p>
      ) : !me.data ? (
        <Link
          className="btn btn-primary btn-block"
          href={`/login?next=${encodeURIComponent(`/markets/${market.id}`)}`}
        >
          {t("loginToTrade")}
        </Link>
      ) : (
        <button
          type="button"
          className={`btn btn-block ${outcome === "YES" ? "btn-yes-solid" : "btn-no-solid"}`}
          disabled={place.isPending}
          onClick={() => place.mutate()}
        >
          {place.isPending
            ? t("placing")
            : t("placeOrder", { side: side === "BUY" ? t("buy") : t("sell"), outcome: outcomeLabel })}
        </button>
      )}
      {message && (
        <div
          className={`ticket-msg ticket-msg-${message.tone}`}
          role={message.tone === "error" ? "alert" : "status"}
          data-testid="ticket-message"
        >
          <strong>{message.title}</strong>
          {message.detail && <span>{message.detail}</span>}
        </div>
      )}
    </section>
  );
}
