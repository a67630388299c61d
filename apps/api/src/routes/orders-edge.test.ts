import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type Client, signIn } from "../test-harness.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

let h: TradingHarness;
let admin: Client;
let alice: Client;
let marketId: string;

interface Body {
  error: { code: string };
  market: { id: string };
  order: { id: string };
}
const json = async (res: Response) => (await res.json()) as Body;
const order = (overrides: Record<string, unknown> = {}) => ({
  marketId,
  outcome: "YES",
  side: "BUY",
  type: "LIMIT",
  pricePaise: 500,
  quantity: 1,
  ...overrides,
});
const logOffset = () => h.service.stats().logOffset;
/** Trading commands the API queued (the outbox relay queues account commands beside them). */
const traded = () =>
  h.sent.filter((e) => e.command?.type === "PLACE_ORDER" || e.command?.type === "CANCEL_ORDER").length;

beforeAll(async () => {
  h = await createTradingHarness();
  admin = await signIn(h, "+919999900000");
  alice = await signIn(h);
  const res = await admin.call("POST", "/api/v1/admin/markets", {
    title: "Will the edge hold?",
    category: "security",
    closeAt: Date.now() + 3_600_000,
  });
  expect(res.status).toBe(201);
  marketId = (await json(res)).market.id;
  await h.settle();
});
afterAll(async () => {
  await h.close();
});

describe("the edge refuses what must never reach the engine", () => {
  test("a NUL in marketId is a 400 with a code; nothing is queued or journaled", async () => {
    const sent = traded();
    const offset = logOffset();
    const res = await alice.call("POST", "/api/v1/orders", order({ marketId: "poison\u0000pill" }));
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("VALIDATION_ERROR");
    await h.settle();
    expect(traded()).toBe(sent);
    expect(logOffset()).toBe(offset);
  });

  test("an order for a market the API does not know is a 404 MARKET_NOT_FOUND before the engine", async () => {
    const sent = traded();
    const offset = logOffset();
    for (let i = 0; i < 3; i++) {
      const res = await alice.call("POST", "/api/v1/orders", order({ marketId: `missing-${i % 2}` }));
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe("MARKET_NOT_FOUND");
    }
    await h.settle();
    expect(traded()).toBe(sent);
    expect(logOffset()).toBe(offset);
  });

  test("a cancel of an order that is not open (or not yours) is a 404 UNKNOWN_ORDER before the engine", async () => {
    const placed = await alice.call("POST", "/api/v1/orders", order());
    expect(placed.status).toBe(201);
    const { id } = (await json(placed)).order;
    const bob = await signIn(h);
    const sent = traded();
    for (const [who, orderId] of [
      [alice, "00000000-0000-4000-8000-000000000000"],
      [bob, id],
    ] as const) {
      const res = await who.call("DELETE", `/api/v1/orders/${orderId}`);
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe("UNKNOWN_ORDER");
    }
    expect(traded()).toBe(sent);
    const cancelled = await alice.call("DELETE", `/api/v1/orders/${id}`);
    expect(cancelled.status).toBe(200);
    expect(traded()).toBe(sent + 1);
  });

  test("a market created a moment ago is tradable at once", async () => {
    const res = await admin.call("POST", "/api/v1/admin/markets", {
      title: "Is a new market tradable at once?",
      category: "security",
      closeAt: Date.now() + 3_600_000,
    });
    const created = (await json(res)).market.id;
    // Not settled first: the 201 means the directory and the engine both have the market.
    const placed = await alice.call("POST", "/api/v1/orders", order({ marketId: created }));
    expect(placed.status).toBe(201);
  });

  test("market text fields refuse control characters; ids in paths and queries keep to their set", async () => {
    const bad = await admin.call("POST", "/api/v1/admin/markets", {
      title: "Tab\u0007bell market?",
      category: "security",
      closeAt: Date.now() + 3_600_000,
    });
    expect(bad.status).toBe(400);
    const multi = await admin.call("POST", "/api/v1/admin/markets", {
      title: "Are newlines fine in rules?",
      category: "security",
      rules: "Line one.\nLine two\twith a tab.",
      closeAt: Date.now() + 3_600_000,
    });
    expect(multi.status).toBe(201);
    expect((await alice.call("GET", "/api/v1/markets/bad%00id")).status).toBe(400);
    expect(
      (await alice.call("GET", `/api/v1/orders?marketId=${encodeURIComponent("a\u0001b")}`)).status,
    ).toBe(400);
  });

  test("property: no order body carrying a control character reaches the command queue", async () => {
    const control = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }),
      fc.integer({ min: 0x7f, max: 0x9f }),
      fc.constantFrom(0x200b, 0x202e, 0x2028, 0xfeff),
    );
    const dirty = fc
      .tuple(fc.string({ maxLength: 10 }), control, fc.string({ maxLength: 10 }))
      .map(([a, c, b]) => `${a}${String.fromCharCode(c)}${b}`);
    const sent = traded();
    const offset = logOffset();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("marketId", "clientOrderId"),
        dirty,
        fc.boolean(),
        async (field, value, prefixValid) => {
          const v = field === "marketId" && prefixValid ? `${marketId}${value}` : value;
          const res = await alice.call("POST", "/api/v1/orders", order({ [field]: v }));
          expect(res.status).toBe(400);
          expect((await json(res)).error.code).toBe("VALIDATION_ERROR");
        },
      ),
      { numRuns: 150 },
    );
    await h.settle();
    expect(traded()).toBe(sent);
    expect(logOffset()).toBe(offset);
  });
});
