/**
 * Issue 9: embedded mode marked an outbox row SENT when the in-memory queue accepted it, so a kill -9
 * before the engine journaled it lost a committed user or credit from the engine for good. Each
 * "life" below is one process: its own memory queue and pub/sub (gone with it), the same database
 * and the same engine state (what the journal kept). The API runtime wires the relay as `npm start`.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryKv, createMemoryPubSub, createMemoryQueue } from "@ox/bus";
import { ensureDevSecrets, parseApiEnv } from "@ox/config";
import type { CommandEnvelope, CommandReply } from "@ox/contracts";
import { createOutboxRepo, outbox } from "@ox/db";
import { createTestDb } from "@ox/db/testing";
import { createEngine } from "@ox/engine";
import type { EngineReader } from "@ox/engine-client";
import { eq } from "drizzle-orm";
import pino from "pino";
import { createApiRuntime } from "./runtime.ts";

const dataDir = mkdtempSync(join(tmpdir(), "ox-outbox-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const env = ensureDevSecrets(parseApiEnv({ DATA_DIR: dataDir, NODE_ENV: "test", RATE_LIMITS: "off" }));
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

/** One process life. `engineApplies: false` is a process killed before its engine applied anything. */
function life(
  db: Awaited<ReturnType<typeof createTestDb>>["db"],
  engine: ReturnType<typeof createEngine>,
  engineApplies: boolean,
) {
  const queue = createMemoryQueue<CommandEnvelope>();
  const pubsub = createMemoryPubSub<unknown>();
  let stopped = false;
  const consumer = (async () => {
    while (!stopped) {
      const batch = await queue.receive(100, 20);
      if (!engineApplies) continue; // received into memory, then the process died
      for (const d of batch) {
        if (!d.body.command) continue;
        const result = engine.apply(d.body.command);
        if (d.body.replyTo)
          await pubsub.publish(d.body.replyTo, {
            id: d.body.id,
            code: result.code,
            duplicate: result.duplicate ?? false,
            order: null,
            lastSeq: engine.lastSeq,
          } satisfies CommandReply);
      }
      await queue.ack(batch.map((d) => d.id));
    }
  })();
  const runtime = createApiRuntime({
    env,
    db,
    kv: createMemoryKv(),
    commandQueue: queue,
    pubsub,
    reader: {} as EngineReader, // the relay never reads engine state
    instanceId: `life-${crypto.randomUUID().slice(0, 8)}`,
    logger,
  });
  return {
    drain: () => runtime.relay.drain(),
    async kill() {
      stopped = true;
      await consumer;
      await runtime.stop();
    },
  };
}

test("a row the engine never applied stays PENDING, is redelivered by the next process and applied once", async () => {
  const database = await createTestDb("pglite");
  try {
    const engine = createEngine();
    const userId = crypto.randomUUID();
    const now = Date.now();
    const [createUser, credit] = [crypto.randomUUID(), crypto.randomUUID()];
    await database.db.insert(outbox).values([
      { id: createUser, userId, command: { type: "CREATE_USER", userId }, createdAt: now },
      {
        id: credit,
        userId,
        command: { type: "CREDIT", userId, amountPaise: 1500, kind: "BONUS", ref: credit },
        createdAt: now,
      },
    ]);
    const repo = createOutboxRepo(database.db);

    // Life 1: the queue takes the rows, the process dies before the engine applies them.
    const first = life(database.db, engine, false);
    expect(await first.drain()).toBe(0);
    await first.kill();
    expect(await repo.pendingCount()).toBe(2);
    expect(engine.account(userId)).toBeUndefined();

    // Life 2: delivered, applied, answered: now SENT.
    const second = life(database.db, engine, true);
    expect(await second.drain()).toBe(2);
    await second.kill();
    expect(await repo.pendingCount()).toBe(0);
    expect(engine.account(userId)).toEqual({ availablePaise: 1500, lockedPaise: 0 });

    // Life 3: the engine applied them but the answer was lost (rows back to PENDING): a resend
    // is answered as a duplicate and credits nothing twice.
    await database.db.update(outbox).set({ status: "PENDING" }).where(eq(outbox.userId, userId));
    const third = life(database.db, engine, true);
    expect(await third.drain()).toBe(2);
    await third.kill();
    expect(await repo.pendingCount()).toBe(0);
    expect(engine.account(userId)).toEqual({ availablePaise: 1500, lockedPaise: 0 });
  } finally {
    await database.close();
  }
}, 60_000);
