/**
 * What the admin pages read (issue 13): KYC lists masked and a reveal that is audited, the users
 * list naming its positions' markets, and the settlement preview a resolve confirmation shows.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { auditLog } from "@ox/db";
import { and, eq } from "drizzle-orm";
import { type Client, kycDetails, signIn } from "../test-harness.ts";
import { createTradingHarness, type TradingHarness } from "./orders-harness.ts";

let h: TradingHarness;
let admin: Client;
const json = async (res: Response) => (await res.json()) as Record<string, any>;

beforeAll(async () => {
  h = await createTradingHarness();
  admin = await signIn(h, "+919999900000");
});
afterAll(async () => {
  await h.close();
});

test("the KYC queue is masked; reveal answers the numbers and writes an audit entry first", async () => {
  const user = await signIn(h);
  const details = kycDetails();
  const submitted = await user.call("POST", "/api/v1/kyc", details);
  expect(submitted.status).toBe(201);
  const { kyc } = await json(submitted);

  const queue = await json(await admin.call("GET", "/api/v1/admin/kyc"));
  const row = queue.requests.find((r: { id: string }) => r.id === kyc.id);
  expect(row.panMasked).toBe(`••••••${details.pan.slice(-4)}`);
  expect(row.bankAccountMasked).toBe(`••••••••${details.bankAccount.slice(-4)}`);
  const body = JSON.stringify(queue);
  expect(body).not.toContain(details.pan);
  expect(body).not.toContain(details.bankAccount);

  const audits = () =>
    h.db.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, kyc.id), eq(auditLog.action, "KYC_REVEAL")));
  expect(await audits()).toHaveLength(0);
  // Not for users, and not for an unknown request.
  expect((await user.call("POST", `/api/v1/admin/kyc/${kyc.id}/reveal`)).status).toBe(403);
  expect((await admin.call("POST", `/api/v1/admin/kyc/${crypto.randomUUID()}/reveal`)).status).toBe(404);
  expect(await audits()).toHaveLength(0);

  const revealed = await admin.call("POST", `/api/v1/admin/kyc/${kyc.id}/reveal`);
  expect(revealed.status).toBe(200);
  expect(await json(revealed)).toEqual({ id: kyc.id, pan: details.pan, bankAccount: details.bankAccount });
  const entries = await audits();
  expect(entries.map((e) => [e.actorId, e.targetType, e.data])).toEqual([
    [admin.userId, "kyc_request", { userId: user.userId }],
  ]);
});

test("users list positions with their market's title; the settlement preview totals the escrow", async () => {
  const created = await json(
    await admin.call("POST", "/api/v1/admin/markets", {
      title: "Will the admin see this title?",
      category: "test",
      closeAt: Date.now() + 3_600_000,
    }),
  );
  const marketId = created.market.id as string;
  await h.settle();
  const alice = await signIn(h);
  const bob = await signIn(h);
  await h.settle(); // the signup bonuses reach the engine
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

  const users = await json(
    await admin.call("GET", `/api/v1/admin/users?q=${encodeURIComponent(alice.phone)}`),
  );
  expect(users.users[0].positions).toEqual([
    { marketId, title: "Will the admin see this title?", yes: 2, no: 0, yesCostPaise: 1200, noCostPaise: 0 },
  ]);

  // Two minted pairs: YES pays 2 × ₹10, NO the same, VOID ₹5 on each of 4 shares.
  const preview = await json(await admin.call("GET", `/api/v1/admin/markets/${marketId}/settlement`));
  expect(preview).toEqual({
    marketId,
    status: "OPEN",
    winningShares: 2,
    payoutPerSharePaise: 1000,
    totalPaise: 2000,
  });
  expect((await alice.call("GET", `/api/v1/admin/markets/${marketId}/settlement`)).status).toBe(403);
  expect((await admin.call("GET", "/api/v1/admin/markets/no-such-market/settlement")).status).toBe(404);
});
