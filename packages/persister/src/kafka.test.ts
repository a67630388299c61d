import { expect, test } from "bun:test";
import { createKafkaLog } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import { reconcile, replayLog } from "@ox/engine-client";
import { freshDb, quiet, runWorkload, seedOrigin } from "@ox/persister/testing";
import { createPersister } from "./persister.ts";

const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");

test("Kafka log → Postgres: persisted while appended, reconciles with the live and the replayed engine", async () => {
  const handle = await freshDb("postgres");
  const log = await createKafkaLog<LogRecord>({
    brokers,
    topic: `ox-persister-test-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 6)}`,
    logger: quiet,
  });
  try {
    const origin = await seedOrigin(handle.db, 5);
    const persister = createPersister({ log, db: handle.db, logger: quiet, batchSize: 50 });
    persister.start();
    const engine = await runWorkload({ origin, log, orders: 300, seed: 9, appendBatch: 40 });
    const end = await log.endOffset();
    await persister.stop();
    await persister.catchUp();
    const report = await reconcile({ db: handle.db, engine });
    expect(report.differences).toEqual([]);
    expect(report.offset).toBe(end);
    const replayed = await replayLog(log, end);
    expect(replayed.divergedAt).toBeNull();
    expect((await reconcile({ db: handle.db, engine: replayed.engine })).ok).toBe(true);
  } finally {
    await log.close();
    await handle.close();
  }
}, 90_000);
