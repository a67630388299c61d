import { createEngine } from "./engine.ts";
import type { Command, Engine, EngineEvent, PlaceOrderCommand, Result } from "./types.ts";

/** A command with an optional `ts` (the kit stamps an increasing one). */
export type CommandInput = Command extends infer C
  ? C extends Command
    ? Omit<C, "ts"> & { ts?: number }
    : never
  : never;

/** Small helpers for the scenario tests: a funded world and terse order commands. */

export interface World {
  e: Engine;
  run(c: CommandInput): Result;
  order(o: Partial<PlaceOrderCommand> & Pick<PlaceOrderCommand, "orderId" | "userId">): Result;
  types(r: Result): string[];
  of<T extends EngineEvent["type"]>(r: Result, type: T): Extract<EngineEvent, { type: T }>[];
}

export function world(users: string[], market: Record<string, unknown> = {}, fundsPaise = 1_000_000): World {
  const e = createEngine();
  let ts = 1_000;
  const run = (c: CommandInput) => e.apply({ ts: ts++, ...c } as Command);
  for (const u of users) {
    run({ type: "CREATE_USER", userId: u });
    run({ type: "CREDIT", userId: u, amountPaise: fundsPaise, ref: `seed-${u}`, kind: "BONUS" });
  }
  run({ type: "CREATE_MARKET", marketId: "m", ...market });
  return {
    e,
    run,
    order: (o) =>
      run({
        type: "PLACE_ORDER",
        marketId: "m",
        outcome: "YES",
        side: "BUY",
        orderType: "LIMIT",
        qty: 1,
        ...o,
      }),
    types: (r) => r.events.map((x) => x.type),
    of: (r, type) => r.events.filter((x) => x.type === type) as never,
  };
}

/** Snapshot text without the parts every command moves (event seq, the command-time clock). */
export function stateText(e: Engine): string {
  return new TextDecoder()
    .decode(e.snapshot())
    .replace(/"seq":\d+,/, "")
    .replace(/"clock":\d+,/, "");
}
