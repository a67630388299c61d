/**
 * `@ox/bus/testing`: the contract suite of every port (one suite, run against each adapter) and the
 * helpers they share. For tests only; nothing in production imports this.
 */
export { eventLogContract, type LogHandle } from "./event-log.contract.ts";
export { kvContract } from "./kv.contract.ts";
export { pubSubContract } from "./pubsub.contract.ts";
export { type QueueStream, queueContract } from "./queue.contract.ts";
export { eventually, freePort, KAFKA_BROKERS, REDIS_URL, sleep, uniqueName } from "./test-util.ts";
