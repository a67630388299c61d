import type { Market } from "@ox/client";
import { useEffect } from "react";
import { useLive } from "../state/live-store";
import { subscribeMarket } from "../state/socket";
import { bestBuyPrice } from "./book";

/** Join the market's room while mounted. */
export function useMarketRoom(marketId: string | undefined) {
  useEffect(() => (marketId ? subscribeMarket(marketId) : undefined), [marketId]);
}

/** The freshest buy prices and volume: live book first, then ticker, then the REST snapshot. */
export function useLivePrices(m: Market) {
  const book = useLive((s) => s.books[m.id]);
  const ticker = useLive((s) => s.tickers[m.id]);
  const yes = book ? bestBuyPrice(book, "YES") : (ticker?.yesPrice ?? m.yesPricePaise);
  const no = book ? bestBuyPrice(book, "NO") : (ticker?.noPrice ?? m.noPricePaise);
  return {
    yes: yes ?? null,
    no: no ?? null,
    volume: ticker?.volume ?? m.volumeQty,
    status: ticker?.status ?? m.status,
    lastPrice: ticker?.lastPrice ?? m.lastYesPricePaise ?? null,
  };
}
