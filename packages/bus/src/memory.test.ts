import { kvContract } from "./kv.contract.ts";
import { createMemoryKv } from "./memory-kv.ts";
import { createMemoryPubSub, createMemoryPubSubHub } from "./memory-pubsub.ts";
import { createMemoryQueue, createMemoryStream } from "./memory-queue.ts";
import { pubSubContract } from "./pubsub.contract.ts";
import { queueContract } from "./queue.contract.ts";

kvContract("memory", async () => {
  const kv = createMemoryKv();
  return { kv, cleanup: () => kv.close() };
});

pubSubContract("memory", async () => {
  const hub = createMemoryPubSubHub();
  return { connect: () => createMemoryPubSub({ hub }), cleanup: async () => {} };
});

queueContract("memory", async () => {
  const stream = createMemoryStream();
  return {
    open: async (consumer, options) => createMemoryQueue({ stream, consumer, ...options }),
    cleanup: async () => {},
  };
});
