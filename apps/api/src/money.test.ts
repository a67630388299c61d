import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createAccountsRepo, createKycRepo, createPaymentsRepo } from "@ox/db";
import { signWebhook } from "./payments/gateway.ts";
import { type Client, createHarness, type Harness, kycDetails, request, signIn } from "./test-harness.ts";

let h: Harness;
let admin: Client;
beforeAll(async () => {
  h = await createHarness({
    config: { ADMIN_PHONES: ["+919999900000", "+919999900001"] },
    payouts: {
      name: "sandbox",
      payout: async ({ amountPaise }) =>
        amountPaise === 777 ? { ok: false, reason: "bank rejected" } : { ok: true, payoutRef: "po" },
    },
  });
  admin = await signIn(h, "+919999900000", "10.1.0.1");
});
afterAll(async () => {
  await h.close();
});

const code = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code;

async function verifiedUser(): Promise<Client> {
  const c = await signIn(h);
  const r = await c.call("POST", "/api/v1/kyc", kycDetails());
  expect(r.status).toBe(201);
  const { kyc } = (await r.json()) as { kyc: { id: string } };
  expect(
    (await admin.call("POST", `/api/v1/admin/kyc/${kyc.id}/decision`, { status: "VERIFIED" })).status,
  ).toBe(200);
  return c;
}

describe("deposits", () => {
  test("sandbox confirms at once: ledger, wallet, engine credit", async () => {
    const c = await signIn(h);
    const r = await c.call("POST", "/api/v1/wallet/deposits", { amountPaise: 25_000 });
    expect(r.status).toBe(201);
    expect(((await r.json()) as { deposit: { status: string } }).deposit.status).toBe("CONFIRMED");
    const tx = (await (await c.call("GET", "/api/v1/wallet/transactions")).json()) as {
      balancePaise: number;
      entries: { kind: string }[];
    };
    expect(tx.balancePaise).toBe(26_500);
    expect(tx.entries.map((e) => e.kind)).toEqual(["DEPOSIT", "BONUS"]);
    await h.settle();
    expect(h.engine.account(c.userId)?.availablePaise).toBe(26_500);
  });

  test("min, max and malformed amounts are refused", async () => {
    const c = await signIn(h);
    expect(await code(await c.call("POST", "/api/v1/wallet/deposits", { amountPaise: 99 }))).toBe(
      "AMOUNT_TOO_SMALL",
    );
    expect(await code(await c.call("POST", "/api/v1/wallet/deposits", { amountPaise: 10_000_001 }))).toBe(
      "AMOUNT_TOO_LARGE",
    );
    for (const amount of [10.5, -5, 0, "100", null]) {
      expect((await c.call("POST", "/api/v1/wallet/deposits", { amountPaise: amount })).status).toBe(400);
    }
    expect((await request(h, "POST", "/api/v1/wallet/deposits", { amountPaise: 500 })).status).toBe(401);
  });

  test("a method is optional and validated; GET /wallet/deposits lists PENDING until confirmed", async () => {
    const c = await signIn(h);
    const card = await c.call("POST", "/api/v1/wallet/deposits", { amountPaise: 2_000, method: "CARD" });
    expect(card.status).toBe(201);
    const bad = await c.call("POST", "/api/v1/wallet/deposits", { amountPaise: 2_000, method: "CASH" });
    expect(bad.status).toBe(400);
    const pending = await createPaymentsRepo(h.db.db).createDeposit({
      userId: c.userId,
      amountPaise: 3_000,
      gateway: "sandbox",
      now: h.clock.now() + 1,
    });
    const r = await c.call("GET", "/api/v1/wallet/deposits");
    expect(r.status).toBe(200);
    const { deposits } = (await r.json()) as {
      deposits: { id: string; amountPaise: number; status: string }[];
    };
    expect(deposits.map((d) => [d.amountPaise, d.status])).toEqual([
      [3_000, "PENDING"],
      [2_000, "CONFIRMED"],
    ]);
    expect(deposits[0]?.id).toBe(pending.id);
    const other = await signIn(h);
    expect(
      ((await (await other.call("GET", "/api/v1/wallet/deposits")).json()) as { deposits: [] }).deposits,
    ).toEqual([]);
    expect((await request(h, "GET", "/api/v1/wallet/deposits")).status).toBe(401);
  });

  test("webhook: signature checked, applied once, amount must match", async () => {
    const c = await signIn(h);
    const payments = createPaymentsRepo(h.db.db);
    const dep = await payments.createDeposit({
      userId: c.userId,
      amountPaise: 5_000,
      gateway: "sandbox",
      now: h.clock.now(),
    });
    const body = JSON.stringify({ depositId: dep.id, gatewayRef: "g-1", status: "SUCCESS", amount: 5_000 });
    const post = (raw: string, sig: string) =>
      request(h, "POST", "/api/v1/webhooks/payments", raw, {
        "content-type": "application/json",
        "x-ox-signature": sig,
      });
    expect((await post(body, "sha256=00")).status).toBe(401);
    expect((await post(body, signWebhook("wrong-secret-wrong-secret", body))).status).toBe(401);
    const secret = h.deps.config.PAYMENT_WEBHOOK_SECRET;
    const bad = JSON.stringify({ depositId: dep.id, gatewayRef: "g-1", status: "SUCCESS", amount: 6_000 });
    expect((await post(bad, signWebhook(secret, bad))).status).toBe(400);
    const first = await post(body, signWebhook(secret, body));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ applied: true });
    const replay = await post(body, signWebhook(secret, body));
    expect(await replay.json()).toEqual({ applied: false });
    expect((await createAccountsRepo(h.db.db).wallet(c.userId))?.balancePaise).toBe(6_500);
  });
});

describe("withdrawals", () => {
  test("need VERIFIED KYC", async () => {
    const c = await signIn(h);
    const r = await c.call("POST", "/api/v1/wallet/withdrawals", { amountPaise: 500 });
    expect(r.status).toBe(403);
    expect(await code(r)).toBe("KYC_REQUIRED");
  });

  test("engine reserves first; paid; limits; insufficient funds; failed payout refunded through the engine", async () => {
    const c = await verifiedUser();
    await h.settle();
    const ok = await c.call("POST", "/api/v1/wallet/withdrawals", { amountPaise: 500 });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { withdrawal: { status: string } }).withdrawal.status).toBe("PAID");
    expect(h.engine.account(c.userId)?.availablePaise).toBe(1_000);
    expect(await code(await c.call("POST", "/api/v1/wallet/withdrawals", { amountPaise: 99 }))).toBe(
      "AMOUNT_TOO_SMALL",
    );
    expect(await code(await c.call("POST", "/api/v1/wallet/withdrawals", { amountPaise: 1_000_001 }))).toBe(
      "AMOUNT_TOO_LARGE",
    );
    const short = await c.call("POST", "/api/v1/wallet/withdrawals", { amountPaise: 1_001 });
    expect(short.status).toBe(422);
    expect(await code(short)).toBe("INSUFFICIENT_FUNDS");
    const failed = await c.call("POST", "/api/v1/wallet/withdrawals", { amountPaise: 777 });
    expect(((await failed.json()) as { withdrawal: { status: string } }).withdrawal.status).toBe("REFUNDED");
    await h.settle();
    expect(h.engine.account(c.userId)?.availablePaise).toBe(1_000);
    expect((await createAccountsRepo(h.db.db).wallet(c.userId))?.balancePaise).toBe(1_000);
  });

  test("200 concurrent withdrawals on one wallet never overdraw it", async () => {
    const c = await verifiedUser();
    expect((await c.call("POST", "/api/v1/wallet/deposits", { amountPaise: 8_500 })).status).toBe(201);
    await h.settle();
    expect(h.engine.account(c.userId)?.availablePaise).toBe(10_000);
    const results = await Promise.all(
      Array.from({ length: 200 }, () => c.call("POST", "/api/v1/wallet/withdrawals", { amountPaise: 100 })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBe(100);
    expect(statuses.filter((s) => s === 422).length).toBe(100);
    expect(h.engine.account(c.userId)).toEqual({ availablePaise: 0, lockedPaise: 0 });
    expect((await createAccountsRepo(h.db.db).wallet(c.userId))?.balancePaise).toBe(0);
    const rows = await createPaymentsRepo(h.db.db).withdrawalsOf(c.userId, 500);
    expect(rows.filter((w) => w.status === "PAID").length).toBe(100);
    expect(rows.filter((w) => w.status === "REJECTED").length).toBe(100);
  });
});

describe("referrals", () => {
  test("unknown, self, exactly one of 200 concurrent redemptions; credited on the first qualifying deposit", async () => {
    const referrer = await signIn(h);
    const referee = await signIn(h);
    const { code: refCode } = (await (await referrer.call("GET", "/api/v1/referrals")).json()) as {
      code: string;
    };
    expect(await code(await referee.call("POST", "/api/v1/referrals/redeem", { code: "ZZZZ9999" }))).toBe(
      "REFERRAL_CODE_UNKNOWN",
    );
    expect(await code(await referrer.call("POST", "/api/v1/referrals/redeem", { code: refCode }))).toBe(
      "REFERRAL_SELF",
    );
    const results = await Promise.all(
      Array.from({ length: 200 }, () => referee.call("POST", "/api/v1/referrals/redeem", { code: refCode })),
    );
    const accepted = results.filter((r) => r.status === 200);
    expect(accepted.length).toBe(1);
    expect(results.filter((r) => r.status === 409).length).toBe(199);
    expect(await accepted[0]?.json()).toEqual({
      ok: true,
      referrerBonusPaise: 500,
      rewarded: false,
      qualifyingDepositPaise: 10_000,
    });
    const mine = async () =>
      (await (await referrer.call("GET", "/api/v1/referrals")).json()) as {
        referrals: { rewardedAt: number | null }[];
        totalBonusPaise: number;
      };
    expect((await mine()).referrals.length).toBe(1);
    // The card shows what a referral is worth before anyone redeems: the configured bonus.
    expect(
      (await (await referrer.call("GET", "/api/v1/referrals")).json()) as Record<string, unknown>,
    ).toMatchObject({ rewardPaise: 500, qualifyingDepositPaise: 10_000 });
    // Nothing to withdraw for a code alone: the reward waits for the referee to fund the account.
    expect((await mine()).totalBonusPaise).toBe(0);
    await h.settle();
    expect(h.engine.account(referrer.userId)?.availablePaise).toBe(1_500);
    expect((await referee.call("POST", "/api/v1/wallet/deposits", { amountPaise: 9_999 })).status).toBe(201);
    await h.settle();
    expect(h.engine.account(referrer.userId)?.availablePaise).toBe(1_500);
    expect((await referee.call("POST", "/api/v1/wallet/deposits", { amountPaise: 10_000 })).status).toBe(201);
    expect((await referee.call("POST", "/api/v1/wallet/deposits", { amountPaise: 10_000 })).status).toBe(201);
    expect((await mine()).totalBonusPaise).toBe(500);
    expect((await mine()).referrals[0]?.rewardedAt).toBe(h.clock.now());
    await h.settle();
    expect(h.engine.account(referrer.userId)?.availablePaise).toBe(2_000);
    expect(
      ((await (await referee.call("GET", "/api/v1/referrals")).json()) as { redeemed: boolean }).redeemed,
    ).toBe(true);
  });
});

describe("KYC and admin", () => {
  test("validation, PENDING, one live request, masked view", async () => {
    const c = await signIn(h);
    const good = { pan: "ABCDE1234F", name: "Asha Rao", bankAccount: "123456789012", ifsc: "HDFC0001234" };
    for (const bad of [
      { ...good, pan: "ABCD1234F" },
      { ...good, pan: "1BCDE1234F" },
      { ...good, ifsc: "HDFC1001234" },
      { ...good, bankAccount: "12ab" },
      { ...good, name: "" },
      { ...good, extra: 1 },
    ]) {
      expect((await c.call("POST", "/api/v1/kyc", bad)).status).toBe(400);
    }
    const r = await c.call("POST", "/api/v1/kyc", good);
    expect(r.status).toBe(201);
    expect(await code(await c.call("POST", "/api/v1/kyc", good))).toBe("KYC_EXISTS");
    const view = (await (await c.call("GET", "/api/v1/kyc")).json()) as {
      kyc: { status: string; panMasked: string; bankAccountMasked: string };
    };
    expect(view.kyc.status).toBe("PENDING");
    expect(view.kyc.panMasked).toBe("••••••234F");
    expect(view.kyc.bankAccountMasked.endsWith("9012")).toBe(true);
    expect(JSON.stringify(view)).not.toContain("123456789012");
  });

  test("a PAN or bank account on another user's live request is refused; of concurrent ones, one wins", async () => {
    const first = await signIn(h);
    const mine = kycDetails();
    expect((await first.call("POST", "/api/v1/kyc", mine)).status).toBe(201);
    const second = await signIn(h);
    const samePan = await second.call("POST", "/api/v1/kyc", {
      ...kycDetails(),
      pan: mine.pan.toLowerCase(),
    });
    expect(samePan.status).toBe(409);
    expect(await code(samePan)).toBe("KYC_PAN_IN_USE");
    const sameBank = await second.call("POST", "/api/v1/kyc", {
      ...kycDetails(),
      bankAccount: mine.bankAccount,
    });
    expect(sameBank.status).toBe(409);
    expect(await code(sameBank)).toBe("KYC_BANK_ACCOUNT_IN_USE");
    expect(((await (await second.call("GET", "/api/v1/kyc")).json()) as { kyc: unknown }).kyc).toBeNull();

    const racers = await Promise.all([signIn(h), signIn(h)]);
    const shared = kycDetails();
    const answers = await Promise.all(
      racers.map((c, i) => c.call("POST", "/api/v1/kyc", { ...shared, bankAccount: `8${i}0000000000` })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  test("an admin cannot decide their own KYC request (403), another admin can", async () => {
    const own = await admin.call("POST", "/api/v1/kyc", kycDetails());
    expect(own.status).toBe(201);
    const { kyc } = (await own.json()) as { kyc: { id: string } };
    const self = await admin.call("POST", `/api/v1/admin/kyc/${kyc.id}/decision`, { status: "VERIFIED" });
    expect(self.status).toBe(403);
    expect(await code(self)).toBe("KYC_SELF_DECISION");
    expect(
      ((await (await admin.call("GET", "/api/v1/kyc")).json()) as { kyc: { status: string } }).kyc.status,
    ).toBe("PENDING");
    const other = await signIn(h, "+919999900001", "10.1.0.2");
    expect(
      (await other.call("POST", `/api/v1/admin/kyc/${kyc.id}/decision`, { status: "VERIFIED" })).status,
    ).toBe(200);
  });

  test("non-admins get 403 on every admin route; anonymous 401", async () => {
    const c = await signIn(h);
    const id = crypto.randomUUID();
    const routes: [string, string, unknown?][] = [
      ["GET", "/api/v1/admin/kyc"],
      ["POST", `/api/v1/admin/kyc/${id}/decision`, { status: "VERIFIED" }],
    ];
    for (const [method, path, body] of routes) {
      const r = await c.call(method, path, body);
      expect(r.status).toBe(403);
      expect(await code(r)).toBe("FORBIDDEN");
      expect((await request(h, method, path, body)).status).toBe(401);
    }
  });

  test("admin queue and decision with audit; decided once; unknown 404; users see only their own", async () => {
    const a = await signIn(h);
    const b = await signIn(h);
    const { kyc } = (await (
      await a.call("POST", "/api/v1/kyc", { ...kycDetails(), pan: "ABCDE1235F" })
    ).json()) as { kyc: { id: string } };
    const queue = (await (await admin.call("GET", "/api/v1/admin/kyc")).json()) as {
      requests: { id: string; panMasked: string }[];
    };
    expect(queue.requests.find((r) => r.id === kyc.id)?.panMasked).toBe("••••••235F");
    expect(((await (await b.call("GET", "/api/v1/kyc")).json()) as { kyc: unknown }).kyc).toBeNull();
    expect(
      (await admin.call("POST", `/api/v1/admin/kyc/${kyc.id}/decision`, { status: "REJECTED" })).status,
    ).toBe(400);
    const d = await admin.call("POST", `/api/v1/admin/kyc/${kyc.id}/decision`, {
      status: "REJECTED",
      reason: "name mismatch",
    });
    expect(d.status).toBe(200);
    expect(
      await code(await admin.call("POST", `/api/v1/admin/kyc/${kyc.id}/decision`, { status: "VERIFIED" })),
    ).toBe("KYC_NOT_PENDING");
    expect(
      (await admin.call("POST", `/api/v1/admin/kyc/${crypto.randomUUID()}/decision`, { status: "VERIFIED" }))
        .status,
    ).toBe(404);
    expect(
      (await admin.call("POST", "/api/v1/admin/kyc/not-a-uuid/decision", { status: "VERIFIED" })).status,
    ).toBe(400);
    const audit = await createKycRepo(h.db.db).auditFor("kyc_request", kyc.id);
    expect(audit.map((x) => [x.action, x.actorId])).toEqual([["KYC_REJECTED", admin.userId]]);
    const status = (await (await a.call("GET", "/api/v1/kyc")).json()) as {
      kyc: { status: string; reason: string };
    };
    expect(status.kyc).toMatchObject({ status: "REJECTED", reason: "name mismatch" });
  });
});
