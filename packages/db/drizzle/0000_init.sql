CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor_id" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"data" jsonb,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kyc_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"pan" text NOT NULL,
	"name" text NOT NULL,
	"bank_account" text NOT NULL,
	"ifsc" text NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"reason" text,
	"decided_by" text,
	"decided_at" bigint,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount_paise" bigint NOT NULL,
	"balance_after_paise" bigint NOT NULL,
	"reference" text NOT NULL,
	"description" text,
	"created_at" bigint NOT NULL,
	CONSTRAINT "ledger_entries_reference_unique" UNIQUE("reference"),
	CONSTRAINT "ledger_amount_nonzero" CHECK ("ledger_entries"."amount_paise" <> 0)
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"user_id" text NOT NULL,
	"command" jsonb NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" bigint DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"sent_at" bigint,
	CONSTRAINT "outbox_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" text PRIMARY KEY NOT NULL,
	"referrer_id" text NOT NULL,
	"referee_id" text NOT NULL,
	"code" text NOT NULL,
	"bonus_paise" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "referrals_referee_id_unique" UNIQUE("referee_id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"phone" text NOT NULL,
	"role" text DEFAULT 'USER' NOT NULL,
	"referral_code" text NOT NULL,
	"referred_by" text,
	"is_new" boolean DEFAULT true NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "users_phone_unique" UNIQUE("phone"),
	CONSTRAINT "users_referral_code_unique" UNIQUE("referral_code"),
	CONSTRAINT "users_not_self_referred" CHECK ("users"."referred_by" is null or "users"."referred_by" <> "users"."id")
);
--> statement-breakpoint
CREATE TABLE "wallets" (
	"user_id" text PRIMARY KEY NOT NULL,
	"balance_paise" bigint DEFAULT 0 NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "markets" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"category" text NOT NULL,
	"rules" text DEFAULT '' NOT NULL,
	"resolution_source" text DEFAULT '' NOT NULL,
	"tick_paise" integer DEFAULT 50 NOT NULL,
	"max_order_qty" integer DEFAULT 10000 NOT NULL,
	"position_limit" integer DEFAULT 5000 NOT NULL,
	"maker_fee_bps" integer DEFAULT 0 NOT NULL,
	"taker_fee_bps" integer DEFAULT 0 NOT NULL,
	"close_at" bigint NOT NULL,
	"status" text DEFAULT 'OPEN' NOT NULL,
	"outcome" text,
	"last_yes_price_paise" bigint,
	"volume_qty" bigint DEFAULT 0 NOT NULL,
	"pairs" bigint DEFAULT 0 NOT NULL,
	"created_by" text,
	"created_at" bigint NOT NULL,
	"closed_at" bigint,
	"resolved_at" bigint,
	"last_seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deposits" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"amount_paise" bigint NOT NULL,
	"gateway" text NOT NULL,
	"gateway_ref" text,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "withdrawals" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"amount_paise" bigint NOT NULL,
	"status" text DEFAULT 'RESERVED' NOT NULL,
	"payout_ref" text,
	"failure_reason" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consumer_offsets" (
	"name" text PRIMARY KEY NOT NULL,
	"offset" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engine_balances" (
	"user_id" text PRIMARY KEY NOT NULL,
	"available_paise" bigint NOT NULL,
	"locked_paise" bigint NOT NULL,
	"last_seq" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engine_transfers" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"ref" text NOT NULL,
	"user_id" text NOT NULL,
	"direction" text NOT NULL,
	"kind" text,
	"amount_paise" bigint NOT NULL,
	"available_after_paise" bigint NOT NULL,
	"ts" bigint NOT NULL,
	CONSTRAINT "engine_transfers_ref_unique" UNIQUE("ref")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"market_id" text NOT NULL,
	"client_order_id" text,
	"outcome" text NOT NULL,
	"side" text NOT NULL,
	"order_type" text NOT NULL,
	"tif" text NOT NULL,
	"post_only" boolean DEFAULT false NOT NULL,
	"price_paise" integer NOT NULL,
	"qty" integer NOT NULL,
	"filled_qty" integer DEFAULT 0 NOT NULL,
	"filled_value_paise" bigint DEFAULT 0 NOT NULL,
	"fees_paise" bigint DEFAULT 0 NOT NULL,
	"max_cost_paise" bigint,
	"locked_paise" bigint DEFAULT 0 NOT NULL,
	"locked_shares" integer DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"close_reason" text,
	"reject_code" text,
	"accepted_seq" bigint,
	"last_seq" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payouts" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"market_id" text NOT NULL,
	"outcome" text NOT NULL,
	"yes_qty" integer NOT NULL,
	"no_qty" integer NOT NULL,
	"amount_paise" bigint NOT NULL,
	"ts" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "positions" (
	"user_id" text NOT NULL,
	"market_id" text NOT NULL,
	"yes_qty" integer NOT NULL,
	"no_qty" integer NOT NULL,
	"yes_locked_qty" integer NOT NULL,
	"no_locked_qty" integer NOT NULL,
	"yes_cost_paise" bigint NOT NULL,
	"no_cost_paise" bigint NOT NULL,
	"last_seq" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "positions_user_id_market_id_pk" PRIMARY KEY("user_id","market_id")
);
--> statement-breakpoint
CREATE TABLE "trades" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"market_id" text NOT NULL,
	"kind" text NOT NULL,
	"qty" integer NOT NULL,
	"yes_price_paise" integer NOT NULL,
	"maker_order_id" text NOT NULL,
	"maker_user_id" text NOT NULL,
	"maker_outcome" text NOT NULL,
	"maker_side" text NOT NULL,
	"maker_price_paise" integer NOT NULL,
	"maker_fee_paise" bigint NOT NULL,
	"taker_order_id" text NOT NULL,
	"taker_user_id" text NOT NULL,
	"taker_outcome" text NOT NULL,
	"taker_side" text NOT NULL,
	"taker_price_paise" integer NOT NULL,
	"taker_fee_paise" bigint NOT NULL,
	"ts" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_requests" ADD CONSTRAINT "kyc_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_requests" ADD CONSTRAINT "kyc_requests_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_referrer_id_users_id_fk" FOREIGN KEY ("referrer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_referee_id_users_id_fk" FOREIGN KEY ("referee_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_referred_by_users_id_fk" FOREIGN KEY ("referred_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "markets" ADD CONSTRAINT "markets_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deposits" ADD CONSTRAINT "deposits_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_target_idx" ON "audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE UNIQUE INDEX "kyc_one_live_per_user" ON "kyc_requests" USING btree ("user_id") WHERE "kyc_requests"."status" in ('PENDING', 'VERIFIED');--> statement-breakpoint
CREATE INDEX "kyc_status_idx" ON "kyc_requests" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "ledger_entries_user_idx" ON "ledger_entries" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "outbox" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "referrals_referrer_idx" ON "referrals" USING btree ("referrer_id");--> statement-breakpoint
CREATE INDEX "markets_status_idx" ON "markets" USING btree ("status","close_at");--> statement-breakpoint
CREATE INDEX "markets_category_idx" ON "markets" USING btree ("category");--> statement-breakpoint
CREATE INDEX "deposits_user_idx" ON "deposits" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "deposits_gateway_ref_idx" ON "deposits" USING btree ("gateway","gateway_ref");--> statement-breakpoint
CREATE INDEX "withdrawals_user_idx" ON "withdrawals" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "engine_transfers_user_idx" ON "engine_transfers" USING btree ("user_id","seq");--> statement-breakpoint
CREATE INDEX "orders_user_idx" ON "orders" USING btree ("user_id","status","created_at");--> statement-breakpoint
CREATE INDEX "orders_market_idx" ON "orders" USING btree ("market_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_client_id_idx" ON "orders" USING btree ("user_id","client_order_id");--> statement-breakpoint
CREATE INDEX "payouts_user_idx" ON "payouts" USING btree ("user_id","seq");--> statement-breakpoint
CREATE INDEX "payouts_market_idx" ON "payouts" USING btree ("market_id");--> statement-breakpoint
CREATE INDEX "trades_market_idx" ON "trades" USING btree ("market_id","ts");--> statement-breakpoint
CREATE INDEX "trades_maker_idx" ON "trades" USING btree ("maker_user_id","seq");--> statement-breakpoint
CREATE INDEX "trades_taker_idx" ON "trades" USING btree ("taker_user_id","seq");