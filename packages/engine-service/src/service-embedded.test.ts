import { embeddedAdapters } from "@ox/engine-service/testing";
import { batchEnvelopeSuite } from "./batch.suite.ts";
import { engineServiceSuite } from "./service.suite.ts";

const adapters = async () => embeddedAdapters();

engineServiceSuite("embedded adapters (memory queue, file journal, memory pub/sub)", adapters);
batchEnvelopeSuite("embedded adapters (memory queue, file journal, memory pub/sub)", adapters);
