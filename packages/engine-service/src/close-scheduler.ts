import type { EngineEvent, MarketView } from "@ox/engine";

// setTimeout's delay is a signed 32-bit int; longer waits are re-armed in steps.
const MAX_DELAY_MS = 2_147_483_647;

export interface CloseScheduler {
  /** Arms timers for every OPEN market with a closeAt (after recovery). */
  syncFromMarkets(markets: MarketView[]): void;
  /** Follows MARKET_CREATED / MARKET_CLOSED / MARKET_RESOLVED of a durable batch. */
  observe(events: EngineEvent[]): void;
  scheduled(): string[];
  stop(): void;
}

export interface CloseSchedulerOptions {
  now: () => number;
  /** Called at closeAt; the service sends CLOSE_MARKET through its own queue. A rejection is retried. */
  onDue: (marketId: string) => Promise<void>;
  retryMs?: number;
}

/** One timer per open market with a close time; markets whose closeAt passed while down fire at once. */
export function createCloseScheduler(options: CloseSchedulerOptions): CloseScheduler {
  const retryMs = options.retryMs ?? 1_000;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  let stopped = false;

  const cancel = (marketId: string) => {
    const timer = timers.get(marketId);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(marketId);
  };

  const arm = (marketId: string, closeAt: number) => {
    if (stopped) return;
    cancel(marketId);
    const delay = Math.max(0, closeAt - options.now());
    const timer = setTimeout(
      () => {
        timers.delete(marketId);
        if (closeAt > options.now()) arm(marketId, closeAt);
        else if (!stopped) {
          options.onDue(marketId).catch(() => {
            if (!stopped && !timers.has(marketId))
              setTimeout(() => arm(marketId, closeAt), retryMs).unref?.();
          });
        }
      },
      Math.min(delay, MAX_DELAY_MS),
    );
    timer.unref?.();
    timers.set(marketId, timer);
  };

  return {
    syncFromMarkets(markets) {
      for (const market of markets) {
        if (market.status === "OPEN" && market.closeAt !== null) arm(market.marketId, market.closeAt);
        else cancel(market.marketId);
      }
    },
    observe(events) {
      for (const event of events) {
        if (event.type === "MARKET_CREATED" && event.closeAt !== null) arm(event.marketId, event.closeAt);
        else if (event.type === "MARKET_CLOSED" || event.type === "MARKET_RESOLVED") cancel(event.marketId);
      }
    },
    scheduled: () => [...timers.keys()],
    stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
