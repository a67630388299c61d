/**
 * A record Postgres refuses (a NUL in a text field: SQLSTATE 22021) goes to persister_quarantine with
 * the error and the raw record, is counted, and the persister carries on with the records after it.
 * The poison record is written straight into the log, as the engine once journaled a rejected order
 * for marketId "poison\u0000pill". Both drivers, the file journal and Kafka.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKafkaLog, type EventLog } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import { orders, persisterQuarantine } from "@ox/db";
import { reconcile } from "@ox/engine-client";
import { freshDb, quiet, runWorkload, seedOrigin, tempJournal, userAt } from "@ox/persister/testing";
import { eq } from "drizzle-orm";
import { createPersister, isDataError } from "./persister.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const POISON_MARKET = "poison\u0000pill";

function poisonRecord(userId: string): LogRecord {
  return {
    envelopeId: crypto.randomUUID(),
    command: {
      type: "PLACE_ORDER",
      orderId: "poison-order",
      userId,
      marketId: POISON_MARKET,
      outcome: "YES",
      side: "BUY",
      orderType: "LIMIT",
      pricePaise: 500,
      qty: 1,
      ts: 6_000,
    },
    code: "MARKET_NOT_FOUND",
    events: [
      {
        type: "ORDER_REJECTED",
        seq: 1,
        ts: 6_000,
        orderId: "poison-order",
        userId,
        marketId: POISON_MARKET,
        clientOrderId: null,
        code: "MARKET_NOT_FOUND",
      },
    ],
  };
}

/** The log with the poison record slipped in after the first append. */
function injecting(log: EventLog<LogRecord>, userId: string): EventLog<LogRecord> {
  let done = false;
  return {
    ...log,
    append: async (records) => {
      if (done) return log.append(records);
      done = true;
      return log.append([...records, poisonRecord(userId)]);
    },
  };
}

async function scenario(kind: "pglite" | "postgres", makeLog: () => Promise<EventLog<LogRecord>>) {
  const handle = await freshDb(kind);
  const log = await makeLog();
  try {
    const origin = await seedOrigin(handle.db, 4);
    const persister = createPersister({ log, db: handle.db, logger: quiet, batchSize: 40, pollMs: 5 });
    persister.start();
    const engine = await runWorkload({
      origin,
      log: injecting(log, userAt(origin, 0)),
      orders: 150,
      seed: 3,
      appendBatch: 10,
    });
    const end = await log.endOffset();
    for (let i = 0; i < 600 && (await persister.health()).offset < end; i++) await Bun.sleep(50);
    await persister.stop();
    const health = await persister.health();
    expect(health).toMatchObject({ offset: end, lag: 0, state: "ok", quarantined: 1 });
    expect(persister.status().quarantined).toBe(1);

    const rows = await handle.db.select().from(persisterQuarantine);
    expect(rows).toHaveLength(1);
    const [q] = rows;
    if (!q) throw new Error("no quarantine row");
    expect(q.sqlState?.startsWith("22")).toBe(true);
    expect(q.error.length).toBeGreaterThan(0);
    const raw = JSON.parse(q.record) as LogRecord;
    expect(raw.command).toMatchObject({ orderId: "poison-order", marketId: POISON_MARKET });
    const [stored] = await log.read(q.logOffset, 1);
    expect(stored?.record.envelopeId).toBe(raw.envelopeId);
    expect(raw.envelopeId).toBeString();
    // Everything after the poison record is in Postgres, and the rest of it agrees with the engine.
    expect(await handle.db.select().from(orders).where(eq(orders.id, "poison-order"))).toEqual([]);
    const report = await reconcile({ db: handle.db, engine });
    expect(report.differences).toEqual([]);
    expect(report.offset).toBe(end);
  } finally {
    await log.close();
    await handle.close();
  }
}

describe.each(["pglite", "postgres"] as const)("persister quarantine on %s", (kind) => {
  test("file journal: the poison record is quarantined and the persister carries on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ox-quarantine-"));
    dirs.push(dir);
    await scenario(kind, () => tempJournal(dir));
  }, 120_000);
});

test("Kafka log on Postgres: the poison record is quarantined and the persister carries on", async () => {
  const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
  await scenario("postgres", () =>
    createKafkaLog<LogRecord>({
      brokers,
      topic: `ox-quarantine-test-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 6)}`,
      logger: quiet,
    }),
  );
}, 120_000);

test("only data errors (SQLSTATE class 22/23) quarantine; connection errors are retried", () => {
  expect(isDataError(Object.assign(new Error("invalid byte sequence"), { code: "22021" }))).toBe(true);
  expect(isDataError(new Error("wrapped", { cause: { code: "23505" } }))).toBe(true);
  expect(isDataError(Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" }))).toBe(false);
  expect(isDataError(Object.assign(new Error("terminating connection"), { code: "57P01" }))).toBe(false);
  expect(isDataError(Object.assign(new Error("the database system is starting up"), { code: "08006" }))).toBe(
    false,
  );
  expect(isDataError(new Error("timeout"))).toBe(false);
});
