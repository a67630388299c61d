import { ApiError, type Client } from "@ox/client";
import { CANCEL_BATCH_MAX, ORDER_BATCH_MAX, type PlaceOrderRequest } from "@ox/contracts";
import type pino from "pino";
import type { z } from "zod";
import { createRandom, desiredQuotes, driftFair } from "./quotes.ts";

/**
 * Keeps two-sided quotes around a drifting fair price in every open market, through the public
 * HTTP API only. Each round: top up cash if low, then cancel the quotes no longer wanted in every
 * market in one DELETE /orders/batch and place the missing ones in one POST /orders/batch (20
 * orders a request at most). Rejections (a quote that would cross, a closed market) are business
 * outcomes: logged and retried next round, never fatal.
 */
export interface MarketMakerOptions {
  api: Client;
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

type Market = Awaited<ReturnType<Client["markets"]["list"]>>["markets"][number];
type OpenOrder = Awaited<ReturnType<Client["orders"]["list"]>>["orders"][number];

export function createMarketMaker(o: MarketMakerOptions) {
  const random = createRandom(o.seed ?? 42);
  const fair = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let rounds = 0;

  async function topUp() {
    const portfolio = await o.api.portfolio.get();
    if (portfolio.balance.availablePaise >= (o.minCashPaise ?? 500_000)) return;
    await o.api.wallet.deposit({ body: { amountPaise: o.topUpPaise ?? 2_000_000 } });
    o.logger.info({ amountPaise: o.topUpPaise ?? 2_000_000 }, "bot topped up its wallet");
  }

  /** What one market needs this round: its stale quotes' ids and the missing quotes. */
  function requote(market: Market, open: OpenOrder[]) {
    const start = fair.get(market.id) ?? market.lastYesPricePaise ?? 500;
    const next = driftFair(start, market.tickPaise, random);
    fair.set(market.id, next);
    const wanted = desiredQuotes({
      fairYesPaise: next,
      tickPaise: market.tickPaise,
      halfSpreadTicks: o.halfSpreadTicks ?? 1,
      qty: o.qty ?? 50,
      levels: o.levels ?? 3,
    });
    const key = (q: { outcome: string; pricePaise: number }) => `${q.outcome}@${q.pricePaise}`;
    const wantedKeys = new Set(wanted.map(key));
    const mine = open.filter((x) => x.marketId === market.id);
    const haveKeys = new Set(mine.map(key));
    const stale = mine.filter((order) => !wantedKeys.has(key(order))).map((order) => order.id);
    const fresh = wanted
      .filter((q) => !haveKeys.has(key(q)))
      .map(
        (q): z.input<typeof PlaceOrderRequest> => ({
          marketId: market.id,
          outcome: q.outcome,
          side: q.side,
          type: "LIMIT",
          pricePaise: q.pricePaise,
          quantity: q.qty,
          clientOrderId: `mm-${market.id.slice(0, 8)}-${rounds}-${q.outcome}-${q.pricePaise}`,
        }),
      );
    return { stale, fresh };
  }

  /**
   * The whole round's cancels in one DELETE /orders/batch and its new quotes in one POST
   * /orders/batch (more only past 100 ids or 20 orders): one request and one engine round trip
   * each. Items the engine refuses come back as per-item errors; the next round tries again.
   */
  async function send(stale: string[], fresh: z.input<typeof PlaceOrderRequest>[]) {
    for (let i = 0; i < stale.length; i += CANCEL_BATCH_MAX)
      await ignoreBusiness(() =>
        o.api.orders.cancelBatch({ body: { ids: stale.slice(i, i + CANCEL_BATCH_MAX) } }),
      );
    for (let i = 0; i < fresh.length; i += ORDER_BATCH_MAX) {
      const batch = fresh.slice(i, i + ORDER_BATCH_MAX);
      await ignoreBusiness(async () => {
        const { results } = await o.api.orders.placeBatch({ body: { orders: batch } });
        const refused = results.flatMap((r) => ("error" in r ? [r.error.code] : []));
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
    const { markets } = await o.api.markets.list({ query: { status: "OPEN" } });
    const { orders } = await o.api.orders.list({ query: { status: "open" } });
    const stale: string[] = [];
    const fresh: z.input<typeof PlaceOrderRequest>[] = [];
    for (const market of markets) {
      if (market.status !== "OPEN") continue;
      const wants = requote(market, orders);
      stale.push(...wants.stale);
      fresh.push(...wants.fresh);
    }
    await send(stale, fresh);
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
