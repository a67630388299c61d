ALTER TABLE "referrals" ADD COLUMN "rewarded_at" bigint;--> statement-breakpoint
-- Until this migration every referral was credited when the code was redeemed.
UPDATE "referrals" SET "rewarded_at" = "created_at";--> statement-breakpoint
-- A live request that reuses a PAN or bank account of an earlier live request is rejected, so the
-- unique indexes below can be built on a database that already holds farmed accounts.
UPDATE "kyc_requests" AS k SET "status" = 'REJECTED', "reason" = 'duplicate PAN (migration 0004)', "decided_at" = (extract(epoch from now()) * 1000)::bigint
WHERE k."status" in ('PENDING', 'VERIFIED') AND EXISTS (
  SELECT 1 FROM "kyc_requests" e WHERE e."status" in ('PENDING', 'VERIFIED') AND e."pan" = k."pan"
  AND (e."created_at", e."id") < (k."created_at", k."id"));--> statement-breakpoint
UPDATE "kyc_requests" AS k SET "status" = 'REJECTED', "reason" = 'duplicate bank account (migration 0004)', "decided_at" = (extract(epoch from now()) * 1000)::bigint
WHERE k."status" in ('PENDING', 'VERIFIED') AND EXISTS (
  SELECT 1 FROM "kyc_requests" e WHERE e."status" in ('PENDING', 'VERIFIED') AND e."bank_account" = k."bank_account"
  AND left(e."ifsc", 4) = left(k."ifsc", 4) AND (e."created_at", e."id") < (k."created_at", k."id"));--> statement-breakpoint
CREATE UNIQUE INDEX "kyc_pan_live" ON "kyc_requests" USING btree ("pan") WHERE "kyc_requests"."status" in ('PENDING', 'VERIFIED');--> statement-breakpoint
CREATE UNIQUE INDEX "kyc_bank_account_live" ON "kyc_requests" USING btree (left("ifsc", 4),"bank_account") WHERE "kyc_requests"."status" in ('PENDING', 'VERIFIED');
