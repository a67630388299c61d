ALTER TABLE "orders" ADD COLUMN "expires_at" bigint;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "stp" text DEFAULT 'CANCEL_RESTING' NOT NULL;