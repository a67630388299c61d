import { CANCEL_BATCH_MAX, ORDER_BATCH_MAX } from "@ox/contracts";
import type pino from "pino";
import { type ApiClient, ApiError } from "./api-client.ts";
import { createRandom, desiredQuotes, driftFair } from "./quotes.ts";

/**
 * Keeps two-sided quotes around a drifting fair price in every open market, through the public
 * HTTP API only. Each round: top up cash if low, then per market cancel quotes that are no longer
 * wanted and place the missing ones, each in one batch request (POST/DELETE /orders/batch). Rejections (a quote that would cross, a closed market) are
 * business outcomes: logged and retried next round, never fatal.
 */
export interface MarketMakerOptions {
  api: ApiClient;
  logger: pino.Logger;
  intervalMs?: number;
  qty?: number;
  levels?: number;
  halfSpreadTicks?: number;
  /** Deposit when available cash falls below this (sandbox gateway in development). */
  minCashPaise?: number;
  topUpPaise?: number;
  seed?: number;
}

interface MarketRow {
  id: string;
  status: string;
  tickPaise: number;
  lastPricePaise: number | null;
}
interface OpenOrder {
  id: string;
  marketId: string;
  outcome: "YES" | "NO";
  side: "BUY" | "SELL";
  price: number;
}

export function createMarketMaker(o: MarketMakerOptions) {
  const random = createRandom(o.seed ?? 42);
  const fair = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let rounds = 0;

  async function topUp() {
    const portfolio = await o.api.call<{ balance: { available: number } }>("GET", "/portfolio");
    if (portfolio.balance.available >= (o.minCashPaise ?? 500_000)) return;
    await o.api.call("POST", "/wallet/deposits", { amount: o.topUpPaise ?? 2_000_000 });
    o.logger.info({ amountPaise: o.topUpPaise ?? 2_000_000 }, "bot topped up its wallet");
  }

  async function quoteMarket(market: MarketRow, open: OpenOrder[]) {
    const start = fair.get(market.id) ?? market.lastPricePaise ?? 500;
    const next = driftFair(start, market.tickPaise, random);
    fair.set(market.id, next);
    const wanted = desiredQuotes({
      fairYesPaise: next,
      tickPaise: market.tickPaise,
      halfSpreadTicks: o.halfSpreadTicks ?? 1,
      qty: o.qty ?? 50,
      levels: o.levels ?? 3,
    });
    const key = (q: { outcome: string; price: number }) => `${q.outcome}@${q.price}`;
    const wantedKeys = new Set(wanted.map((q) => key({ outcome: q.outcome, price: q.pricePaise })));
    const mine = open.filter((x) => x.marketId === market.id);
    const haveKeys = new Set(mine.map(key));
    // One request and one engine round trip for the cancels, one for the new quotes (batch
    // endpoints; items the engine refuses come back as per-item errors, nothing to retry).
    const stale = mine.filter((order) => !wantedKeys.has(key(order))).map((order) => order.id);
    for (let i = 0; i < stale.length; i += CANCEL_BATCH_MAX)
      await ignoreBusiness(() =>
        o.api.call("DELETE", "/orders/batch", { ids: stale.slice(i, i + CANCEL_BATCH_MAX) }),
      );
    const fresh = wanted
      .filter((q) => !haveKeys.has(key({ outcome: q.outcome, price: q.pricePaise })))
      .map((q) => ({
        marketId: market.id,
        outcome: q.outcome,
        side: q.side,
        type: "LIMIT",
        price: q.pricePaise,
        quantity: q.qty,
        clientOrderId: `mm-${market.id.slice(0, 8)}-${rounds}-${q.outcome}-${q.pricePaise}`,
      }));
    for (let i = 0; i < fresh.length; i += ORDER_BATCH_MAX) {
      const batch = fresh.slice(i, i + ORDER_BATCH_MAX);
      await ignoreBusiness(async () => {
        const { results } = await o.api.call<{ results: { error?: { code: string } }[] }>(
          "POST",
          "/orders/batch",
          { orders: batch },
        );
        const refused = results.filter((r) => r.error).map((r) => r.error?.code);
        if (refused.length > 0) o.logger.debug({ refused }, "bot quotes refused");
      });
    }
  }

  async function ignoreBusiness(fn: () => Promise<unknown>) {
    try {
      await fn();
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) {
        o.logger.debug({ code: err.code }, "bot order refused");
        return;
      }
      throw err;
    }
  }

  async function round() {
    rounds++;
    await topUp();
    const { markets } = await o.api.call<{ markets: MarketRow[] }>("GET", "/markets?status=OPEN");
    const { orders } = await o.api.call<{ orders: OpenOrder[] }>("GET", "/orders?status=open");
    for (const market of markets) {
      if (market.status === "OPEN") await quoteMarket(market, orders);
    }
  }

  async function loop() {
    if (stopped) return;
    try {
      await round();
    } catch (err) {
      o.logger.warn({ err }, "bot round failed; retrying next round");
    }
    if (!stopped) timer = setTimeout(loop, o.intervalMs ?? 2_000);
  }

  return {
    round,
    start() {
      stopped = false;
      void loop();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    get rounds() {
      return rounds;
    },
  };
}
