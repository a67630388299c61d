import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createFileJournal,
  createMemoryPubSub,
  createMemoryPubSubHub,
  createMemoryQueue,
  createMemoryStream,
} from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import { type AdapterSet, silentLogger } from "@ox/engine-service/testing";
import { batchEnvelopeSuite } from "./batch.suite.ts";
import { engineServiceSuite } from "./service.suite.ts";

const adapters = async (): Promise<AdapterSet> => {
  const stream = createMemoryStream();
  const hub = createMemoryPubSubHub();
  const dir = mkdtempSync(join(tmpdir(), "ox-journal-"));
  const journalPath = join(dir, "events.journal");
  return {
    name: "embedded",
    journalPath,
    queue: (consumer = "engine-0") => createMemoryQueue({ stream, consumer }),
    log: () => createFileJournal<LogRecord>({ path: journalPath, logger: silentLogger }),
    pubsub: () => createMemoryPubSub({ hub }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

engineServiceSuite("embedded adapters (memory queue, file journal, memory pub/sub)", adapters);
batchEnvelopeSuite("embedded adapters (memory queue, file journal, memory pub/sub)", adapters);
