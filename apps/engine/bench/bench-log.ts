import type { EventLog } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";

// TEMPORARY: an in-memory stand-in until packages/bus ships its file journal; then this opens it in `dir`.
const shared: LogRecord[] = [];
export async function openBenchLog(_dir: string): Promise<EventLog<LogRecord>> {
  return {
    async append(batch) {
      for (const record of batch) shared.push(JSON.parse(JSON.stringify(record)));
    },
    async endOffset() {
      return shared.length;
    },
    async read(from, max) {
      return shared.slice(from, from + max).map((record, i) => ({ offset: from + i, record }));
    },
    async close() {},
  };
}
