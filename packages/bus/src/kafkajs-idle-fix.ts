import { createRequire } from "node:module";

/**
 * kafkajs 2.2.4's RequestQueue re-arms a timer every time it has checked its pending requests,
 * even when nothing is pending and nothing is throttled: `setTimeout(check, throttledUntil -
 * Date.now())` with `throttledUntil` -1, a negative delay the runtime turns into 1 ms. So every
 * broker connection that has answered one request wakes its process 1 000 times a second for as
 * long as it lives (tulios/kafkajs#1751, the fix unreleased upstream): 25 ms CPU per second for
 * one idle producer under Bun here, 44–52 under Node, against 2–4 with this fix, and on top of the
 * real work under load in every process that holds a Kafka client (engine, shards, persister,
 * stream). The "TimeoutNegativeWarning" Node prints once per process is this timer.
 *
 * The fix returns when there is nothing to wait for (no pending request and no throttle in
 * force), exactly as the proposed upstream change does; a push that cannot be sent at once still
 * schedules a check (it is pending then), and a throttle still schedules one at its end.
 * Installed once per process when this module loads (kafka-log.ts imports it; the reader is only
 * reached through it).
 */
interface RequestQueueProto {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(this: RequestQueueProto): void;
}

const require = createRequire(import.meta.url);
const RequestQueue = require("kafkajs/src/network/requestQueue/index.js") as {
  prototype: RequestQueueProto;
};

/** kafkajs's own method, kept for the test that shows the spin it causes. */
export const originalSchedule = RequestQueue.prototype.scheduleCheckPendingRequests;

export function quietSchedule(this: RequestQueueProto): void {
  if (this.pending.length === 0 && this.throttledUntil - Date.now() <= 0) return;
  originalSchedule.call(this);
}

/** The prototype patched (idempotent); the test swaps the two methods through it. */
export const requestQueuePrototype = RequestQueue.prototype;
requestQueuePrototype.scheduleCheckPendingRequests = quietSchedule;
