/**
 * A long random walk (plain seeded PRNG, no fast-check) that reads the reference engine's state to
 * build deep books: mostly resting limit orders around a drifting mid, sells of shares actually
 * held, cancels of real open orders, and now and then a resolution and a fresh market.
 */
import { createRandomKit } from "../src/random.ts";
import type { Command, Engine } from "../src/types.ts";

export const createRandom = createRandomKit;

const USERS = ["w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7"];
const TICKS = [10, 50, 10, 100];

export function createWalker(seed: number) {
  const rnd = createRandom(seed);
  let ts = 10_000;
  let orderNo = 0;
  let marketNo = 0;
  const mids = new Map<string, number>();
  const ticks = new Map<string, number>();
  const pending: Command[] = [];
  for (const userId of USERS) {
    pending.push({ type: "CREATE_USER", userId, ts });
    pending.push({
      type: "CREDIT",
      userId,
      amountPaise: 5_000_000,
      ref: `w-seed-${userId}`,
      kind: "DEPOSIT",
      ts,
    });
  }
  const newMarket = () => {
    const marketId = `w${marketNo}`;
    const tickPaise = TICKS[marketNo % TICKS.length];
    marketNo += 1;
    mids.set(marketId, 500);
    ticks.set(marketId, tickPaise);
    pending.push({
      type: "CREATE_MARKET",
      marketId,
      tickPaise,
      makerFeeBps: rnd.pick([0, 10, 50]),
      takerFeeBps: rnd.pick([0, 30, 200]),
      positionLimit: 100_000,
      ts,
    });
  };
  for (let i = 0; i < 4; i++) newMarket();

  /** The next command, chosen from the reference engine's current state. */
  return function next(ref: Engine): Command {
    const queued = pending.shift();
    if (queued) return queued;
    ts += rnd.int(0, 2);
    const userId = rnd.pick(USERS);
    const marketId = rnd.pick([...mids.keys()]);
    const tick = ticks.get(marketId) ?? 50;
    const mid = Math.min(
      1000 - 3 * tick,
      Math.max(3 * tick, (mids.get(marketId) ?? 500) + rnd.int(-1, 1) * tick),
    );
    mids.set(marketId, mid);
    const roll = rnd.next();
    if (roll < 0.18) {
      const open = ref.openOrders(userId);
      if (open.length > 0) return { type: "CANCEL_ORDER", userId, orderId: rnd.pick(open).orderId, ts };
    }
    if (roll > 0.999) {
      mids.delete(marketId);
      newMarket();
      return { type: "RESOLVE_MARKET", marketId, outcome: rnd.pick(["YES", "NO", "VOID"] as const), ts };
    }
    if (roll > 0.9925) return { type: "CANCEL_ALL", userId, ts }; // every market
    if (roll > 0.985) return { type: "CANCEL_ALL", userId, marketId, ts };
    if (roll > 0.97)
      return {
        type: "CREDIT",
        userId,
        amountPaise: rnd.int(1, 500_000),
        ref: `w${ts}-${roll}`,
        kind: "BONUS",
        ts,
      };
    if (roll > 0.96)
      return { type: "DEBIT", userId, amountPaise: rnd.int(1, 200_000), ref: `wd${ts}-${roll}`, ts };

    const outcome = rnd.chance(0.5) ? ("YES" as const) : ("NO" as const);
    const pos = ref.positions(userId).find((p) => p.marketId === marketId);
    const free = pos ? (outcome === "YES" ? pos.yesQty - pos.yesLockedQty : pos.noQty - pos.noLockedQty) : 0;
    const side = free > 0 && rnd.chance(0.45) ? ("SELL" as const) : ("BUY" as const);
    const qty = side === "SELL" ? rnd.int(1, Math.min(free, 40)) : rnd.int(1, 40);
    const ownMid = outcome === "YES" ? mid : 1000 - mid;
    // Passive orders sit 0–6 ticks behind the mid; marketable ones cross it by up to 3 ticks.
    const marketable = roll > 0.8;
    const offset = marketable ? rnd.int(0, 3) : -rnd.int(0, 6);
    const raw = side === "BUY" ? ownMid + offset * tick : ownMid - offset * tick;
    const pricePaise = Math.min(1000 - tick, Math.max(tick, raw));
    const orderId = `wo${orderNo++}`;
    const base = { type: "PLACE_ORDER" as const, orderId, userId, marketId, outcome, side, qty, ts };
    if (!marketable) {
      return rnd.chance(0.05)
        ? { ...base, orderType: "LIMIT", pricePaise, postOnly: true }
        : { ...base, orderType: "LIMIT", pricePaise };
    }
    const kind = rnd.int(0, 4);
    if (kind === 0) return { ...base, orderType: "MARKET" };
    if (kind === 1 && side === "BUY")
      return { ...base, orderType: "MARKET", maxCostPaise: rnd.int(100, 20_000) };
    if (kind === 2) return { ...base, orderType: "LIMIT", pricePaise, tif: "FOK" };
    return { ...base, orderType: "LIMIT", pricePaise, tif: "IOC" };
  };
}
