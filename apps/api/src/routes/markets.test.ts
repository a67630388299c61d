import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { auditLog, trades } from "@ox/db";
import { asc, eq } from "drizzle-orm";
import { type Client, signIn } from "../test-harness.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

let h: TradingHarness;
let admin: Client;
let alice: Client;
let bob: Client;

const json = async (res: Response) => (await res.json()) as Record<string, any>;
const createMarket = async (overrides: Record<string, unknown> = {}) => {
  const res = await admin.call("POST", "/api/v1/admin/markets", {
    title: "Will India win the final?",
    description: "ICC final",
    category: "cricket",
    rules: "Official result",
    closeAt: Date.now() + 3_600_000,
    ...overrides,
  });
  expect(res.status).toBe(201);
  const { market } = await json(res);
  await h.settle();
  return market.id as string;
};

beforeAll(async () => {
  h = await createTradingHarness();
  admin = await signIn(h, "+919999900000");
  alice = await signIn(h);
  bob = await signIn(h);
});
afterAll(async () => {
  await h.close();
});

describe("market routes", () => {
  test("admin creates a market through the outbox; lists and filters show live prices", async () => {
    const id = await createMarket({ tickPaise: 100 });
    expect(h.service.engine.market(id)).toMatchObject({ status: "OPEN", tickPaise: 100 });
    await alice.call("POST", "/api/v1/orders", {
      marketId: id,
      type: "LIMIT",
      outcome: "YES",
      side: "BUY",
      pricePaise: 300,
      quantity: 1,
    });
    const list = await json(await bob.call("GET", "/api/v1/markets?category=cricket"));
    const mine = list.markets.find((m: { id: string }) => m.id === id);
    expect(mine).toMatchObject({
      title: "Will India win the final?",
      status: "OPEN",
      tickPaise: 100,
      noPricePaise: 700,
      yesPricePaise: null,
    });
    expect((await json(await bob.call("GET", "/api/v1/markets?category=politics"))).markets).toEqual([]);
    expect((await bob.call("GET", "/api/v1/markets/not-a-market")).status).toBe(404);
    expect((await bob.call("GET", "/api/v1/markets/not-a-market/orderbook")).status).toBe(404);
  });

  test("a market may carry a Hindi title; without one it is null", async () => {
    const hindi = await createMarket({ titleHi: "क्या भारत फ़ाइनल जीतेगा?" });
    const plain = await createMarket({});
    const get = async (id: string) => (await json(await bob.call("GET", `/api/v1/markets/${id}`))).market;
    expect((await get(hindi)).titleHi).toBe("क्या भारत फ़ाइनल जीतेगा?");
    expect((await get(plain)).titleHi).toBeNull();
    const list = (await json(await bob.call("GET", "/api/v1/markets"))).markets;
    expect(list.find((m: { id: string }) => m.id === hindi).titleHi).toBe("क्या भारत फ़ाइनल जीतेगा?");
    const bad = await admin.call("POST", "/api/v1/admin/markets", {
      title: "Will a control character pass?",
      titleHi: "क्या\u0007",
      category: "cricket",
      closeAt: Date.now() + 3_600_000,
    });
    expect(bad.status).toBe(400);
  });

  test("admin routes refuse non-admins and bad input", async () => {
    const res = await alice.call("POST", "/api/v1/admin/markets", {
      title: "Sneaky market",
      category: "x1",
      closeAt: Date.now() + 10_000,
    });
    expect(res.status).toBe(403);
    const past = await admin.call("POST", "/api/v1/admin/markets", {
      title: "Already over",
      category: "misc",
      closeAt: Date.now() - 1,
    });
    expect(past.status).toBe(400);
    const badTick = await admin.call("POST", "/api/v1/admin/markets", {
      title: "Odd tick market",
      category: "misc",
      closeAt: Date.now() + 10_000,
      tickPaise: 30,
    });
    expect(badTick.status).toBe(400);
  });

  test("close stops trading; resolve YES pays 1000 per winning share into the live balance", async () => {
    const id = await createMarket();
    const buy = (c: Client, outcome: string, pricePaise: number) =>
      c.call("POST", "/api/v1/orders", {
        marketId: id,
        type: "LIMIT",
        outcome,
        side: "BUY",
        pricePaise,
        quantity: 1,
      });
    expect((await buy(alice, "YES", 500)).status).toBe(201);
    expect((await buy(bob, "NO", 500)).status).toBe(201);
    const before = (await json(await alice.call("GET", "/api/v1/portfolio"))).balance.availablePaise;

    const close = await admin.call("POST", `/api/v1/admin/markets/${id}/close`);
    expect(close.status).toBe(200);
    const refused = await buy(alice, "YES", 500);
    expect(refused.status).toBe(409);
    expect((await json(refused)).error.code).toBe("MARKET_CLOSED");

    const resolve = await admin.call("POST", `/api/v1/admin/markets/${id}/resolve`, { outcome: "YES" });
    expect(resolve.status).toBe(200);
    expect((await json(await alice.call("GET", "/api/v1/portfolio"))).balance.availablePaise).toBe(
      before + 1000,
    );
    expect((await json(await alice.call("GET", `/api/v1/markets/${id}`))).market).toMatchObject({
      status: "RESOLVED",
      outcome: "YES",
    });
    const again = await admin.call("POST", `/api/v1/admin/markets/${id}/resolve`, { outcome: "NO" });
    expect(again.status).toBe(409);
    expect((await json(again)).error.code).toBe("MARKET_ALREADY_RESOLVED");
    expect((await admin.call("POST", "/api/v1/admin/markets/nope/close")).status).toBe(404);

    // Every admin action on the market is in the audit log, with what came of it.
    const audit = await h.db.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, id))
      .orderBy(asc(auditLog.id));
    expect(audit.map((a) => [a.action, (a.data as { result?: string } | null)?.result ?? null])).toEqual([
      ["MARKET_CREATE", null],
      ["MARKET_CLOSE", "OK"],
      ["MARKET_RESOLVE", "OK"],
      ["MARKET_RESOLVE", "MARKET_ALREADY_RESOLVED"],
    ]);
  });

  test("trades and candles come from the trades table, with integer OHLCV per bucket", async () => {
    const id = await createMarket();
    const minute = 60_000;
    const t0 = Math.floor(Date.UTC(2030, 0, 1) / minute) * minute;
    const row = (seq: number, ts: number, yesPricePaise: number, qty: number) => ({
      seq,
      marketId: id,
      kind: "TRANSFER" as const,
      qty,
      yesPricePaise,
      ts,
      makerOrderId: "m",
      makerUserId: "u1",
      makerOutcome: "YES" as const,
      makerSide: "SELL" as const,
      makerPricePaise: yesPricePaise,
      makerFeePaise: 0,
      takerOrderId: "t",
      takerUserId: "u2",
      takerOutcome: "YES" as const,
      takerSide: "BUY" as const,
      takerPricePaise: yesPricePaise,
      takerFeePaise: 0,
    });
    await h.db.db
      .insert(trades)
      .values([
        row(9_000_001, t0 + 1_000, 500, 2),
        row(9_000_002, t0 + 20_000, 650, 1),
        row(9_000_003, t0 + 59_000, 450, 3),
        row(9_000_004, t0 + minute + 5, 700, 4),
        row(9_000_005, t0 + 5 * minute + 1, 550, 1),
      ]);
    const oneMin = await json(await bob.call("GET", `/api/v1/markets/${id}/candles?interval=1m`));
    expect(oneMin.candles).toEqual([
      { t: t0, openPaise: 500, highPaise: 650, lowPaise: 450, closePaise: 450, volume: 6, trades: 3 },
      {
        t: t0 + minute,
        openPaise: 700,
        highPaise: 700,
        lowPaise: 700,
        closePaise: 700,
        volume: 4,
        trades: 1,
      },
      {
        t: t0 + 5 * minute,
        openPaise: 550,
        highPaise: 550,
        lowPaise: 550,
        closePaise: 550,
        volume: 1,
        trades: 1,
      },
    ]);
    const fiveMin = await json(await bob.call("GET", `/api/v1/markets/${id}/candles?interval=5m&limit=1`));
    expect(fiveMin.candles).toEqual([
      {
        t: t0 + 5 * minute,
        openPaise: 550,
        highPaise: 550,
        lowPaise: 550,
        closePaise: 550,
        volume: 1,
        trades: 1,
      },
    ]);
    expect((await bob.call("GET", `/api/v1/markets/${id}/candles?interval=2m`)).status).toBe(400);
    const recent = await json(await bob.call("GET", `/api/v1/markets/${id}/trades?limit=2`));
    expect(recent.trades).toEqual([
      {
        seq: 9_000_005,
        kind: "TRANSFER",
        qty: 1,
        yesPricePaise: 550,
        noPricePaise: 450,
        ts: t0 + 5 * minute + 1,
      },
      {
        seq: 9_000_004,
        kind: "TRANSFER",
        qty: 4,
        yesPricePaise: 700,
        noPricePaise: 300,
        ts: t0 + minute + 5,
      },
    ]);
  });

  test("the OpenAPI document lists the trading routes", async () => {
    const doc = await json(await h.app.request("http://localhost/api/v1/openapi.json"));
    for (const path of [
      "/api/v1/orders",
      "/api/v1/orders/{id}",
      "/api/v1/portfolio",
      "/api/v1/markets/{id}/orderbook",
      "/api/v1/markets/{id}/candles",
      "/api/v1/admin/markets/{id}/resolve",
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });
});
