import { type LogEntry as KafkaLogLine, logLevel } from "kafkajs";
import type { Logger } from "./logger.ts";

/** Routes kafkajs's own logging into pino. */
export function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: KafkaLogLine) => {
      const { message, ...extra } = log;
      const fields = { namespace, ...extra };
      // Our appends retry for a bounded time on purpose (the engine rebuilds from the log when one
      // gives up), so kafkajs's warning about limited idempotent retries is noise.
      if (message.startsWith("Limiting retries for the idempotent producer")) logger.debug(fields, message);
      else if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.debug(fields, message);
      else logger.trace(fields, message);
    };
}
