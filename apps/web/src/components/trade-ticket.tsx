import type { Market } from "@ox/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import { keys, useMe, usePortfolio } from "../api/queries";
import { useT } from "../i18n";
import { bestBuyPrice, liquidity, type Outcome, type Side } from "../lib/book";
import { formatRupees, parseRupees, probabilityPct } from "../lib/money";
import { defaultAmount, fitQty, sellableQty, sharesForAmount, sweepBudget } from "../lib/sizing";
import { clampPrice, type OrderKind, orderBody, quoteTicket, stepPrice } from "../lib/ticket";
import { useLivePrices } from "../lib/use-live-market";
import { useLive } from "../state/live-store";
import { Link } from "./link";
import { describeOrderResult } from "./ticket-result";
import { rupeesLine, TicketReview } from "./ticket-review";

const KINDS: OrderKind[] = ["LIMIT", "MARKET", "IOC", "FOK"];
const MAX_QTY = 10_000;

/** A price level picked in the order book; `n` counts picks so picking the same row again re-applies it. */
export interface BookPick {
  outcome: Outcome;
  pricePaise: number;
  n: number;
}

type SizeMode = "AMOUNT" | "SHARES";

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
  const live = useLivePrices(market);
  const portfolio = usePortfolio(!!me.data);
  const available = portfolio.data?.balance.availablePaise ?? null;
  const [outcome, setOutcome] = useState<Outcome>(initialOutcome);
  const [side, setSide] = useState<Side>("BUY");
  const [kind, setKind] = useState<OrderKind>("LIMIT");
  const [mode, setMode] = useState<SizeMode>("AMOUNT");
  const [price, setPrice] = useState(() =>
    clampPrice((book && bestBuyPrice(book, initialOutcome)) ?? 500, market.tickPaise),
  );
  // The best price when the ticket's price was last set: a different best now means the market moved.
  const [seenBest, setSeenBest] = useState<number | null>(() =>
    book ? bestBuyPrice(book, initialOutcome) : null,
  );
  const [amountText, setAmountText] = useState(() => String(defaultAmount(available) / 100));
  const [qty, setQty] = useState(() => fitQty(10, price, available));
  const [postOnly, setPostOnly] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const priceSet = useRef(book !== null);
  const amountTouched = useRef(false);

  const best = book
    ? side === "BUY"
      ? bestBuyPrice(book, outcome)
      : (liquidity(book, outcome, "SELL")[0]?.price ?? null)
    : null;

  // The price is set once (from the first book, a picked row, or the user) and then holds still.
  useEffect(() => {
    if (priceSet.current || !book) return;
    priceSet.current = true;
    if (best !== null) setPrice(clampPrice(best, market.tickPaise));
    setSeenBest(best);
  }, [book, best, market.tickPaise]);

  // The balance arrives after the ticket: start the amount at what the user can afford.
  const priceNow = useRef(price);
  priceNow.current = price;
  useEffect(() => {
    if (!amountTouched.current && available !== null) {
      setAmountText(String(defaultAmount(available) / 100));
      setQty(fitQty(10, priceNow.current, available));
    }
  }, [available]);

  // A book row picked: BUY LIMIT of that row's outcome at its price, held until the user changes it.
  useEffect(() => {
    if (!pick) return;
    priceSet.current = true;
    setOutcome(pick.outcome);
    setSide("BUY");
    setKind("LIMIT");
    setPrice(clampPrice(pick.pricePaise, market.tickPaise));
    setSeenBest(pick.pricePaise);
    setReviewing(false);
  }, [pick, market.tickPaise]);

  const held = portfolio.data?.positions.find((p) => p.marketId === market.id);
  const heldQty = held ? (outcome === "YES" ? held.yes : held.no) : 0;
  const sellable = held ? sellableQty(heldQty, outcome === "YES" ? held.yesLocked : held.noLocked) : 0;
  const byAmount = side === "BUY" && mode === "AMOUNT";
  const amountPaise = parseRupees(amountText) ?? 0;
  const budget =
    byAmount && kind === "MARKET" && book ? sweepBudget(liquidity(book, outcome, "BUY"), amountPaise) : null;
  const effQty = byAmount ? (budget ? budget.filledQty : sharesForAmount(amountPaise, price)) : qty;
  const input = { outcome, side, kind, pricePaise: price, qty: effQty, tickPaise: market.tickPaise };
  const quote = quoteTicket(input, book);
  const open = live.status === "OPEN";
  const outcomeLabel = outcome === "YES" ? t("yes") : t("no");
  const actionLabel = t("placeOrder", { side: side === "BUY" ? t("buy") : t("sell"), outcome: outcomeLabel });
  const overBalance = side === "BUY" && available !== null && quote.amountPaise > available;
  const overHeld = side === "SELL" && effQty > sellable;
  const moved = kind !== "MARKET" && best !== null && seenBest !== null && best !== seenBest;

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
      // By amount at market: the engine spends at most the amount, whatever the book does meanwhile.
      return api.orders.place({
        body: budget ? { ...body, pricePaise: 1000 - market.tickPaise, maxCostPaise: amountPaise } : body,
      });
    },
    onSettled: () => {
      setReviewing(false);
      qc.invalidateQueries({ queryKey: keys.portfolio });
      qc.invalidateQueries({ queryKey: keys.openOrders });
    },
  });
  // The market closed or resolved while the review was up: nothing to confirm any more.
  useEffect(() => {
    if (!open) setReviewing(false);
  }, [open]);
  const message = describeOrderResult(t, place.data, place.error);

  const reseed = (o: Outcome, s: Side) => {
    const b = book
      ? s === "BUY"
        ? bestBuyPrice(book, o)
        : (liquidity(book, o, "SELL")[0]?.price ?? null)
      : null;
    if (b !== null) setPrice(clampPrice(b, market.tickPaise));
    setSeenBest(b);
    setReviewing(false);
  };
  const changeOutcome = (o: Outcome) => {
    setOutcome(o);
    reseed(o, side);
  };
  const changeSide = (s: Side) => {
    setSide(s);
    reseed(outcome, s);
    if (s === "SELL" && held)
      setQty(Math.max(1, sellableQty(heldQty, outcome === "YES" ? held.yesLocked : held.noLocked)));
  };
  const setPriceBy = (steps: number) => {
    priceSet.current = true;
    setPrice((p) => stepPrice(p, steps, market.tickPaise));
  };
  const switchMode = (m: SizeMode) => {
    if (m === "SHARES") setQty(Math.max(1, effQty));
    else setAmountText(String(Math.ceil(quote.amountPaise / 100) || defaultAmount(available) / 100));
    setMode(m);
  };

  if (reviewing && open) {
    const lines = [
      {
        label: t("sharesLabel"),
        value: kind === "MARKET" ? `≈ ${effQty}` : String(effQty),
        testId: "review-shares",
      },
      ...(kind !== "MARKET" ? [rupeesLine(t("priceLabel"), price)] : []),
      side === "BUY"
        ? rupeesLine(
            kind === "MARKET" ? t("estPay") : t("youPay"),
            budget ? amountPaise : quote.amountPaise,
            "review-cost",
          )
        : rupeesLine(t("youReceive"), quote.amountPaise, "review-cost"),
      ...(side === "BUY" ? [rupeesLine(t("youGet"), quote.payoutPaise)] : []),
    ];
    return (
      <section className="card ticket" aria-labelledby="ticket-h">
        <h2 id="ticket-h" className="sr-only">
          {t("ticket")}
        </h2>
        <TicketReview
          title={`${actionLabel} · ${t(`kind${kind}`)}`}
          lines={lines}
          confirmLabel={actionLabel}
          tone={outcome === "YES" ? "yes" : "no"}
          busy={place.isPending}
          onConfirm={() => {
            if (!place.isPending) place.mutate();
          }}
          onEdit={() => setReviewing(false)}
        />
      </section>
    );
  }

  return (
    <section className="card ticket" aria-labelledby="ticket-h">
      <h2 id="ticket-h" className="sr-only">
        {t("ticket")}
      </h2>
      <fieldset className="seg seg-outcome" aria-label={t("outcome")}>
        {(["YES", "NO"] as const).map((o) => {
          const p = book ? bestBuyPrice(book, o) : null;
          return (
            <button
              key={o}
              type="button"
              className={outcome === o ? `active ${o === "YES" ? "yes" : "no"}` : ""}
              aria-pressed={outcome === o}
              onClick={() => changeOutcome(o)}
            >
              {o === "YES" ? t("yes") : t("no")} {p !== null ? formatRupees(p) : ""}
            </button>
          );
        })}
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
      {moved && best !== null && (
        <p className="notice moved" role="status" data-testid="market-moved">
          {t("marketMoved", { price: formatRupees(best) })}{" "}
          <button
            type="button"
            className="linklike"
            onClick={() => {
              setPrice(clampPrice(best, market.tickPaise));
              setSeenBest(best);
            }}
          >
            {t("useBest", { price: formatRupees(best) })}
          </button>
        </p>
      )}

      {side === "BUY" && (
        <fieldset className="seg seg-small" aria-label={t("orderBy")}>
          {(["AMOUNT", "SHARES"] as const).map((m) => (
            <button
              key={m}
              type="button"
              className={mode === m ? "active" : ""}
              aria-pressed={mode === m}
              onClick={() => switchMode(m)}
            >
              {m === "AMOUNT" ? t("byAmount") : t("byShares")}
            </button>
          ))}
        </fieldset>
      )}
      {byAmount ? (
        <div className="stepper-row">
          <label className="field-label" htmlFor="ticket-amount">
            {t("amountRupees")}
          </label>
          <div className="stepper">
            <span className="amount-prefix" aria-hidden="true">
              ₹
            </span>
            <input
              id="ticket-amount"
              inputMode="decimal"
              autoComplete="off"
              value={amountText}
              onChange={(e) => {
                amountTouched.current = true;
                setAmountText(e.target.value);
              }}
            />
          </div>
          <span className="muted small" data-testid="ticket-shares">
            {kind === "MARKET" ? t("aboutShares", { n: effQty }) : t("shares", { n: effQty })}
          </span>
        </div>
      ) : (
        <div className="stepper-row">
          <label className="field-label" htmlFor="ticket-qty">
            {t("quantity")}
          </label>
          <div className="stepper">
            <button
              type="button"
              aria-label={t("decreaseQty")}
              onClick={() => {
                amountTouched.current = true;
                setQty((q) => Math.max(1, q - 1));
              }}
            >
              −
            </button>
            <input
              id="ticket-qty"
              type="number"
              inputMode="numeric"
              min={1}
              max={side === "SELL" ? Math.max(1, sellable) : MAX_QTY}
              value={qty}
              onChange={(e) => {
                amountTouched.current = true;
                setQty(Math.min(MAX_QTY, Math.max(1, Math.trunc(Number(e.target.value) || 1))));
              }}
            />
            <button
              type="button"
              aria-label={t("increaseQty")}
              onClick={() => {
                amountTouched.current = true;
                setQty((q) => Math.min(side === "SELL" ? Math.max(1, sellable) : MAX_QTY, q + 1));
              }}
            >
              +
            </button>
          </div>
          {side === "SELL" && <span className="muted small">{t("youHold", { n: heldQty })}</span>}
        </div>
      )}
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
              {t("canFill", { n: quote.estimate.filledQty, q: effQty })}
            </dd>
          </div>
        )}
        {me.data && side === "BUY" && (
          <div className="muted small">
            <dt>{t("available")}</dt>
            <dd data-testid="ticket-available">{available !== null ? formatRupees(available) : "—"}</dd>
          </div>
        )}
      </dl>
      {overBalance && (
        <p className="notice" data-testid="ticket-over-balance">
          {t("overBalance")} <Link href="/wallet">{t("addMoney")}</Link>
        </p>
      )}
      {overHeld && <p className="notice">{t("overHeld", { n: sellable })}</p>}

      {!open ? (
        <p className="notice" role="status" data-testid="ticket-closed">
          {live.status === "CLOSED" ? t("marketClosed") : t("marketSettledNotice")}
        </p>
      ) : !me.data ? (
        <Link
          className="btn btn-primary btn-block"
          href={`/login?next=${encodeURIComponent(`/markets/${market.id}`)}`}
        >
          {t("loginToTrade")}
        </Link>
      ) : (
        <div className="ticket-action">
          <button
            type="button"
            className={`btn btn-block ${outcome === "YES" ? "btn-yes-solid" : "btn-no-solid"}`}
            disabled={place.isPending || effQty < 1 || overHeld}
            onClick={() => {
              place.reset();
              setReviewing(true);
            }}
          >
            {place.isPending ? t("placing") : actionLabel}
          </button>
        </div>
      )}
      {message && (
        <div
          className={`ticket-msg ticket-msg-${message.tone}`}
          role={message.tone === "error" ? "alert" : "status"}
          data-testid="ticket-message"
        >
          <strong>{message.title}</strong>
          {message.detail && <span>{message.detail}</span>}
          {message.action && <Link href={message.action.href}>{message.action.label}</Link>}
        </div>
      )}
    </section>
  );
}
