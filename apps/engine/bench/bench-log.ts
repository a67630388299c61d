import { join } from "node:path";
import { createFileJournal, type EventLog } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import pino from "pino";

/** The embedded file journal in `dir` (the log whose reopen + replay the bench measures). */
export function openBenchLog(dir: string): Promise<EventLog<LogRecord>> {
  return createFileJournal<LogRecord>({
    path: join(dir, "events.journal"),
    logger: pino({ level: "silent" }),
  });
}
