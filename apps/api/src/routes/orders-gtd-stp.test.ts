/**
 * GTD orders and self-trade prevention over HTTP on the real engine service (embedded adapters):
 * a GTD order's lock is released when its time comes and not before, also when the engine was down
 * at that moment (recovery replays the log, the service's expiry timer fires), and Postgres then
 * shows it EXPIRED; a bad expiresAt is a 400; CANCEL_TAKER cancels the taker and keeps the resting
 * order, and the default still cancels the resting one.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { engineBalances, orders } from "@ox/db";
import { createPersister } from "@ox/persister";
import { eq } from "drizzle-orm";
import pino from "pino";
import { type Client, signIn } from "../test-harness.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

let h: TradingHarness;
let admin: Client;
let alice: Client;
let marketId: string;
const json = async (res: Response) => (await res.json()) as Record<string, any>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 8_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const balance = async (c: Client) =>
  (await json(await c.call("GET", "/api/v1/portfolio"))).balance as {
    availablePaise: number;
    lockedPaise: number;
  };
const openIds = async (c: Client) =>
  ((await json(await c.call("GET", "/api/v1/orders?status=open"))).orders as { id: string }[]).map(
    (o) => o.id,
  );
const persist = () =>
  createPersister({ log: h.journal, db: h.db.db, logger: pino({ level: "silent" }) }).catchUp();

const gtd = (expiresAt: number, extra: object = {}) => ({
  marketId,
  type: "LIMIT",
  outcome: "YES",
  side: "BUY",
  pricePaise: 100,
  quantity: 3,
  timeInForce: "GTD",
  expiresAt,
  ...extra,
});

beforeAll(async () => {
  h = await createTradingHarness();
  admin = await signIn(h, "+919999900000");
  alice = await signIn(h);
  const res = await admin.call("POST", "/api/v1/admin/markets", {
    title: "Will it rain in Chennai on Friday?",
    category: "weather",
    closeAt: Date.now() + 3_600_000,
  });
  marketId = (await json(res)).market.id;
  await h.settle();
});
afterAll(async () => {
  await h.close();
});

describe("GTD", () => {
  test("the lock is held until expiresAt, then released; the order is EXPIRED in the engine and in Postgres", async () => {
    const before = await balance(alice);
    // Wide enough that the reads below finish before expiresAt even on a loaded machine; each
    // read is checked to have ended before it, so the "still locked" assertions cannot race it.
    const expiresAt = Date.now() + 3_000;
    const res = await alice.call("POST", "/api/v1/orders", gtd(expiresAt));
    expect(res.status).toBe(201);
    const { order } = await json(res);
    expect(order).toMatchObject({
      status: "OPEN",
      timeInForce: "GTD",
      expiresAt,
      selfTradePrevention: "CANCEL_RESTING",
    });
    expect(await balance(alice)).toEqual({
      availablePaise: before.availablePaise - 300,
      lockedPaise: before.lockedPaise + 300,
    });
    await sleep(600);
    const open = await openIds(alice);
    const locked = (await balance(alice)).lockedPaise;
    expect(Date.now()).toBeLessThan(expiresAt);
    expect(open).toContain(order.id);
    expect(locked).toBe(before.lockedPaise + 300);

    await eventually(async () => !(await openIds(alice)).includes(order.id), "the order to expire");
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(await balance(alice)).toEqual(before);
    // The service's EXPIRE_ORDERS carries its clock: at or after expiresAt, and how late.
    const log = await h.journal.read(0, 10_000);
    const expire = log.find((e) =>
      e.record.events.some((ev) => ev.type === "ORDER_CLOSED" && ev.orderId === order.id),
    )?.record;
    expect(expire?.command).toMatchObject({ type: "EXPIRE_ORDERS" });
    const lateMs = (expire?.command.ts ?? 0) - expiresAt;
    expect(lateMs).toBeGreaterThanOrEqual(0);
    console.log(`[gtd] EXPIRE_ORDERS stamped ${lateMs} ms after expiresAt`);
    await persist();
    const [row] = await h.db.db.select().from(orders).where(eq(orders.id, order.id));
    expect(row).toMatchObject({ status: "EXPIRED", closeReason: "GTD", tif: "GTD", expiresAt });
    const got = await json(await alice.call("GET", `/api/v1/orders/${order.id}`));
    expect(got.order).toMatchObject({ status: "EXPIRED", timeInForce: "GTD", expiresAt, remainingQty: 0 });
  });

  test("the engine is down when the order's time comes: after the restart it expires by replay and Postgres shows it", async () => {
    const before = await balance(alice);
    const expiresAt = Date.now() + 700;
    const res = await alice.call("POST", "/api/v1/orders", gtd(expiresAt, { pricePaise: 150, quantity: 2 }));
    expect(res.status).toBe(201);
    const { order } = await json(res);
    expect((await balance(alice)).lockedPaise).toBe(before.lockedPaise + 300);
    await h.restartEngine(expiresAt - Date.now() + 300); // down across expiresAt
    await eventually(async () => !(await openIds(alice)).includes(order.id), "the expiry after the restart");
    expect(await balance(alice)).toEqual(before);
    await persist();
    const [row] = await h.db.db.select().from(orders).where(eq(orders.id, order.id));
    expect(row).toMatchObject({ status: "EXPIRED", closeReason: "GTD", filledQty: 0 });
    const [cash] = await h.db.db.select().from(engineBalances).where(eq(engineBalances.userId, alice.userId));
    expect({ availablePaise: cash.availablePaise, lockedPaise: cash.lockedPaise }).toEqual(before);
  });

  test("a bad expiresAt is a 400 and changes nothing, not even the order history", async () => {
    const before = await balance(alice);
    const cases: [object, string][] = [
      [{ ...gtd(Date.now() + 60_000), expiresAt: undefined }, "VALIDATION_ERROR"], // GTD without it
      [{ ...gtd(Date.now() + 60_000), timeInForce: "GTC" }, "VALIDATION_ERROR"], // it without GTD
      [{ ...gtd(Date.now() + 60_000), expiresAt: "tomorrow" }, "VALIDATION_ERROR"],
      [{ ...gtd(Date.now() + 60_000), expiresAt: 1.5 }, "VALIDATION_ERROR"],
      [{ ...gtd(Date.now() + 60_000), type: "MARKET", pricePaise: undefined }, "VALIDATION_ERROR"],
      [gtd(Date.now() - 1_000), "INVALID_EXPIRY"], // already past when it arrives
    ];
    for (const [body, code] of cases) {
      const res = await alice.call("POST", "/api/v1/orders", body);
      expect({ status: res.status, code: (await json(res)).error?.code }).toEqual({ status: 400, code });
    }
    expect(await balance(alice)).toEqual(before);
    expect(await openIds(alice)).toEqual([]);
    // Refused before the engine: nothing journaled, no REJECTED order in the history.
    await persist();
    const refused = await h.db.db.select().from(orders).where(eq(orders.rejectCode, "INVALID_EXPIRY"));
    expect(refused).toEqual([]);
  });

  test("batch items take GTD too; a bad one fails alone", async () => {
    const res = await alice.call("POST", "/api/v1/orders/batch", {
      orders: [gtd(Date.now() + 60_000, { quantity: 1 }), gtd(Date.now() - 5, { quantity: 1 })],
    });
    expect(res.status).toBe(200);
    const { results } = await json(res);
    expect(results[0].order).toMatchObject({ status: "OPEN", timeInForce: "GTD" });
    expect(results[1].error.code).toBe("INVALID_EXPIRY");
    await alice.call("DELETE", `/api/v1/orders/${results[0].order.id}`);
  });
});

describe("self-trade prevention", () => {
  /** alice's resting BUY NO @ 600 is an offer of YES at 400. */
  const restingNo = async () => {
    const res = await alice.call("POST", "/api/v1/orders", {
      marketId,
      type: "LIMIT",
      outcome: "NO",
      side: "BUY",
      pricePaise: 600,
      quantity: 1,
    });
    expect(res.status).toBe(201);
    return (await json(res)).order.id as string;
  };
  const crossingYes = (extra: object = {}) =>
    alice.call("POST", "/api/v1/orders", {
      marketId,
      type: "LIMIT",
      outcome: "YES",
      side: "BUY",
      pricePaise: 400,
      quantity: 1,
      ...extra,
    });

  test("CANCEL_TAKER: the taker is cancelled, the resting order stays with its lock", async () => {
    const before = await balance(alice);
    const resting = await restingNo();
    const res = await crossingYes({ selfTradePrevention: "CANCEL_TAKER" });
    expect(res.status).toBe(201);
    const { order } = await json(res);
    expect(order).toMatchObject({ status: "CANCELLED", filledQty: 0, selfTradePrevention: "CANCEL_TAKER" });
    expect(order.fills).toEqual([]);
    expect(await openIds(alice)).toEqual([resting]);
    expect(await balance(alice)).toEqual({
      availablePaise: before.availablePaise - 600,
      lockedPaise: before.lockedPaise + 600,
    });
    await alice.call("DELETE", `/api/v1/orders/${resting}`);
  });

  test("default (CANCEL_RESTING): the resting order is cancelled and the taker rests", async () => {
    const resting = await restingNo();
    const res = await crossingYes();
    expect(res.status).toBe(201);
    const { order } = await json(res);
    expect(order).toMatchObject({ status: "OPEN", selfTradePrevention: "CANCEL_RESTING" });
    expect(await openIds(alice)).toEqual([order.id]);
    expect(await openIds(alice)).not.toContain(resting);
    await alice.call("DELETE", `/api/v1/orders/${order.id}`);
  });

  test("an unknown mode is a 400", async () => {
    const res = await crossingYes({ selfTradePrevention: "maker" });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("VALIDATION_ERROR");
  });
});
