/**
 * Order history pages on (createdAt, id): orders placed together share a createdAt, and a cursor on
 * createdAt alone skipped the rest of a tie (5 of 120 concurrent orders never appeared on any page).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { orders } from "@ox/db";
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

beforeAll(async () => {
  h = await createTradingHarness();
  admin = await signIn(h, "+919999900000");
  alice = await signIn(h);
  const res = await admin.call("POST", "/api/v1/admin/markets", {
    title: "Will the monsoon arrive before June 10?",
    category: "weather",
    closeAt: Date.now() + 3_600_000,
  });
  marketId = (await json(res)).market.id;
  await h.settle();
});
afterAll(async () => {
  await h.close();
});

test("200 concurrent orders each appear exactly once across history pages", async () => {
  const placed = await Promise.all(
    Array.from({ length: 200 }, () =>
      alice.call("POST", "/api/v1/orders", {
        marketId,
        type: "LIMIT",
        outcome: "YES",
        side: "BUY",
        pricePaise: 50,
        quantity: 1,
      }),
    ),
  );
  const bodies = await Promise.all(placed.map((r) => json(r)));
  // Accepted or refused for funds (the bonus runs out): both kinds are orders in the history.
  expect(placed.every((r) => r.status === 201 || r.status === 422)).toBe(true);
  expect(bodies.length).toBe(200);
  await h.settle();
  await createPersister({ log: h.journal, db: h.db.db, logger: pino({ level: "silent" }) }).catchUp();
  const me = (await json(await alice.call("GET", "/api/v1/me"))).user?.id ?? "";
  const rows = await h.db.db.select({ id: orders.id }).from(orders).where(eq(orders.userId, me));
  const ids = rows.map((r) => r.id);
  expect(ids.length).toBe(200);

  const seen: string[] = [];
  const createdAts = new Set<number>();
  let before: string | null = null;
  for (let page = 0; page < 100; page++) {
    const q: string = before === null ? "" : `&before=${before}`;
    const body = await json(await alice.call("GET", `/api/v1/orders?status=all&limit=7${q}`));
    for (const o of body.orders) {
      seen.push(o.id);
      createdAts.add(o.createdAt);
    }
    before = body.nextBefore;
    if (before === null) break;
    expect(typeof before).toBe("string");
  }
  expect(seen.length).toBe(200);
  expect(new Set(seen)).toEqual(new Set(ids));
  // The burst really did share timestamps (otherwise this would not test the tie-break).
  expect(createdAts.size).toBeLessThan(200);
});

test("a cursor the API did not issue is a 400, not a 500", async () => {
  const r = await alice.call("GET", "/api/v1/orders?status=all&before=bm90LWEtY3Vyc29y");
  expect(r.status).toBe(400);
  expect((await json(r)).error.code).toBe("VALIDATION_ERROR");
});
