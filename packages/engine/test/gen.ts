/**
 * Random command streams for the differential tests. fast-check draws abstract steps (indexes into
 * pools); `materialize` turns them into concrete commands, so shrinking keeps streams meaningful.
 */
import fc from "fast-check";
import type { Command } from "../src/types.ts";

/** "Zed" sorts before "u0" under `<` but not under localeCompare: resolution order must use `<`. */
export const USERS = ["u0", "u1", "u2", "u3", "Zed", "ghost"];
const KINDS = ["BONUS", "DEPOSIT", "REFERRAL", "REFUND", "ADJUSTMENT"] as const;

/** Fixed opening: four users (u3 poor) and three markets with different ticks, fees and limits. */
export function setupCommands(ts = 1_000): Command[] {
  const cmds: Command[] = [];
  for (const [i, userId] of USERS.slice(0, 4).entries()) {
    cmds.push({ type: "CREATE_USER", userId, ts });
    cmds.push({
      type: "CREDIT",
      userId,
      amountPaise: i === 3 ? 6_000 : 400_000 * (i + 1),
      ref: `seed-${userId}`,
      kind: "DEPOSIT",
      ts,
    });
  }
  cmds.push({ type: "CREATE_MARKET", marketId: "m0", ts });
  cmds.push({ type: "CREATE_MARKET", marketId: "m1", tickPaise: 10, makerFeeBps: 20, takerFeeBps: 70, ts });
  cmds.push({
    type: "CREATE_MARKET",
    marketId: "m2",
    tickPaise: 100,
    makerFeeBps: 1000,
    maxOrderQty: 50,
    positionLimit: 120,
    ts,
  });
  return cmds;
}

/** `arb` one time in `every`, else null. */
const sometimes = <T>(arb: fc.Arbitrary<T>, every: number) =>
  fc.oneof({ weight: every - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
const user = fc.nat({ max: 40 }).map((n) => (n < 40 ? n % 4 : 5)); // mostly u0..u3, rarely ghost
const userOrNew = fc.oneof({ weight: 20, arbitrary: user }, { weight: 1, arbitrary: fc.constant(4) });
const pick = fc.nat({ max: 1_000 });
const price = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 6, max: 14 }).map((k) => k * 50) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 99 }).map((k) => k * 10) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, 0, 1000, 525, -50, 950, 50) },
);
const qty = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 1, max: 12 }) },
  { weight: 3, arbitrary: fc.integer({ min: 13, max: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 51, 10_001, 4_000) },
);
const amount = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 300_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -5, 50_000_000) },
);

const order = fc.record({
  k: fc.constant("order" as const),
  user: userOrNew,
  market: pick,
  outcome: fc.constantFrom("YES" as const, "NO" as const),
  side: fc.constantFrom("BUY" as const, "BUY" as const, "SELL" as const),
  market_: fc.nat({ max: 9 }), // < 2 → MARKET order
  price,
  qty,
  tif: fc.constantFrom(
    undefined,
    undefined,
    undefined,
    "GTC" as const,
    "GTD" as const,
    "GTD" as const,
    "IOC" as const,
    "FOK" as const,
  ),
  /** GTD: expiresAt = ts + life (0 or less: refused); rarely an expiresAt on another tif (refused). */
  life: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 40 }) },
    { weight: 3, arbitrary: fc.integer({ min: 41, max: 600 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -3) },
  ),
  strayExpiry: fc.nat({ max: 30 }), // 0 → expiresAt on a non-GTD order
  stp: fc.constantFrom(undefined, undefined, undefined, "CANCEL_RESTING" as const, "CANCEL_TAKER" as const),
  postOnly: fc.constantFrom(undefined, undefined, undefined, undefined, false, true),
  maxCost: sometimes(
    fc.oneof(
      { weight: 15, arbitrary: fc.integer({ min: 1, max: 20_000 }) },
      { weight: 1, arbitrary: fc.constant(0) },
    ),
    3,
  ),
  cid: sometimes(fc.nat({ max: 30 }), 4),
  reuseId: sometimes(pick, 40),
});

export const step = fc.record({
  dt: fc.oneof({ weight: 40, arbitrary: fc.nat({ max: 3 }) }, { weight: 1, arbitrary: fc.nat({ max: 400 }) }),
  op: fc.oneof(
    { weight: 120, arbitrary: order },
    {
      weight: 25,
      arbitrary: fc.record({
        k: fc.constant("cancel" as const),
        user,
        target: pick,
        own: fc.nat({ max: 5 }),
      }),
    },
    {
      weight: 40,
      arbitrary: fc.record({
        k: fc.constant("amend" as const),
        user,
        target: pick,
        own: fc.nat({ max: 9 }),
        // 0 or 1 → unchanged; else a nudge of the price by ticks, or (rarely) an arbitrary price.
        price: fc.oneof(
          { weight: 3, arbitrary: fc.constant(undefined) },
          { weight: 4, arbitrary: fc.integer({ min: -6, max: 6 }) },
          { weight: 1, arbitrary: price },
        ),
        // Undefined → unchanged; a delta on the remaining quantity; or (rarely) an arbitrary one.
        qty: fc.oneof(
          { weight: 3, arbitrary: fc.constant(undefined) },
          { weight: 5, arbitrary: fc.integer({ min: -6, max: 6 }) },
          { weight: 1, arbitrary: qty.map((q) => ({ abs: q })) },
        ),
        cid: sometimes(fc.nat({ max: 20 }), 3),
      }),
    },
    { weight: 3, arbitrary: fc.record({ k: fc.constant("cancelAll" as const), user, market: pick }) },
    { weight: 6, arbitrary: fc.record({ k: fc.constant("expire" as const), back: fc.nat({ max: 6 }) }) },
    {
      weight: 3,
      arbitrary: fc.record({
        k: fc.constant("credit" as const),
        user: userOrNew,
        amount,
        ref: fc.nat({ max: 60 }),
        kind: fc.constantFrom(...KINDS),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constant("debit" as const),
        user: userOrNew,
        amount,
        ref: fc.nat({ max: 60 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("user" as const), user: userOrNew }) },
    {
      weight: 3,
      arbitrary: fc.record({
        k: fc.constant("market" as const),
        fresh: fc.nat({ max: 5 }), // 0 → reuse an existing id
        tick: fc.constantFrom(10, 50, 100, 50, 10, 50, 100, 50, 30, 500),
        maker: fc.constantFrom(undefined, 0, 15, 100, 1_000, undefined, 0, 15, 100, 1_001),
        taker: fc.constantFrom(undefined, 0, 35, 250, 1_000),
        closeIn: sometimes(
          fc.oneof(fc.integer({ min: -10, max: 300 }), fc.integer({ min: 300, max: 30_000 })),
          3,
        ),
        maxQty: fc.constantFrom(undefined, 25, 300, undefined, 25, 300, 0),
        posLimit: fc.constantFrom(undefined, 12, 20, 500),
      }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("close" as const), market: pick }) },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant("resolve" as const),
        market: pick,
        outcome: fc.constantFrom("YES" as const, "NO" as const, "VOID" as const),
      }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("junk" as const), which: fc.nat({ max: 12 }) }) },
  ),
});
export type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

export const steps = (maxLength: number) => fc.array(step, { minLength: 1, maxLength, size: "max" });

const JUNK: unknown[] = [
  null,
  { type: "NOPE" },
  {
    type: "PLACE_ORDER",
    orderId: "j",
    userId: "u0",
    marketId: "m0",
    outcome: "YES",
    side: "BUY",
    orderType: "LIMIT",
    pricePaise: 500,
    qty: "5",
  },
  {
    type: "PLACE_ORDER",
    orderId: "j",
    userId: "u0",
    marketId: "m0",
    outcome: "YES",
    side: "BUY",
    orderType: "LIMIT",
    pricePaise: 500.5,
    qty: 5,
  },
  {
    type: "PLACE_ORDER",
    orderId: "j",
    userId: "u0",
    marketId: "m0",
    outcome: "MAYBE",
    side: "BUY",
    orderType: "LIMIT",
    pricePaise: 500,
    qty: 5,
  },
  {
    type: "PLACE_ORDER",
    orderId: "",
    userId: "u0",
    marketId: "m0",
    outcome: "YES",
    side: "BUY",
    orderType: "LIMIT",
    pricePaise: 500,
    qty: 5,
  },
  { type: "CREDIT", userId: "u0", amountPaise: 1.5, ref: "junk", kind: "DEPOSIT" },
  { type: "CREATE_MARKET", marketId: "mj", tickPaise: "50" },
  { type: "CANCEL_ORDER", userId: "u0" },
  { type: "AMEND_ORDER", userId: "u0", orderId: "o1", remainingQty: "3" },
  { type: "RESOLVE_MARKET", marketId: "m0", outcome: "MAYBE" },
  {
    type: "PLACE_ORDER",
    orderId: "j",
    userId: "u0",
    marketId: "m0",
    outcome: "YES",
    side: "BUY",
    orderType: "LIMIT",
    pricePaise: 500,
    qty: 5,
    tif: "GTD",
    expiresAt: "soon",
  },
  {
    type: "PLACE_ORDER",
    orderId: "j",
    userId: "u0",
    marketId: "m0",
    outcome: "YES",
    side: "BUY",
    orderType: "LIMIT",
    pricePaise: 500,
    qty: 5,
    stp: "BOTH",
  },
];

/** Turns abstract steps into commands. Deterministic: same steps, same commands. */
export function materialize(input: readonly Step[], startTs = 1_000): Command[] {
  const cmds = setupCommands(startTs);
  const markets = ["m0", "m1", "m2"];
  /** Markets this stream has not closed, resolved or let pass closeAt: orders go there mostly. */
  let live = [...markets];
  const closeAtOf = new Map<string, number>();
  const orderIds: string[] = [];
  /** GTC limit orders placed (the amends' usual targets). */
  const restable: string[] = [];
  let ts = startTs;
  for (const [i, { dt, op }] of input.entries()) {
    ts += dt;
    live = live.filter((m) => (closeAtOf.get(m) ?? Number.POSITIVE_INFINITY) > ts);
    const marketOf = (n: number) => (n % 23 === 22 ? "nowhere" : markets[n % markets.length]);
    const liveMarketOf = (n: number) =>
      n % 10 === 9 || live.length === 0 ? marketOf(n) : live[n % live.length];
    switch (op.k) {
      case "order": {
        const orderId =
          op.reuseId !== null && orderIds.length > 0 ? orderIds[op.reuseId % orderIds.length] : `o${i}`;
        orderIds.push(orderId);
        const isMarket = op.market_ < 2;
        const cmd: Record<string, unknown> = {
          type: "PLACE_ORDER",
          ts,
          orderId,
          userId: USERS[op.user],
          marketId: liveMarketOf(op.market),
          outcome: op.outcome,
          side: op.side,
          orderType: isMarket ? "MARKET" : "LIMIT",
          qty: op.qty,
        };
        if (!isMarket || op.price === undefined || op.qty % 2 === 0) cmd.pricePaise = op.price;
        if (op.tif !== undefined) cmd.tif = op.tif;
        if (op.tif === "GTD" || op.strayExpiry === 0) cmd.expiresAt = ts + op.life;
        if (op.stp !== undefined) cmd.stp = op.stp;
        if (op.postOnly !== undefined) cmd.postOnly = op.postOnly;
        if (op.maxCost !== null && (isMarket || op.maxCost === 0)) cmd.maxCostPaise = op.maxCost;
        if (op.cid !== null) cmd.clientOrderId = `c${op.cid}`;
        if (cmd.pricePaise === undefined) delete cmd.pricePaise;
        if (!isMarket && (op.tif === undefined || op.tif === "GTC" || op.tif === "GTD"))
          restable.push(orderId);
        cmds.push(cmd as unknown as Command);
        break;
      }
      case "cancel": {
        const orderId =
          orderIds.length > 0
            ? orderIds[orderIds.length - 1 - (op.target % Math.min(orderIds.length, 40))]
            : "none";
        const owner = cmds.find((c) => c?.type === "PLACE_ORDER" && c.orderId === orderId) as
          | { userId?: string }
          | undefined;
        const userId = op.own > 0 && owner?.userId ? owner.userId : USERS[op.user];
        cmds.push({ type: "CANCEL_ORDER", ts, userId, orderId });
        break;
      }
      case "amend": {
        // Mostly a GTC limit order (one that may be resting), else any order id seen.
        const pool = op.own > 2 && restable.length > 0 ? restable : orderIds;
        const orderId =
          pool.length > 0 ? pool[pool.length - 1 - (op.target % Math.min(pool.length, 6))] : "none";
        const placed = cmds.find((c) => c?.type === "PLACE_ORDER" && c.orderId === orderId) as
          | { userId?: string; pricePaise?: number; qty?: number }
          | undefined;
        const userId = op.own > 0 && placed?.userId ? placed.userId : USERS[op.user];
        const cmd: Record<string, unknown> = { type: "AMEND_ORDER", ts, userId, orderId };
        // Nudges are relative to what was placed (the stream does not track fills): mostly valid.
        const basePrice = typeof placed?.pricePaise === "number" ? placed.pricePaise : 500;
        if (typeof op.price === "number" && Math.abs(op.price) <= 6) {
          if (op.price !== 0) cmd.pricePaise = basePrice + op.price * (op.price % 2 === 0 ? 50 : 10);
        } else if (op.price !== undefined) cmd.pricePaise = op.price;
        const baseQty = typeof placed?.qty === "number" && placed.qty > 0 ? placed.qty : 5;
        if (typeof op.qty === "number") cmd.remainingQty = baseQty + op.qty;
        else if (op.qty !== undefined) cmd.remainingQty = op.qty.abs;
        if (op.cid !== null) cmd.clientAmendId = `a${op.cid}`;
        if (cmd.pricePaise === undefined && cmd.remainingQty === undefined && op.cid === 7) {
          // Now and then an amend that changes nothing: INVALID_COMMAND.
        } else if (cmd.pricePaise === undefined && cmd.remainingQty === undefined) {
          cmd.remainingQty = Math.max(1, baseQty - 1);
        }
        cmds.push(cmd as unknown as Command);
        break;
      }
      case "expire":
        // Now and then behind the stream's clock (a timer firing late): the engine only compares.
        cmds.push({ type: "EXPIRE_ORDERS", ts: op.back === 0 ? ts - 5 : ts });
        break;
      case "cancelAll":
        // One in three: every market (no marketId).
        cmds.push(
          op.market % 3 === 2
            ? { type: "CANCEL_ALL", ts, userId: USERS[op.user] }
            : { type: "CANCEL_ALL", ts, userId: USERS[op.user], marketId: marketOf(op.market) },
        );
        break;
      case "credit":
        cmds.push({
          type: "CREDIT",
          // Now and then a late one (an outbox row sent long after it was written): STALE_REF paths.
          ts: op.ref % 7 === 0 ? ts - 300 : ts,
          userId: USERS[op.user],
          amountPaise: op.amount,
          ref: `r${op.ref}`,
          kind: op.kind,
        });
        break;
      case "debit":
        cmds.push({ type: "DEBIT", ts, userId: USERS[op.user], amountPaise: op.amount, ref: `r${op.ref}` });
        break;
      case "user":
        cmds.push({ type: "CREATE_USER", ts, userId: USERS[op.user] });
        break;
      case "market": {
        const marketId = op.fresh === 0 ? markets[i % markets.length] : `n${i}`;
        if (op.fresh !== 0) {
          markets.push(marketId);
          live.push(marketId);
          if (op.closeIn !== null) closeAtOf.set(marketId, ts + op.closeIn);
        }
        const cmd: Record<string, unknown> = { type: "CREATE_MARKET", ts, marketId, tickPaise: op.tick };
        if (op.maker !== undefined) cmd.makerFeeBps = op.maker;
        if (op.taker !== undefined) cmd.takerFeeBps = op.taker;
        if (op.closeIn !== null) cmd.closeAt = ts + op.closeIn;
        if (op.maxQty !== undefined) cmd.maxOrderQty = op.maxQty;
        if (op.posLimit !== undefined) cmd.positionLimit = op.posLimit;
        cmds.push(cmd as unknown as Command);
        break;
      }
      case "close":
        cmds.push({ type: "CLOSE_MARKET", ts, marketId: marketOf(op.market) });
        live = live.filter((m) => m !== marketOf(op.market));
        break;
      case "resolve":
        cmds.push({ type: "RESOLVE_MARKET", ts, marketId: marketOf(op.market), outcome: op.outcome });
        live = live.filter((m) => m !== marketOf(op.market));
        break;
      case "junk": {
        const junk = JUNK[op.which];
        cmds.push((junk && typeof junk === "object" ? { ts, ...junk } : junk) as Command);
        break;
      }
    }
  }
  return cmds;
}
