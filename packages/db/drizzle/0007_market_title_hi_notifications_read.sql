ALTER TABLE "users" ADD COLUMN "notifications_read_at" bigint;--> statement-breakpoint
ALTER TABLE "markets" ADD COLUMN "title_hi" text;