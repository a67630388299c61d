export * from "./accounts.ts";
export * from "./api-keys.ts";
export * from "./kv.ts";
export * from "./markets.ts";
export * from "./payments.ts";
export * from "./trading.ts";
