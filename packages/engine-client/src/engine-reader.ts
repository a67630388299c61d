import type { EngineQueryKind, EngineStats } from "@ox/contracts/pipeline";
import type {
  AccountView,
  BookView,
  Engine,
  EngineTotals,
  MarketView,
  OrderView,
  PositionView,
} from "@ox/engine";

/** Live engine state for the API (docs/order-path.md#live-reads: portfolio and book never come from a lagging table). */
export interface EngineReader {
  account(userId: string): Promise<AccountView | null>;
  positions(userId: string): Promise<PositionView[]>;
  openOrders(userId: string, marketId?: string): Promise<OrderView[]>;
  order(orderId: string): Promise<OrderView | null>;
  book(marketId: string, depth?: number): Promise<BookView | null>;
  market(marketId: string): Promise<MarketView | null>;
  markets(): Promise<MarketView[]>;
  totals(): Promise<EngineTotals>;
  stats(): Promise<EngineStats>;
}

/** The engine is not answering (remote query timed out, or the engine service is down). */
export class EngineUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EngineUnavailableError";
  }
}

export type Ask = (kind: EngineQueryKind, args: unknown[]) => Promise<unknown>;

/** Maps the reader's methods onto one `ask(kind, args)` transport. */
export function createEngineReader(ask: Ask): EngineReader {
  const orNull = async <T>(kind: EngineQueryKind, args: unknown[]) =>
    ((await ask(kind, args)) ?? null) as T | null;
  return {
    account: (userId) => orNull<AccountView>("account", [userId]),
    positions: async (userId) => (await ask("positions", [userId])) as PositionView[],
    openOrders: async (userId, marketId) => (await ask("openOrders", [userId, marketId])) as OrderView[],
    order: (orderId) => orNull<OrderView>("order", [orderId]),
    book: (marketId, depth) => orNull<BookView>("book", [marketId, depth]),
    market: (marketId) => orNull<MarketView>("market", [marketId]),
    markets: async () => (await ask("markets", [])) as MarketView[],
    totals: async () => (await ask("totals", [])) as EngineTotals,
    stats: async () => (await ask("stats", [])) as EngineStats,
  };
}

/** What the engine service exposes in process: reads that wait for the batch in flight to be durable. */
export interface EngineQuerier {
  query(kind: EngineQueryKind, args: unknown[]): Promise<unknown>;
}

const isQuerier = (target: Engine | EngineQuerier): target is EngineQuerier =>
  typeof (target as EngineQuerier).query === "function";

/**
 * Embedded mode: reads straight from the engine service in this process (or from a bare engine in
 * tests). A bare engine has no stats of a shell, so stats() reports its lastSeq only.
 */
export function createInProcessEngineReader(target: Engine | EngineQuerier): EngineReader {
  if (isQuerier(target)) return createEngineReader((kind, args) => target.query(kind, args));
  const engine = target;
  const str = (value: unknown) => String(value ?? "");
  return createEngineReader(async (kind, args) => {
    switch (kind) {
      case "account":
        return engine.account(str(args[0]));
      case "positions":
        return engine.positions(str(args[0]));
      case "openOrders":
        return engine.openOrders(str(args[0]), args[1] as string | undefined);
      case "order":
        return engine.order(str(args[0]));
      case "book":
        return engine.book(str(args[0]), args[1] as number | undefined);
      case "market":
        return engine.market(str(args[0]));
      case "markets":
        return engine.markets();
      case "totals":
        return engine.totals();
      case "stats":
        return {
          lastSeq: engine.lastSeq,
          logOffset: 0,
          queueDepth: 0,
          snapshotOffset: 0,
          commandsApplied: 0,
          startedAt: 0,
        };
    }
  });
}
