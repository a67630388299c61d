import { randomUUID } from "node:crypto";
import { createMemoryPubSub, createMemoryPubSubHub, createMemoryQueue, createMemoryStream, type EventLog } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import { engineServiceSuite } from "./service.suite.ts";

// TEMPORARY until packages/bus has its file journal: an array behind the EventLog port.
function arrayLog(records: LogRecord[]): EventLog<LogRecord> {
  return {
    async append(batch) {
      for (const r of batch) records.push(JSON.parse(JSON.stringify(r)));
    },
    async endOffset() {
      return records.length;
    },
    async read(from, max) {
      return records.slice(from, from + max).map((record, i) => ({ offset: from + i, record: JSON.parse(JSON.stringify(record)) }));
    },
    async close() {},
  };
}

engineServiceSuite("memory queue + memory log", async () => {
  const stream = createMemoryStream();
  const hub = createMemoryPubSubHub();
  const records: LogRecord[] = [];
  void randomUUID;
  return {
    name: "memory",
    queue: (consumer = "engine-0") => createMemoryQueue({ stream, consumer }),
    log: () => arrayLog(records),
    pubsub: () => createMemoryPubSub({ hub }),
    cleanup: async () => {},
  };
});
