import { bigint } from "drizzle-orm/pg-core";

/**
 * Money and time columns. Both are bigint in Postgres and `number` in TypeScript: paise and epoch ms
 * stay far below 2^53 (9e15 paise is ₹90 trillion), so mode "number" is exact.
 */
export const paise = (name: string) => bigint(name, { mode: "number" });
export const epochMs = (name: string) => bigint(name, { mode: "number" });
/** Engine event sequence numbers and log offsets. */
export const seqCol = (name: string) => bigint(name, { mode: "number" });

export const newId = () => crypto.randomUUID();
