import pino, { type Logger } from "pino";

/** The bus's default logger; every adapter that logs takes a `logger` option to replace it. */
export const defaultLogger: Logger = pino({ name: "bus" });
export type { Logger };
