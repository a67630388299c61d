export * from "./client.ts";
export * from "./repos/accounts.ts";
export * from "./repos/audit.ts";
export * from "./repos/kyc.ts";
export * from "./repos/ledger.ts";
export * from "./repos/outbox.ts";
export * from "./repos/payments.ts";
export * from "./schema/index.ts";
