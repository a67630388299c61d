import { afterAll, expect, test } from "bun:test";
import { KAFKA_BROKERS, sleep, uniqueName } from "@ox/bus/testing";
import { Kafka, logLevel } from "kafkajs";
import { createKafkaLog } from "./kafka-log.ts";
import { originalSchedule, quietSchedule, requestQueuePrototype } from "./kafkajs-idle-fix.ts";

const topic = uniqueName("test-idle");
const admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
afterAll(async () => {
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

/** Calls of the queue's re-arm over `ms` of an idle log (every connection's queue counted). */
async function rearmsWhileIdle(ms: number): Promise<number> {
  const proto = requestQueuePrototype as unknown as { scheduleCheckPendingRequests: () => void };
  const installed = proto.scheduleCheckPendingRequests;
  let calls = 0;
  proto.scheduleCheckPendingRequests = function (this: unknown) {
    calls++;
    return installed.call(this as never);
  };
  try {
    await sleep(ms);
  } finally {
    proto.scheduleCheckPendingRequests = installed;
  }
  return calls;
}

test("an idle Kafka log's connections stop waking the process; kafkajs's own queue re-arms every ms", async () => {
  const log = await createKafkaLog<{ n: number }>({ brokers: KAFKA_BROKERS, topic });
  try {
    await log.append([{ n: 1 }, { n: 2 }]);
    expect(await log.endOffset()).toBe(2);
    await sleep(100); // let in-flight answers settle
    // The fix (installed by kafka-log.ts): nothing pending, nothing throttled, no timer.
    expect(requestQueuePrototype.scheduleCheckPendingRequests).toBe(quietSchedule);
    const quiet = await rearmsWhileIdle(500);
    // kafkajs's method on the same connections: a 1 ms timer that re-arms itself for ever.
    requestQueuePrototype.scheduleCheckPendingRequests = originalSchedule;
    let spinning: number;
    try {
      // Kick the loop as kafkajs does after an answer, then count while idle.
      await log.endOffset();
      spinning = await rearmsWhileIdle(500);
    } finally {
      requestQueuePrototype.scheduleCheckPendingRequests = quietSchedule;
    }
    console.log(JSON.stringify({ rearmsIn500msIdle: { fixed: quiet, kafkajs: spinning } }));
    expect(quiet).toBeLessThan(5);
    expect(spinning).toBeGreaterThan(50);
    // Still a working log with the fix back in place.
    await log.append([{ n: 3 }]);
    expect(await log.endOffset()).toBe(3);
  } finally {
    await log.close();
  }
});
