import { type Command, createEngine, type Engine, type PlaceOrderCommand } from "../src/index.ts";
import { createRandom } from "../src/random.ts";
import { Tape } from "./tape.ts";

/**
 * The seeded standard workload. Commands are generated up front by driving a shadow engine (so a
 * SELL is only generated for shares the user holds and a cancel only names a resting order of
 * its owner), stored compactly (tape.ts), then replayed on fresh engines for timing. Mix of the measured phase:
 * ~55 % limit GTC near the touch, 25 % cancels, 15 % marketable IOC / MARKET, 5 % FOK / post-only.
 */

export interface Workload {
  setup: Command[];
  warmup: Tape;
  measured: Tape;
  /** Result codes the shadow run saw in the measured phase. */
  codes: Record<string, number>;
}

export const MARKETS = 100;
export const USERS = 10_000;

const mulberry32 = createRandom;

export function generate(
  seed: number,
  warmupCount: number,
  measuredCount: number,
  progress: (done: number) => void,
): Workload {
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const shadow: Engine = createEngine();
  const setup: Command[] = [];
  let ts = 1_700_000_000_000;
  const ticks: number[] = [];
  const mids: number[] = [];
  for (let m = 0; m < MARKETS; m++) {
    const tick = m % 2 === 0 ? 50 : 10;
    ticks.push(tick);
    mids.push(500);
    setup.push({
      type: "CREATE_MARKET",
      ts,
      marketId: `m${m}`,
      tickPaise: tick,
      makerFeeBps: 10,
      takerFeeBps: 20,
    });
  }
  for (let u = 0; u < USERS; u++) {
    setup.push({ type: "CREATE_USER", ts, userId: `u${u}` });
    setup.push({
      type: "CREDIT",
      ts,
      userId: `u${u}`,
      amountPaise: 1_000_000_000,
      ref: `r${u}`,
      kind: "BONUS",
    });
  }
  for (const c of setup) shadow.apply(c);

  const open: string[] = [];
  const owner = new Map<string, string>();
  let next = 0;
  const codes: Record<string, number> = {};
  const clamp = (p: number, tick: number) => Math.min(1000 - tick, Math.max(tick, p));

  function order(kind: number): PlaceOrderCommand {
    const m = int(MARKETS);
    const tick = ticks[m];
    if (rnd() < 0.02) mids[m] = clamp(mids[m] + (rnd() < 0.5 ? -tick : tick), 200);
    const mid = mids[m];
    const userId = `u${int(USERS)}`;
    const pos = shadow.positions(userId).find((p) => p.marketId === `m${m}`);
    const qty = 1 + int(rnd() < 0.8 ? 20 : 200);
    const freeYes = pos ? pos.yesQty - pos.yesLockedQty : 0;
    const freeNo = pos ? pos.noQty - pos.noLockedQty : 0;
    const sellYes = freeYes >= qty && rnd() < 0.5;
    const sellNo = !sellYes && freeNo >= qty && rnd() < 0.5;
    const buyYes = !sellYes && !sellNo && rnd() < 0.5;
    // A bid in YES terms (BUY YES / SELL NO) sits below mid; an ask above, unless it is meant to take.
    const isBid = buyYes || sellNo;
    const away = kind === 0 || kind === 3 ? tick * (1 + int(4)) : -tick * (1 + int(3));
    const yes = clamp(isBid ? mid - away : mid + away, tick);
    const isYes = buyYes || sellYes;
    const c: PlaceOrderCommand = {
      type: "PLACE_ORDER",
      ts,
      orderId: `o${next++}`,
      userId,
      marketId: `m${m}`,
      outcome: isYes ? "YES" : "NO",
      side: sellYes || sellNo ? "SELL" : "BUY",
      orderType: "LIMIT",
      pricePaise: isYes ? yes : 1000 - yes,
      qty,
    };
    if (kind === 1) {
      if (rnd() < 0.5) c.tif = "IOC";
      else {
        c.orderType = "MARKET";
        c.pricePaise = undefined;
        if (c.side === "BUY" && rnd() < 0.3) c.maxCostPaise = qty * 600;
      }
    } else if (kind === 2) {
      c.tif = "FOK";
    } else if (kind === 3) {
      c.postOnly = true;
    }
    return c;
  }

  function cancel(): Command | null {
    for (let tries = 0; tries < 8 && open.length > 0; tries++) {
      const i = int(open.length);
      const id = open[i];
      open[i] = open[open.length - 1];
      open.pop();
      if (shadow.order(id)?.status === "OPEN") {
        return { type: "CANCEL_ORDER", ts, userId: owner.get(id) as string, orderId: id };
      }
      owner.delete(id);
    }
    return null;
  }

  function phase(count: number, count0: number, record: boolean): Tape {
    const out = new Tape();
    for (let n = 0; n < count; n++) {
      ts += 1;
      const r = rnd();
      let c: Command | null;
      if (r < 0.55) c = order(0);
      else if (r < 0.8) c = cancel() ?? order(0);
      else if (r < 0.95) c = order(1);
      else c = order(rnd() < 0.5 ? 2 : 3);
      const res = shadow.apply(c);
      if (c.type === "PLACE_ORDER" && res.order?.status === "OPEN") {
        open.push(c.orderId);
        owner.set(c.orderId, c.userId);
      }
      if (record) codes[`${c.type}:${res.code}`] = (codes[`${c.type}:${res.code}`] ?? 0) + 1;
      out.push(c);
      if (n % 250_000 === 0) progress(count0 + n);
    }
    return out;
  }

  const warmup = phase(warmupCount, 0, false);
  const measured = phase(measuredCount, warmupCount, true);
  return { setup, warmup, measured, codes };
}
