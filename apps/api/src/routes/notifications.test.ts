/**
 * The notification centre's API (issue 13): a fill, a payout, a KYC decision and a withdrawal each
 * become a notification once persisted; the unread count falls to 0 after mark-as-read, which is
 * stored in Postgres (users.notifications_read_at) and never moves back.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { users } from "@ox/db";
import { createPersister } from "@ox/persister";
import { eq } from "drizzle-orm";
import pino from "pino";
import { type Client, kycDetails, signIn } from "../test-harness.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

let h: TradingHarness;
let admin: Client;
const json = async (res: Response) => (await res.json()) as Record<string, any>;
const persist = async () => {
  await h.settle();
  await createPersister({ log: h.journal, db: h.db.db, logger: pino({ level: "silent" }) }).catchUp();
};

beforeAll(async () => {
  h = await createTradingHarness();
  admin = await signIn(h, "+919999900000");
});
afterAll(async () => {
  await h.close();
});

test("fills, payouts, KYC decisions and withdrawals are notifications; mark-as-read is stored", async () => {
  const created = await json(
    await admin.call("POST", "/api/v1/admin/markets", {
      title: "Will the bell ring?",
      category: "test",
      closeAt: Date.now() + 3_600_000,
    }),
  );
  const marketId = created.market.id as string;
  const alice = await signIn(h);
  const bob = await signIn(h);
  await h.settle();
  expect(await json(await alice.call("GET", "/api/v1/notifications"))).toEqual({
    notifications: [],
    unread: 0,
    readAt: null,
  });
  expect((await alice.call("GET", "/api/v1/notifications?limit=0")).status).toBe(400);

  const order = (c: Client, outcome: "YES" | "NO", pricePaise: number) =>
    c.call("POST", "/api/v1/orders", {
      marketId,
      type: "LIMIT",
      outcome,
      side: "BUY",
      pricePaise,
      quantity: 2,
    });
  expect((await order(alice, "YES", 600)).status).toBe(201);
  expect((await order(bob, "NO", 400)).status).toBe(201);
  await persist();
  const afterFill = await json(await alice.call("GET", "/api/v1/notifications"));
  expect(afterFill.unread).toBe(1);
  expect(afterFill.notifications).toHaveLength(1);
  expect(afterFill.notifications[0]).toMatchObject({
    kind: "FILL",
    read: false,
    marketId,
    marketTitle: "Will the bell ring?",
    qty: 2,
    outcome: "YES",
    side: "BUY",
    pricePaise: 600,
  });

  // Read up to now (a later upTo counts as now): 0 unread; an older upTo does not move it back.
  const readAt = (
    await json(await alice.call("POST", "/api/v1/notifications/read", { upTo: Date.now() + 60_000 }))
  ).readAt as number;
  expect(readAt).toBeLessThanOrEqual(Date.now());
  expect((await alice.call("POST", "/api/v1/notifications/read", { upTo: 1 })).status).toBe(200);
  const seen = await json(await alice.call("GET", "/api/v1/notifications"));
  expect(seen).toMatchObject({ unread: 0, readAt });
  expect(seen.notifications[0].read).toBe(true);
  const [stored] = await h.db.db.select().from(users).where(eq(users.id, alice.userId));
  expect(stored?.notificationsReadAt).toBe(readAt);
  expect((await alice.call("POST", "/api/v1/notifications/read", { upTo: "now" })).status).toBe(400);

  // Resolution pays Alice ₹20: a new, unread PAYOUT on top.
  expect((await admin.call("POST", `/api/v1/admin/markets/${marketId}/close`)).status).toBe(200);
  expect(
    (await admin.call("POST", `/api/v1/admin/markets/${marketId}/resolve`, { outcome: "YES" })).status,
  ).toBe(200);
  await persist();
  const paid = await json(await alice.call("GET", "/api/v1/notifications"));
  expect(paid.unread).toBe(1);
  expect(paid.notifications[0]).toMatchObject({
    kind: "PAYOUT",
    read: false,
    amountPaise: 2000,
    marketId,
    marketTitle: "Will the bell ring?",
  });

  // Bob: KYC verified, then a withdrawal; both appear.
  const kyc = await json(await bob.call("POST", "/api/v1/kyc", kycDetails()));
  expect(
    (await admin.call("POST", `/api/v1/admin/kyc/${kyc.kyc.id}/decision`, { status: "VERIFIED" })).status,
  ).toBe(200);
  expect((await bob.call("POST", "/api/v1/wallet/withdrawals", { amountPaise: 200 })).status).toBeLessThan(
    300,
  );
  const bobs = await json(await bob.call("GET", "/api/v1/notifications"));
  const kinds = bobs.notifications.map((n: { kind: string }) => n.kind);
  expect(kinds).toContain("KYC");
  expect(kinds).toContain("WITHDRAWAL");
  expect(kinds).toContain("FILL");
  expect(bobs.notifications.find((n: { kind: string }) => n.kind === "KYC").status).toBe("VERIFIED");
  // Nobody sees another user's items.
  expect(bobs.notifications.some((n: { kind: string }) => n.kind === "PAYOUT")).toBe(false);
  expect((await h.app.request("http://localhost/api/v1/notifications")).status).toBe(401);
});
