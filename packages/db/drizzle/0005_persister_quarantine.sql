CREATE TABLE "persister_quarantine" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"consumer" text NOT NULL,
	"log_offset" bigint NOT NULL,
	"sql_state" text,
	"error" text NOT NULL,
	"record" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "persister_quarantine_offset_idx" ON "persister_quarantine" USING btree ("consumer","log_offset");