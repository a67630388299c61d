/** A small driver for scenario tests: applies commands with rising ts and checks invariants after each. */
import type { Command, Engine, EngineEvent, Result } from "../src/types.ts";
import { checkInvariants, createLedger } from "./invariants.ts";

export type EngineFactory = () => Engine;

type Omit2<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type CommandInput = Omit2<Command, "ts"> & { ts?: number };

export interface Driver {
  engine: Engine;
  apply(cmd: CommandInput): Result;
  /** Creates the user and credits it (ref `seed-<userId>`). */
  user(userId: string, paise?: number): void;
  market(marketId: string, params?: Partial<Omit<Extract<Command, { type: "CREATE_MARKET" }>, "type">>): void;
  /** A LIMIT GTC order; `orderId` defaults to a fresh one. */
  limit(
    userId: string,
    outcome: "YES" | "NO",
    side: "BUY" | "SELL",
    pricePaise: number,
    qty: number,
    extra?: object,
  ): Result;
  now: number;
}

export function createDriver(factory: EngineFactory): Driver {
  const engine = factory();
  const ledger = createLedger();
  let nextOrder = 1;
  const driver: Driver = {
    engine,
    now: 1_000,
    apply(cmd) {
      driver.now += 1;
      const result = engine.apply({ ts: driver.now, ...cmd } as Command);
      ledger.record(result.events);
      checkInvariants(engine, ledger);
      return result;
    },
    user(userId, paise = 100_000) {
      driver.apply({ type: "CREATE_USER", userId });
      if (paise > 0)
        driver.apply({ type: "CREDIT", userId, amountPaise: paise, ref: `seed-${userId}`, kind: "DEPOSIT" });
    },
    market(marketId, params = {}) {
      const r = driver.apply({ type: "CREATE_MARKET", marketId, ...params });
      if (r.code !== "OK") throw new Error(`market ${marketId}: ${r.code}`);
    },
    limit(userId, outcome, side, pricePaise, qty, extra = {}) {
      const orderId = `o${nextOrder++}`;
      return driver.apply({
        type: "PLACE_ORDER",
        orderId,
        userId,
        marketId: "m1",
        outcome,
        side,
        orderType: "LIMIT",
        pricePaise,
        qty,
        ...extra,
      } as CommandInput);
    },
  };
  return driver;
}

/** Events without seq/ts, for compact expectations. */
export function bodies(events: readonly EngineEvent[]): Record<string, unknown>[] {
  return events.map(({ seq: _seq, ts: _ts, ...rest }) => rest);
}

export function types(events: readonly EngineEvent[]): string[] {
  return events.map((e) => e.type);
}

export function ofType<T extends EngineEvent["type"]>(events: readonly EngineEvent[], type: T) {
  return events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
}
