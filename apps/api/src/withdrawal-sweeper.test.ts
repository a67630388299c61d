import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createAccountsRepo, createPaymentsRepo, createWithdrawalsRepo, ledgerEntries } from "@ox/db";
import { eq } from "drizzle-orm";
import { createWithdrawalService, REQUEST_GRACE_MS } from "./routes/withdrawal-service.ts";
import { type Client, createHarness, kycDetails, type QueueHarness, signIn } from "./test-harness.ts";
import { createWithdrawalSweeper } from "./withdrawal-sweeper.ts";

let h: QueueHarness;
let admin: Client;
/** Payout calls per withdrawal id: a finished withdrawal is paid out exactly once. */
const payouts = new Map<string, number>();

beforeAll(async () => {
  h = await createHarness({
    engineTimeoutMs: 500,
    payouts: {
      name: "counting",
      payout: async ({ withdrawalId }) => {
        payouts.set(withdrawalId, (payouts.get(withdrawalId) ?? 0) + 1);
        return { ok: true, payoutRef: `po_${withdrawalId}` };
      },
    },
  });
  admin = await signIn(h, "+919999900000", "10.2.0.1");
});
afterAll(async () => {
  await h.close();
});

const sweeper = () =>
  createWithdrawalSweeper(h.deps, { debitTimeoutMs: 500, baseBackoffMs: 1_000, maxBackoffMs: 4_000 });
type View = { withdrawal: { id: string; status: string } };

async function verifiedUser(depositPaise = 0): Promise<Client> {
  const c = await signIn(h);
  const r = await c.call("POST", "/api/v1/kyc", kycDetails());
  const { kyc } = (await r.json()) as { kyc: { id: string } };
  expect(
    (await admin.call("POST", `/api/v1/admin/kyc/${kyc.id}/decision`, { status: "VERIFIED" })).status,
  ).toBe(200);
  if (depositPaise)
    expect((await c.call("POST", "/api/v1/wallet/deposits", { amountPaise: depositPaise })).status).toBe(201);
  await h.settle();
  return c;
}

async function withdraw(c: Client, amount: number, expected: number) {
  const r = await c.call("POST", "/api/v1/wallet/withdrawals", { amountPaise: amount });
  expect(r.status).toBe(expected);
  return ((await r.json()) as View).withdrawal;
}

const ledgerFor = async (id: string) =>
  h.db.db
    .select()
    .from(ledgerEntries)
    .where(eq(ledgerEntries.reference, `wd:${id}`));
const walletOf = async (userId: string) => (await createAccountsRepo(h.db.db).wallet(userId))?.balancePaise;
const statusOf = async (id: string) => (await createPaymentsRepo(h.db.db).findWithdrawal(id))?.status;
const debitsSent = (id: string) =>
  h.applied.filter((e) => e.command.type === "DEBIT" && e.command.ref === `wd:${id}`).length;

describe("withdrawal sweeper", () => {
  test("the engine applies the DEBIT but its reply is lost: 202 REQUESTED, then the sweeper finishes it once", async () => {
    const c = await verifiedUser();
    h.engineFaults.dropReply = (e) => e.command.type === "DEBIT";
    const w = await withdraw(c, 500, 202);
    h.engineFaults.dropReply = () => false;
    expect(w.status).toBe("REQUESTED");
    expect(h.engine.account(c.userId)?.availablePaise).toBe(1_000);
    expect(await walletOf(c.userId)).toBe(1_500);
    expect(await ledgerFor(w.id)).toEqual([]);

    const s = sweeper();
    expect(await s.sweep()).toBe(0); // still within the request's grace
    h.clock.advance(REQUEST_GRACE_MS);
    expect(await s.sweep()).toBe(1);
    expect(await statusOf(w.id)).toBe("PAID");
    expect((await ledgerFor(w.id)).map((e) => e.amountPaise)).toEqual([-500]);
    expect(payouts.get(w.id)).toBe(1);
    expect(debitsSent(w.id)).toBe(2); // OK, then DUPLICATE: the engine debited once
    expect(h.engine.account(c.userId)?.availablePaise).toBe(1_000);
    expect(await walletOf(c.userId)).toBe(1_000);
    h.clock.advance(60_000);
    expect(await s.sweep()).toBe(0);
  });

  test("the engine is down for a while: REQUESTED, backoff, then finished when it is back", async () => {
    const c = await verifiedUser();
    const s = sweeper();
    h.engineFaults.paused = true;
    const w = await withdraw(c, 300, 202);
    h.clock.advance(REQUEST_GRACE_MS);
    expect(await s.sweep()).toBe(0);
    const row = await createPaymentsRepo(h.db.db).findWithdrawal(w.id);
    expect(row).toMatchObject({ status: "REQUESTED", attempts: 1 });
    expect(row?.lastError).toContain("did not answer");
    expect(await s.sweep()).toBe(0); // backing off: not even claimed
    expect((await createPaymentsRepo(h.db.db).findWithdrawal(w.id))?.attempts).toBe(1);
    h.engineFaults.paused = false;
    await h.settle();
    h.clock.advance(1_000);
    expect(await s.sweep()).toBe(1);
    expect(await statusOf(w.id)).toBe("PAID");
    expect(await ledgerFor(w.id)).toHaveLength(1);
    expect(h.engine.account(c.userId)?.availablePaise).toBe(1_200);
    expect(await walletOf(c.userId)).toBe(1_200);
  });

  test("INSUFFICIENT_FUNDS: REJECTED without a ledger entry, at once or through the sweeper", async () => {
    const c = await verifiedUser();
    const short = await c.call("POST", "/api/v1/wallet/withdrawals", { amountPaise: 1_501 });
    expect(short.status).toBe(422);
    const [rejected] = await createPaymentsRepo(h.db.db).withdrawalsOf(c.userId);
    expect(rejected).toMatchObject({ status: "REJECTED", failureReason: "INSUFFICIENT_FUNDS" });
    expect(await ledgerFor(rejected?.id ?? "")).toEqual([]);

    h.engineFaults.paused = true;
    const a = await withdraw(c, 1_000, 202);
    const b = await withdraw(c, 1_000, 202);
    h.engineFaults.paused = false;
    await h.settle();
    h.clock.advance(REQUEST_GRACE_MS);
    expect(await sweeper().sweep()).toBe(2);
    expect([await statusOf(a.id), await statusOf(b.id)]).toEqual(["PAID", "REJECTED"]);
    expect(await ledgerFor(b.id)).toEqual([]);
    expect(payouts.get(b.id)).toBeUndefined();
    expect(h.engine.account(c.userId)?.availablePaise).toBe(500);
    expect(await walletOf(c.userId)).toBe(500);
  });

  test("two sweepers at once, and two finishers of one row, never double-finish", async () => {
    const c = await verifiedUser(8_500);
    h.engineFaults.dropReply = (e) => e.command.type === "DEBIT";
    const ids = await Promise.all(Array.from({ length: 30 }, async () => (await withdraw(c, 100, 202)).id));
    h.engineFaults.dropReply = () => false;
    const service = createWithdrawalService(h.deps);
    const first = await createWithdrawalsRepo(h.db.db).request({
      id: crypto.randomUUID(),
      userId: c.userId,
      amountPaise: 100,
      now: h.clock.now(),
      sweepAfter: 0,
    });
    const both = await Promise.all([service.resume(first, 2_000), service.resume(first, 2_000)]);
    expect(both.some((w) => w.status === "PAID")).toBe(true);
    expect(payouts.get(first.id)).toBe(1);

    h.clock.advance(REQUEST_GRACE_MS);
    // Three sweepers race for the rows; a DEBIT that outlives its 500 ms timeout on a loaded machine
    // leaves its row REQUESTED for a later pass, so passes go on until every row is finished. A row
    // claimed twice would be counted twice: the sum stays exactly 30 only if each is finished once.
    let finished = 0;
    for (let pass = 0; pass < 20 && finished < 30; pass++) {
      const counts = await Promise.all([sweeper().sweep(), sweeper().sweep(), sweeper().sweep()]);
      finished += counts.reduce((x, y) => x + y, 0);
      h.clock.advance(4_000); // the claim's longest backoff: every unfinished row is due again
    }
    expect(finished).toBe(30);
    for (const id of ids) {
      expect(await statusOf(id)).toBe("PAID");
      expect(await ledgerFor(id)).toHaveLength(1);
      expect(payouts.get(id)).toBe(1);
    }
    expect(h.engine.account(c.userId)?.availablePaise).toBe(10_000 - 3_100);
    expect(await walletOf(c.userId)).toBe(10_000 - 3_100);
  });
});
