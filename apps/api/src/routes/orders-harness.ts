/**
 * Test wiring for the trading routes in embedded mode: the real engine service (memory queue, file
 * journal, memory pub/sub) in process, the in-process EngineReader, the outbox relay, a fresh Postgres.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createFileJournal,
  createMemoryKv,
  createMemoryPubSub,
  createMemoryPubSubHub,
  createMemoryQueue,
  createMemoryStream,
  type EventLog,
  type Kv,
} from "@ox/bus";
import type { CommandEnvelope, LogRecord } from "@ox/contracts/pipeline";
import { createTestDb } from "@ox/db/testing";
import { createInProcessEngineReader } from "@ox/engine-client";
import { createEngineService, createFileSnapshotStore, type EngineService } from "@ox/engine-service";
import pino from "pino";
import type { ApiConfig, AppDeps } from "../deps.ts";
import { type Harness, settleQueue, testAdapters, testBuilds } from "../test-harness.ts";

export interface TradingHarness extends Harness {
  service: EngineService;
  /** Every envelope the API put on the engine's command queue, in order. */
  sent: CommandEnvelope[];
  /** The engine's event log (to run a persister over it). */
  journal: EventLog<LogRecord>;
  /**
   * kill -9 of the engine service, `downMs` of nothing, then a new one on the same journal, snapshots
   * and queue (recovery by replay), and the API rebuilt on its reader. `service`, `engine`, `journal`
   * and `app` then name the new ones.
   */
  restartEngine(downMs?: number): Promise<void>;
}

export interface TradingHarnessOptions {
  config?: Partial<ApiConfig>;
  rateLimitRedis?: AppDeps["rateLimitRedis"];
  onRateLimited?: AppDeps["onRateLimited"];
  /** The API's Kv (default in memory; the harness closes it either way). */
  kv?: Kv;
  /** The API's clock (default the system clock, `advance` a no-op). */
  clock?: { now(): number; advance(ms: number): void };
}

export async function createTradingHarness(options: TradingHarnessOptions = {}): Promise<TradingHarness> {
  const dir = mkdtempSync(join(tmpdir(), "ox-trading-"));
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const db = await createTestDb("postgres");
  const kv = options.kv ?? createMemoryKv();
  const stream = createMemoryStream();
  const hub = createMemoryPubSubHub();
  const sent: CommandEnvelope[] = [];
  const memoryQueue = createMemoryQueue<CommandEnvelope>({ stream, consumer: "api" });
  const apiQueue: typeof memoryQueue = {
    ...memoryQueue,
    send: (body) => {
      sent.push(body);
      return memoryQueue.send(body);
    },
  };
  const engineQueue = createMemoryQueue<CommandEnvelope>({ stream, consumer: "engine-0" });
  const openJournal = () => createFileJournal<LogRecord>({ path: join(dir, "events.journal"), logger });
  const startService = async (log: EventLog<LogRecord>) => {
    const started = createEngineService({
      queue: engineQueue,
      log,
      pubsub: createMemoryPubSub({ hub }),
      snapshots: createFileSnapshotStore({ dir: join(dir, "snapshots") }),
      logger,
      blockMs: 20,
    });
    await started.start();
    return started;
  };
  const journal = await openJournal();
  const service = await startService(journal);
  const clock = options.clock ?? { now: () => Date.now(), advance: () => {} };
  const builds = testBuilds(
    testAdapters(
      {
        db: db.db,
        kv,
        commandQueue: apiQueue,
        pubsub: createMemoryPubSub({ hub }),
        reader: createInProcessEngineReader(service),
        instanceId: "api-test",
        clock,
      },
      {
        configOverrides: options.config,
        logger,
        rateLimitRedis: options.rateLimitRedis,
        onRateLimited: options.onRateLimited,
        engineTimeoutMs: 1_500,
        relay: { intervalMs: 20 },
      },
    ),
  );
  const { api } = builds;
  const { relay } = api;
  relay.start();
  const h: TradingHarness = {
    app: api.app,
    deps: api.deps,
    api,
    rebuild: builds.rebuild,
    db,
    kv,
    engine: service.engine,
    relay,
    clock,
    applied: [],
    service,
    sent,
    journal,
    settle: () => settleQueue(relay, apiQueue, 250, "engine"),
    async restartEngine(downMs = 0) {
      await h.service.halt();
      await h.journal.close();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      h.journal = await openJournal();
      h.service = await startService(h.journal);
      h.engine = h.service.engine;
      const rebuilt = builds.rebuild({ reader: createInProcessEngineReader(h.service) });
      h.app = rebuilt.app;
      h.deps = rebuilt.deps;
    },
    async close() {
      await relay.stop();
      await h.service.halt();
      await builds.closeAll();
      await h.journal.close();
      await kv.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
