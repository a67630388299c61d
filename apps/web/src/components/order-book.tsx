import { useEffect } from "react";
import { api } from "../api/client";
import { useT } from "../i18n";
import { type Level, ladder } from "../lib/book";
import { formatRupees } from "../lib/money";
import { useLive } from "../state/live-store";
import { bookSnapshot } from "../state/socket";
import { Loading } from "./states";

const DEPTH = 8;

/**
 * Probo-style book: YES and NO bid ladders side by side, best price on top, depth bars.
 *
 * Picking a row (click, or Enter/Space on its price button) calls `onPick(outcome, price)` with the
 * ladder's own outcome and the row's visible price; the market page turns that into a BUY LIMIT of
 * that outcome at that price, i.e. the user joins that level's queue. It never crosses the spread
 * by itself: to take a YES bid at ₹x the user buys NO at ₹(10 − x), which the NO side shows.
 */
export function OrderBook({
  marketId,
  onPick,
}: {
  marketId: string;
  onPick?: (outcome: "YES" | "NO", price: number) => void;
}) {
  const t = useT();
  const book = useLive((s) => s.books[marketId]);
  useEffect(() => {
    // HTTP snapshot as a fallback until the socket's arrives; the store keeps the newer seq.
    api.markets.orderbook({ params: { id: marketId } }).then(
      (s) => useLive.getState().snapshot(marketId, bookSnapshot(s)),
      () => {},
    );
  }, [marketId]);
  if (!book) return <Loading />;
  const yes = ladder(book, "YES", DEPTH);
  const no = ladder(book, "NO", DEPTH);
  const max = Math.max(1, ...yes.map((l) => l.qty), ...no.map((l) => l.qty));
  return (
    <div className="book" data-testid="order-book" data-seq={book.seq}>
      <Ladder
        title={t("qtyAtYes")}
        tone="yes"
        levels={yes}
        max={max}
        priceLabel={t("price")}
        pickLabel={(l) => t("pickLevel", { price: formatRupees(l.price), qty: l.qty, outcome: t("yes") })}
        onPick={(p) => onPick?.("YES", p)}
      />
      <Ladder
        title={t("qtyAtNo")}
        tone="no"
        levels={no}
        max={max}
        priceLabel={t("price")}
        pickLabel={(l) => t("pickLevel", { price: formatRupees(l.price), qty: l.qty, outcome: t("no") })}
        onPick={(p) => onPick?.("NO", p)}
      />
      {yes.length === 0 && no.length === 0 && <p className="muted small book-empty">{t("emptyBook")}</p>}
    </div>
  );
}

function Ladder(props: {
  title: string;
  tone: "yes" | "no";
  levels: Level[];
  max: number;
  priceLabel: string;
  pickLabel: (l: Level) => string;
  onPick: (p: number) => void;
}) {
  const rows = [...props.levels];
  while (rows.length < 5) rows.push({ price: 0, qty: 0 });
  return (
    <table className={`ladder ladder-${props.tone}`} aria-label={props.title}>
      <thead>
        <tr>
          <th scope="col">{props.priceLabel}</th>
          <th scope="col" className="num">
            {props.title}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((l, i) =>
          l.qty > 0 ? (
            // The row takes the mouse click; the price button inside gives keyboard and screen reader
            // users the same action (its click bubbles to the row), named by its visible price first.
            <tr key={l.price} onClick={() => props.onPick(l.price)} className="clickable">
              <td>
                <button type="button" className="book-pick" aria-label={props.pickLabel(l)}>
                  {formatRupees(l.price)}
                </button>
              </td>
              <td className="num depth-cell">
                <span
                  className={`depth depth-${props.tone}`}
                  style={{ width: `${Math.round((l.qty * 100) / props.max)}%` }}
                  aria-hidden="true"
                />
                <span className="depth-qty">{l.qty}</span>
              </td>
            </tr>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: filler rows have no identity
            <tr key={`empty-${i}`} className="filler">
              <td>—</td>
              <td className="num">—</td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}
