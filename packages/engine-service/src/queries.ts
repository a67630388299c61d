import type { EngineQueryKind, EngineStats } from "@ox/contracts/pipeline";
import type { Engine } from "@ox/engine";

export class UnknownQueryError extends Error {
  constructor(readonly kind: string) {
    super(`unknown engine query kind: ${kind}`);
    this.name = "UnknownQueryError";
  }
}

const str = (value: unknown) => (typeof value === "string" ? value : "");
const optStr = (value: unknown) => (typeof value === "string" ? value : undefined);
const optInt = (value: unknown) => (Number.isSafeInteger(value) ? (value as number) : undefined);

/** Answers one read query from live engine state; `null` means "not found". */
export function answerQuery(
  engine: Engine,
  kind: EngineQueryKind,
  args: unknown[],
  stats: () => EngineStats,
): unknown {
  switch (kind) {
    case "account":
      return engine.account(str(args[0])) ?? null;
    case "positions":
      return engine.positions(str(args[0]));
    case "openOrders":
      return engine.openOrders(str(args[0]), optStr(args[1]));
    case "order":
      return engine.order(str(args[0])) ?? null;
    case "book":
      return engine.book(str(args[0]), optInt(args[1])) ?? null;
    case "market":
      return engine.market(str(args[0])) ?? null;
    case "markets":
      return engine.markets();
    case "totals":
      return engine.totals();
    case "stats":
      return stats();
    default:
      throw new UnknownQueryError(String(kind));
  }
}
