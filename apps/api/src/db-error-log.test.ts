import { describe, expect, test } from "bun:test";
import { users } from "@ox/db";
import { createTestDb, type TestDbKind } from "@ox/db/testing";
import { createLogger } from "@ox/logger";
import { sql } from "drizzle-orm";
import { createHarness, kycDetails, signIn } from "./test-harness.ts";

/**
 * Issue 9: a failing database write logged its bound parameters (PAN, bank account) through the
 * driver's error. Here the KYC insert fails for real (a constraint no row passes), the app logs the
 * error as any unhandled one, and the log must say what failed without the values.
 */
for (const kind of ["pglite", "postgres"] as TestDbKind[]) {
  describe(`a failing write's log on ${kind}`, () => {
    test("names the statement, never the PAN, bank account or phone it carried", async () => {
      const lines: string[] = [];
      const logger = createLogger({ destination: { write: (l: string) => void lines.push(l) } });
      const h = await createHarness({ db: await createTestDb(kind), logger });
      try {
        const c = await signIn(h);
        await h.db.db.execute(sql`alter table kyc_requests add constraint no_rows check (pan <> pan)`);
        const details = kycDetails();
        lines.length = 0;
        const res = await c.call("POST", "/api/v1/kyc", details);
        expect(res.status).toBe(500);

        // A unique violation: the driver's own error (the cause) echoes the phone in `detail`.
        const failed = await h.db.db
          .insert(users)
          .values({ phone: c.phone, referralCode: "DUPCODE1", createdAt: 1 } as never)
          .catch((err: unknown) => err);
        expect(failed).toBeInstanceOf(Error);
        logger.error({ err: failed }, "insert failed");
        logger.error({ err: (failed as Error).cause }, "driver error");

        const out = lines.join("");
        expect(out).toContain("unhandled error");
        expect(out).toContain("kyc_requests");
        expect(out).toContain("users_phone_unique");
        for (const secret of [details.pan, details.bankAccount, c.phone, c.phone.slice(1)])
          expect(out).not.toContain(secret);
        expect(out).toContain("[redacted]");
      } finally {
        await h.close();
      }
    }, 60_000); // a fresh PGlite takes seconds to open on a loaded machine
  });
}
