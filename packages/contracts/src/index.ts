export * from "./http/accounts.ts";
export * from "./http/auth.ts";
export * from "./http/errors.ts";
export * from "./http/money.ts";
export * from "./http/orders.ts";
export * from "./http/text.ts";
export * from "./pipeline.ts";
