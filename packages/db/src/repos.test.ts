import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestDb, type TestDbKind } from "@ox/db/testing";
import { eq, sql } from "drizzle-orm";
import type { DbHandle } from "./client.ts";
import {
  appendLedgerEntry,
  consumerOffsets,
  createAccountsRepo,
  createKycRepo,
  createOutboxRepo,
  createPaymentsRepo,
  createWithdrawalsRepo,
  ledgerEntries,
  sumLedger,
  trades,
  wallets,
} from "./index.ts";
import type { OutboxCommand } from "./repos/ledger.ts";

// One suite, two drivers (STYLE §3): embedded PGlite and the real Postgres server.
for (const kind of ["pglite", "pglite-remote", "postgres"] as TestDbKind[]) {
  describe(`repositories on ${kind}`, () => {
    let h: DbHandle;
    let phoneN = 0;
    const phone = () => `+9190000${String(++phoneN).padStart(5, "0")}`;
    const login = (role: "USER" | "ADMIN" = "USER", p = phone()) =>
      createAccountsRepo(h.db).loginByPhone({ phone: p, role, signupBonusPaise: 1500, now: 1_000 });

    beforeAll(async () => {
      h = await createTestDb(kind);
    });
    afterAll(async () => {
      await h?.close();
    });

    test("first login creates user, wallet, bonus ledger entry and ordered outbox rows, once", async () => {
      const p = phone();
      const first = await login("USER", p);
      const again = await login("USER", p);
      expect(first.created).toBe(true);
      expect(again.created).toBe(false);
      expect(again.user.id).toBe(first.user.id);
      expect(first.user.referralCode).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
      const accounts = createAccountsRepo(h.db);
      expect((await accounts.wallet(first.user.id))?.balancePaise).toBe(1500);
      const entries = await accounts.transactions(first.user.id, 10);
      expect(entries.map((e) => [e.kind, e.amountPaise, e.balanceAfterPaise])).toEqual([
        ["BONUS", 1500, 1500],
      ]);
      const rows = await createOutboxRepo(h.db).forUser(first.user.id);
      expect(rows.map((r) => r.command.type)).toEqual(["CREATE_USER", "CREDIT"]);
      expect(rows[1]?.command).toMatchObject({ amountPaise: 1500, kind: "BONUS", ref: rows[1]?.id });
    });

    test("concurrent first logins of one phone make one user", async () => {
      const p = phone();
      const results = await Promise.all(Array.from({ length: 20 }, () => login("USER", p)));
      expect(new Set(results.map((r) => r.user.id)).size).toBe(1);
      expect(results.filter((r) => r.created).length).toBe(1);
    });

    test("role follows configuration on every login", async () => {
      const p = phone();
      await login("USER", p);
      expect((await login("ADMIN", p)).user.role).toBe("ADMIN");
      expect((await login("USER", p)).user.role).toBe("USER");
    });

    test("ledger is append-only and references are unique", async () => {
      const { user } = await login();
      const entry = await h.db.transaction((tx) =>
        appendLedgerEntry(tx, {
          userId: user.id,
          kind: "ADJUSTMENT",
          amountPaise: 25,
          reference: `adj:${user.id}`,
          now: 2,
        }),
      );
      expect(entry?.balanceAfterPaise).toBe(1525);
      const replay = await h.db.transaction((tx) =>
        appendLedgerEntry(tx, {
          userId: user.id,
          kind: "ADJUSTMENT",
          amountPaise: 25,
          reference: `adj:${user.id}`,
          now: 3,
        }),
      );
      expect(replay).toBeNull();
      await expect(
        h.db.update(ledgerEntries).set({ amountPaise: 1 }).where(eq(ledgerEntries.userId, user.id)).execute(),
      ).rejects.toThrow();
      await expect(
        h.db.delete(ledgerEntries).where(eq(ledgerEntries.userId, user.id)).execute(),
      ).rejects.toThrow();
      expect(await sumLedger(h.db, user.id)).toBe(1525);
    });

    test("concurrent ledger appends keep balance_after exact", async () => {
      const { user } = await login();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          h.db.transaction((tx) =>
            appendLedgerEntry(tx, {
              userId: user.id,
              kind: "DEPOSIT",
              amountPaise: 10,
              reference: `c:${user.id}:${i}`,
              now: i,
            }),
          ),
        ),
      );
      const [w] = await h.db.select().from(wallets).where(eq(wallets.userId, user.id));
      expect(w?.balancePaise).toBe(2000);
      const after = (await createAccountsRepo(h.db).transactions(user.id, 100))
        .map((e) => e.balanceAfterPaise)
        .sort((a, b) => a - b);
      expect(after).toEqual(Array.from({ length: 51 }, (_, i) => 1500 + i * 10));
    });

    test("referral: unknown, self, exactly one of 200 concurrent redemptions, reward on the first qualifying deposit", async () => {
      const accounts = createAccountsRepo(h.db);
      const payments = createPaymentsRepo(h.db);
      const referrer = (await login()).user;
      const referee = (await login()).user;
      const min = 10_000;
      expect(await accounts.redeemReferral(referee.id, "NOPE2345", 500, 5, min)).toEqual({
        ok: false,
        code: "REFERRAL_CODE_UNKNOWN",
      });
      expect(await accounts.redeemReferral(referrer.id, referrer.referralCode, 500, 5, min)).toEqual({
        ok: false,
        code: "REFERRAL_SELF",
      });
      const results = await Promise.all(
        Array.from({ length: 200 }, () =>
          accounts.redeemReferral(referee.id, referrer.referralCode.toLowerCase(), 500, 6, min),
        ),
      );
      expect(results.filter((r) => r.ok).length).toBe(1);
      expect(results.filter((r) => !r.ok && r.code === "REFERRAL_ALREADY_REDEEMED").length).toBe(199);
      expect(results.find((r) => r.ok)).toMatchObject({ ok: true, rewarded: false });
      // Nothing for the referrer until the referee funds the account.
      expect((await accounts.wallet(referrer.id))?.balancePaise).toBe(1500);
      const deposit = async (amountPaise: number, now: number) => {
        const dep = await payments.createDeposit({
          userId: referee.id,
          amountPaise,
          gateway: "sandbox",
          now,
        });
        return payments.confirmDeposit(dep.id, `g-${dep.id}`, now, { referralMinDepositPaise: min });
      };
      await deposit(min - 1, 7);
      expect((await accounts.wallet(referrer.id))?.balancePaise).toBe(1500);
      await Promise.all([deposit(min, 8), deposit(min + 5, 8), deposit(min * 3, 8)]);
      expect((await accounts.wallet(referrer.id))?.balancePaise).toBe(2000);
      expect((await accounts.referralsOf(referrer.id)).map((r) => r.rewardedAt)).toEqual([8]);
      expect(
        (await createOutboxRepo(h.db).forUser(referrer.id)).filter((r) => r.command.type === "CREDIT").length,
      ).toBe(2);
      expect((await accounts.findById(referee.id))?.isNew).toBe(false);
      // the referrer cannot now redeem the referee's code back
      expect(await accounts.redeemReferral(referrer.id, referee.referralCode, 500, 9, min)).toEqual({
        ok: false,
        code: "REFERRAL_SELF",
      });
    });

    test("referral redeemed after a qualifying deposit is rewarded at once; racing a deposit, exactly once", async () => {
      const accounts = createAccountsRepo(h.db);
      const payments = createPaymentsRepo(h.db);
      const referrer = (await login()).user;
      const funded = (await login()).user;
      const dep = await payments.createDeposit({
        userId: funded.id,
        amountPaise: 20_000,
        gateway: "sandbox",
        now: 5,
      });
      await payments.confirmDeposit(dep.id, "g-early", 5, { referralMinDepositPaise: 10_000 });
      expect(await accounts.redeemReferral(funded.id, referrer.referralCode, 500, 6, 10_000)).toMatchObject({
        ok: true,
        rewarded: true,
      });
      for (let i = 0; i < 5; i++) {
        const racer = (await login()).user;
        const d = await payments.createDeposit({
          userId: racer.id,
          amountPaise: 10_000,
          gateway: "sandbox",
          now: 7,
        });
        await Promise.all([
          accounts.redeemReferral(racer.id, referrer.referralCode, 500, 7, 10_000),
          payments.confirmDeposit(d.id, `g-race-${i}`, 7, { referralMinDepositPaise: 10_000 }),
        ]);
      }
      const rewarded = (await accounts.referralsOf(referrer.id)).filter((r) => r.rewardedAt !== null);
      expect(rewarded.length).toBe(6);
      expect((await accounts.wallet(referrer.id))?.balancePaise).toBe(1500 + 6 * 500);
    });

    test("deposit confirmation is idempotent", async () => {
      const { user } = await login();
      const payments = createPaymentsRepo(h.db);
      const dep = await payments.createDeposit({
        userId: user.id,
        amountPaise: 10_000,
        gateway: "sandbox",
        now: 9,
      });
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          payments.confirmDeposit(dep.id, "g1", 10, { referralMinDepositPaise: 10_000 }),
        ),
      );
      expect(results.filter((r) => r.applied).length).toBe(1);
      expect((await createAccountsRepo(h.db).wallet(user.id))?.balancePaise).toBe(11_500);
      expect(await payments.failDeposit(dep.id, "g1", 11)).toBe(false);
    });

    test("withdrawal record, paid, refund once", async () => {
      const { user } = await login();
      const payments = createPaymentsRepo(h.db);
      const accounts = createAccountsRepo(h.db);
      const id = crypto.randomUUID();
      await payments.recordWithdrawal({ id, userId: user.id, amountPaise: 1000, now: 12 });
      expect((await accounts.wallet(user.id))?.balancePaise).toBe(500);
      const refunds = await Promise.all([1, 2, 3].map(() => payments.refundWithdrawal(id, "bank down", 13)));
      expect(refunds.filter(Boolean).length).toBe(1);
      expect(await payments.markWithdrawalPaid(id, "p", 14)).toBe(false);
      expect((await accounts.wallet(user.id))?.balancePaise).toBe(1500);
      const credits = (await createOutboxRepo(h.db).forUser(user.id)).filter(
        (r) => r.command.type === "CREDIT",
      );
      expect(credits.map((r) => (r.command as { kind: string }).kind)).toEqual(["BONUS", "REFUND"]);
    });

    test("withdrawal: REQUESTED without money, claimed once with backoff, reserved or rejected once", async () => {
      const { user } = await login();
      const repo = createWithdrawalsRepo(h.db);
      const accounts = createAccountsRepo(h.db);
      const a = await repo.request({
        id: crypto.randomUUID(),
        userId: user.id,
        amountPaise: 400,
        now: 20,
        sweepAfter: 30,
      });
      const b = await repo.request({
        id: crypto.randomUUID(),
        userId: user.id,
        amountPaise: 300,
        now: 20,
        sweepAfter: 30,
      });
      expect(a.status).toBe("REQUESTED");
      expect((await accounts.wallet(user.id))?.balancePaise).toBe(1500);
      const claim = { limit: 10, baseBackoffMs: 100, maxBackoffMs: 250 };
      expect(await repo.claimDue({ ...claim, now: 29 })).toEqual([]);
      const claimed = await Promise.all([1, 2, 3].map(() => repo.claimDue({ ...claim, now: 30 })));
      const ids = claimed.flat().map((w) => w.id);
      expect(ids.sort()).toEqual([a.id, b.id].sort());
      expect(claimed.flat().map((w) => [w.attempts, w.nextAttemptAt])).toEqual([
        [1, 130],
        [1, 130],
      ]);
      expect(await repo.claimDue({ ...claim, now: 129 })).toEqual([]);
      expect((await repo.claimDue({ ...claim, now: 130 })).map((w) => w.nextAttemptAt)).toEqual([330, 330]);
      expect((await repo.claimDue({ ...claim, now: 1_000 })).map((w) => w.nextAttemptAt)).toEqual([
        1_250, 1_250,
      ]);
      const reserves = await Promise.all([1, 2, 3].map(() => repo.reserve(a.id, 40)));
      expect(reserves.filter((r) => r.applied).length).toBe(1);
      expect(reserves.map((r) => r.withdrawal.status)).toEqual(["RESERVED", "RESERVED", "RESERVED"]);
      expect((await repo.reject(a.id, "INSUFFICIENT_FUNDS", 41)).applied).toBe(false);
      expect((await repo.reject(b.id, "INSUFFICIENT_FUNDS", 41)).withdrawal.status).toBe("REJECTED");
      expect(await repo.claimDue({ ...claim, now: 10_000 })).toEqual([]);
      expect((await accounts.wallet(user.id))?.balancePaise).toBe(1100);
      const entries = await accounts.transactions(user.id, 10);
      expect(entries.filter((e) => e.kind === "WITHDRAWAL").map((e) => e.reference)).toEqual([`wd:${a.id}`]);
    });

    test("kyc: one live request, decision once with audit", async () => {
      const kyc = createKycRepo(h.db);
      const { user } = await login();
      const admin = (await login("ADMIN")).user;
      const input = {
        userId: user.id,
        pan: "ABCDE1234F",
        name: "A B",
        bankAccount: "123456789",
        ifsc: "HDFC0001234",
        now: 20,
      };
      const submitted = await kyc.submit(input);
      if (!submitted.ok) throw new Error(submitted.code);
      const req = submitted.request;
      expect(req.status).toBe("PENDING");
      expect(await kyc.submit({ ...input, now: 21 })).toEqual({ ok: false, code: "KYC_EXISTS" });
      expect((await kyc.pending()).some((r) => r.id === req.id)).toBe(true);
      const decided = await Promise.all(
        [1, 2].map(() =>
          kyc.decide({ id: req.id, adminId: admin.id, status: "REJECTED", reason: "blurry", now: 22 }),
        ),
      );
      expect(decided.filter(Boolean).length).toBe(1);
      expect(await kyc.isVerified(user.id)).toBe(false);
      expect((await kyc.auditFor("kyc_request", req.id)).map((a) => a.action)).toEqual(["KYC_REJECTED"]);
      const second = await kyc.submit({ ...input, now: 23 });
      if (!second.ok) throw new Error(second.code);
      await kyc.decide({
        id: second.request.id,
        adminId: admin.id,
        status: "VERIFIED",
        reason: null,
        now: 24,
      });
      expect(await kyc.isVerified(user.id)).toBe(true);
      expect((await kyc.latestFor(user.id))?.id).toBe(second.request.id);
    });

    test("kyc: a PAN or bank account on another user's live request is refused; concurrently, one wins", async () => {
      const kyc = createKycRepo(h.db);
      const admin = (await login("ADMIN")).user;
      const pan = "FARMR1234"; // + a letter: the PAN format (AAAAA9999A)
      const base = { name: "A B", ifsc: "SBIN0001234", now: 30 };
      const users = await Promise.all(Array.from({ length: 10 }, () => login()));
      const racing = await Promise.all(
        users.map(({ user }, i) =>
          kyc.submit({ ...base, userId: user.id, pan: `${pan}Z`, bankAccount: `90000000${i}` }),
        ),
      );
      expect(racing.filter((r) => r.ok).length).toBe(1);
      expect(racing.filter((r) => !r.ok && r.code === "KYC_PAN_IN_USE").length).toBe(9);
      const winner = racing.find((r) => r.ok);
      if (!winner?.ok) throw new Error("no winner");
      const other = (await login()).user;
      // Same bank (SBIN), another branch, same number: the same payout account.
      expect(
        await kyc.submit({
          ...base,
          userId: other.id,
          pan: `${pan}Y`,
          bankAccount: winner.request.bankAccount,
          ifsc: "SBIN0009999",
        }),
      ).toEqual({ ok: false, code: "KYC_BANK_ACCOUNT_IN_USE" });
      // Another bank with the same account number is another account.
      expect(
        (
          await kyc.submit({
            ...base,
            userId: other.id,
            pan: `${pan}Y`,
            bankAccount: winner.request.bankAccount,
            ifsc: "HDFC0001234",
          })
        ).ok,
      ).toBe(true);
      // Once the holder's request is rejected, the PAN may be used by the person it belongs to.
      await kyc.decide({
        id: winner.request.id,
        adminId: admin.id,
        status: "REJECTED",
        reason: "not theirs",
        now: 31,
      });
      const loser = users.find(({ user }) => user.id !== winner.request.userId);
      if (!loser) throw new Error("no loser");
      expect(
        (await kyc.submit({ ...base, userId: loser.user.id, pan: `${pan}Z`, bankAccount: "912345678" })).ok,
      ).toBe(true);
    });

    test("kyc: an admin cannot decide their own request", async () => {
      const kyc = createKycRepo(h.db);
      const admin = (await login("ADMIN")).user;
      const own = await kyc.submit({
        userId: admin.id,
        pan: "SELFA1234Z",
        name: "A B",
        bankAccount: "555555555",
        ifsc: "ICIC0001234",
        now: 40,
      });
      if (!own.ok) throw new Error(own.code);
      expect(
        await kyc.decide({
          id: own.request.id,
          adminId: admin.id,
          status: "VERIFIED",
          reason: null,
          now: 41,
        }),
      ).toBeNull();
      expect((await kyc.find(own.request.id))?.status).toBe("PENDING");
    });

    test("outbox relay delivers in order, stops at a failure, resumes later", async () => {
      const outbox = createOutboxRepo(h.db);
      await h.db.execute(sql`update outbox set status = 'SENT'`);
      const a = (await login()).user;
      const b = (await login()).user;
      const seen: string[] = [];
      let failOn = 2;
      const deliver = async (row: { command: OutboxCommand }) => {
        if (seen.length === failOn) throw new Error("queue down");
        const userId = "userId" in row.command ? row.command.userId : "";
        seen.push(`${row.command.type}:${userId === a.id ? "a" : userId === b.id ? "b" : userId}`);
      };
      expect(await outbox.relayBatch(100, 50, deliver, () => 60)).toEqual({ sent: 2, failed: true });
      expect(await outbox.relayBatch(100, 55, deliver, () => 60)).toEqual({ sent: 0, failed: false });
      failOn = -1;
      expect(await outbox.relayBatch(100, 60, deliver, () => 70)).toEqual({ sent: 2, failed: false });
      expect(seen).toEqual(["CREATE_USER:a", "CREDIT:a", "CREATE_USER:b", "CREDIT:b"]);
      expect(await outbox.pendingCount()).toBe(0);
    });

    test("pipeline tables take idempotent upserts", async () => {
      const row = {
        seq: 7,
        marketId: "m1",
        kind: "MINT" as const,
        qty: 2,
        yesPricePaise: 600,
        makerOrderId: "o1",
        makerUserId: "u1",
        makerOutcome: "YES" as const,
        makerSide: "BUY" as const,
        makerPricePaise: 600,
        makerFeePaise: 0,
        takerOrderId: "o2",
        takerUserId: "u2",
        takerOutcome: "NO" as const,
        takerSide: "BUY" as const,
        takerPricePaise: 400,
        takerFeePaise: 0,
        ts: 1,
      };
      await h.db.insert(trades).values(row).onConflictDoNothing();
      await h.db.insert(trades).values(row).onConflictDoNothing();
      expect((await h.db.select().from(trades)).length).toBe(1);
      await h.db
        .insert(consumerOffsets)
        .values({ name: "persister", offset: 5, updatedAt: 1 })
        .onConflictDoUpdate({ target: consumerOffsets.name, set: { offset: 6 } });
      expect((await h.db.select().from(consumerOffsets))[0]?.offset).toBe(5);
    });
  });
}
