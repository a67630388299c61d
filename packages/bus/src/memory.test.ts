import { kvContract, pubSubContract, queueContract } from "@ox/bus/testing";
import { createMemoryKv } from "./memory-kv.ts";
import { createMemoryPubSub, createMemoryPubSubHub } from "./memory-pubsub.ts";
import { createMemoryQueue, createMemoryStream } from "./memory-queue.ts";

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
