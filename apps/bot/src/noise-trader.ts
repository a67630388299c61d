import { ApiError, type Client } from "@ox/client";
import type pino from "pino";
import { createRandom } from "./quotes.ts";

/**
 * A small noise trader for the demo: every round it takes liquidity in one random open market with
 * a MARKET IOC order of 1–`maxQty` shares, so the demo shows trades, volume and a chart that moves
 * (the market maker alone only quotes). Mostly it buys YES or NO; when it holds shares it sometimes
 * sells some back, so its inventory stays small. Seeded: the same seed makes the same choices.
 * Through the public HTTP API only; refusals (nothing to match, a closed market) are business
 * outcomes, logged and skipped.
 */
export interface NoiseTraderOptions {
  api: Client;
  logger: pino.Logger;
  intervalMs?: number;
  /** Orders placed back to back by `start()` before the first pause, so history exists at once. */
  burst?: number;
  maxQty?: number;
  seed?: number;
  /** Deposit when available cash falls below this (sandbox gateway in development). */
  minCashPaise?: number;
  topUpPaise?: number;
}

type Position = Awaited<ReturnType<Client["portfolio"]["get"]>>["positions"][number];

export function createNoiseTrader(o: NoiseTraderOptions) {
  const random = createRandom(o.seed ?? 7);
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(random() * xs.length)];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = true;
  let rounds = 0;
  let filled = 0;

  async function round(): Promise<boolean> {
    rounds++;
    const portfolio = await o.api.portfolio.get();
    if (portfolio.balance.availablePaise < (o.minCashPaise ?? 100_000)) {
      await o.api.wallet.deposit({ body: { amountPaise: o.topUpPaise ?? 500_000 } });
    }
    const { markets } = await o.api.markets.list({ query: { status: "OPEN" } });
    const market = pick(markets.filter((m) => m.status === "OPEN"));
    if (!market) return false;
    const held = portfolio.positions.find((p: Position) => p.marketId === market.id);
    const qty = 1 + Math.floor(random() * (o.maxQty ?? 5));
    const sellable = (outcome: "YES" | "NO") =>
      held ? (outcome === "YES" ? held.yes - held.yesLocked : held.no - held.noLocked) : 0;
    const outcome = random() < 0.5 ? "YES" : "NO";
    const sell = random() < 0.35 && sellable(outcome) > 0;
    try {
      const placed = await o.api.orders.place({
        body: {
          marketId: market.id,
          outcome,
          side: sell ? "SELL" : "BUY",
          type: "MARKET",
          timeInForce: "IOC",
          quantity: sell ? Math.min(qty, sellable(outcome)) : qty,
        },
      });
      const traded = "filledQty" in placed.order ? placed.order.filledQty : 0;
      if (traded > 0) filled++;
      o.logger.debug({ marketId: market.id, outcome, sell, traded }, "noise trade");
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) {
        o.logger.debug({ code: err.code }, "noise order refused");
        return false;
      }
      throw err;
    }
  }

  async function loop(burstLeft: number) {
    if (stopped) return;
    try {
      await round();
    } catch (err) {
      o.logger.warn({ err }, "noise trader round failed; retrying next round");
    }
    if (stopped) return;
    if (burstLeft > 0) void loop(burstLeft - 1);
    else timer = setTimeout(() => void loop(0), o.intervalMs ?? 4_000);
  }

  return {
    round,
    start() {
      if (!stopped) return;
      stopped = false;
      void loop(o.burst ?? 0);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    get rounds() {
      return rounds;
    },
    /** Rounds whose order the API answered with at least one share filled (when it says so at once). */
    get filled() {
      return filled;
    },
  };
}
