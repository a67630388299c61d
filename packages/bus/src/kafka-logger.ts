import { type LogEntry as KafkaLogLine, logLevel } from "kafkajs";
import type { Logger } from "./logger.ts";

/** Routes kafkajs's own logging into pino. */
export function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: KafkaLogLine) => {
      const { message, ...extra } = log;
      const fields = { namespace, ...extra };
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.debug(fields, message);
      else logger.trace(fields, message);
    };
}
