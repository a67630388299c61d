import type { Command } from "@ox/engine";
import { createRandom } from "@ox/engine/random";

export interface WorkloadOptions {
  users: number;
  markets: number;
  orders: number;
  seed?: number;
  startTs?: number;
}

/** Users with cash, markets, then a stream of crossing limit orders and cancels: every fill kind occurs. */
export function* workload(options: WorkloadOptions): Generator<Command> {
  const random = createRandom(options.seed ?? 42);
  let ts = options.startTs ?? 1_700_000_000_000;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const users = Array.from({ length: options.users }, (_, i) => `user-${i}`);
  const markets = Array.from({ length: options.markets }, (_, i) => `market-${i}`);
  for (const userId of users) {
    yield { type: "CREATE_USER", userId, ts };
    yield { type: "CREDIT", userId, amountPaise: 100_000_000, ref: `seed-${userId}`, kind: "DEPOSIT", ts };
  }
  for (const marketId of markets) yield { type: "CREATE_MARKET", marketId, ts };
  const placed: { orderId: string; userId: string }[] = [];
  for (let i = 0; i < options.orders; i++) {
    ts += 1;
    if (placed.length > 0 && random() < 0.15) {
      const { orderId, userId } = placed[Math.floor(random() * placed.length)];
      yield { type: "CANCEL_ORDER", userId, orderId, ts };
      continue;
    }
    const orderId = `order-${options.seed ?? 42}-${i}`;
    const userId = pick(users);
    placed.push({ orderId, userId });
    if (placed.length > 1_000) placed.shift();
    yield {
      type: "PLACE_ORDER",
      orderId,
      userId,
      marketId: pick(markets),
      outcome: pick(["YES", "NO"] as const),
      side: random() < 0.7 ? "BUY" : "SELL",
      orderType: "LIMIT",
      pricePaise: 50 * (8 + Math.floor(random() * 4)),
      qty: 1 + Math.floor(random() * 5),
      clientOrderId: random() < 0.1 ? `c-${Math.floor(random() * 50)}` : undefined,
      ts,
    };
  }
}
