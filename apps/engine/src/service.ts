import { randomUUID } from "node:crypto";
import type { CommandQueue, Delivery, EventLog, PubSub } from "@ox/bus";
import {
  type CommandEnvelope,
  type CommandReply,
  channels,
  type EngineQuery,
  type EngineQueryKind,
  type EngineQueryReply,
  type EngineStats,
  type EventBatch,
  type LogRecord,
} from "@ox/contracts/pipeline";
import type { Engine, EngineEvent } from "@ox/engine";
import type { Logger } from "pino";
import { createCloseScheduler } from "./close-scheduler.ts";
import { defaultEngineFactory, type EngineFactory } from "./engine-factory.ts";
import { answerQuery } from "./queries.ts";
import type { RecentReplies } from "./recent-replies.ts";
import { type Recovered, recover } from "./recovery.ts";
import { replyOf } from "./reply.ts";
import type { SnapshotStore } from "./snapshot-store.ts";
import { createSnapshotter } from "./snapshotter.ts";

export interface Clock {
  now(): number;
}

export interface EngineServiceOptions {
  queue: CommandQueue<CommandEnvelope>;
  log: EventLog<LogRecord>;
  /** Replies, event batches and queries travel as JSON-able messages. */
  pubsub: PubSub<unknown>;
  snapshots: SnapshotStore;
  logger: Logger;
  clock?: Clock;
  factory?: EngineFactory;
  /** Commands per receive and per group-committed log append. */
  batchMax?: number;
  blockMs?: number;
  snapshotEveryCommands?: number;
  snapshotEveryMs?: number;
  /** Size of the dedupe window (envelope id → first reply). */
  recentLimit?: number;
  /** Subscribe to channels.queries (distributed mode). In-process readers call query() directly. */
  serveQueries?: boolean;
}

export interface EngineService {
  /** Recovers (snapshot + log replay), arms close timers, then consumes the queue. */
  start(): Promise<Recovered>;
  /** The live engine (after start). Reads through query() wait for the in-flight batch to be durable. */
  readonly engine: Engine;
  query(kind: EngineQueryKind, args: unknown[]): Promise<unknown>;
  stats(): EngineStats;
  snapshotNow(): Promise<void>;
  /** Graceful: finishes the batch in hand, writes a snapshot, stops timers and queries. */
  stop(): Promise<void>;
  /** As a crash: stops at the next await; nothing more is appended, replied, acked or snapshotted. */
  halt(): Promise<void>;
  /** Rejects when the service died of a fatal error (a failed append, an engine exception). */
  readonly done: Promise<void>;
}

export function createEngineService(options: EngineServiceOptions): EngineService {
  const { queue, log, pubsub, logger } = options;
  const clock = options.clock ?? { now: Date.now };
  const batchMax = options.batchMax ?? 500;
  const blockMs = options.blockMs ?? 100;
  let engine: Engine | undefined;
  let recent: RecentReplies;
  let logOffset = 0;
  let commandsApplied = 0;
  let queueDepth = 0;
  let depthCheckedAt = 0;
  let startedAt = 0;
  let stopping = false;
  let halted = false;
  let loopDone: Promise<void> = Promise.resolve();
  let durable: Promise<void> | null = null; // set while a batch is applied but not yet in the log
  let unsubscribe: (() => Promise<void>) | null = null;
  let resolveDone!: () => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => {}); // observed by callers that care; never an unhandled rejection

  const live = () => {
    if (!engine) throw new Error("engine service not started");
    return engine;
  };
  const stats = (): EngineStats => ({
    lastSeq: engine?.lastSeq ?? 0,
    logOffset,
    queueDepth,
    snapshotOffset: snapshotter.lastOffset(),
    commandsApplied,
    startedAt,
  });
  const snapshotter = createSnapshotter({
    store: options.snapshots,
    logger,
    clock,
    everyCommands: options.snapshotEveryCommands ?? 100_000,
    everyMs: options.snapshotEveryMs ?? 60_000,
    capture: () => ({ engine: live(), recent, logOffset }),
  });
  const scheduler = createCloseScheduler({
    now: () => clock.now(),
    onDue: async (marketId) => {
      const ts = clock.now();
      await queue.send({ id: randomUUID(), replyTo: null, command: { type: "CLOSE_MARKET", marketId, ts } });
      logger.info({ marketId, ts }, "market close sent");
    },
  });

  const fail = (error: unknown) => {
    if (halted) return;
    halted = true;
    stopping = true;
    scheduler.stop();
    logger.fatal({ err: error }, "engine service stopped on a fatal error");
    rejectDone(error);
  };

  const publishQuietly = (channel: string, message: unknown) =>
    pubsub.publish(channel, message).catch((err) => logger.warn({ err, channel }, "publish failed"));

  async function processBatch(deliveries: Delivery<CommandEnvelope>[]) {
    const current = live();
    const records: LogRecord[] = [];
    const replies: { replyTo: string | null; reply: CommandReply }[] = [];
    const events: EngineEvent[] = [];
    for (const { body: envelope, id } of deliveries) {
      if (!envelope || typeof envelope.id !== "string" || !envelope.command) {
        logger.error({ queueId: id }, "malformed command envelope dropped");
        continue;
      }
      const seen = recent.get(envelope.id);
      if (seen) {
        replies.push({ replyTo: envelope.replyTo, reply: seen });
        continue;
      }
      const result = current.apply(envelope.command);
      const reply = replyOf(envelope.id, envelope.command, result);
      recent.remember(envelope.id, reply);
      records.push({
        envelopeId: envelope.id,
        command: envelope.command,
        code: result.code,
        events: result.events,
      });
      for (const event of result.events) events.push(event);
      replies.push({ replyTo: envelope.replyTo, reply });
    }
    const fromOffset = logOffset;
    if (records.length > 0) {
      await log.append(records); // group commit; a failure is fatal (state is ahead of the log)
      logOffset += records.length;
      commandsApplied += records.length;
      snapshotter.applied(records.length);
    }
    if (halted) return;
    await Promise.all([
      ...replies.filter((r) => r.replyTo).map((r) => publishQuietly(r.replyTo as string, r.reply)),
      events.length > 0
        ? publishQuietly(channels.events, {
            fromOffset,
            records: records.length,
            events,
          } satisfies EventBatch)
        : undefined,
    ]);
    scheduler.observe(events);
    await queue
      .ack(deliveries.map((d) => d.id))
      .catch((err) => logger.warn({ err }, "ack failed; redelivery is deduplicated"));
  }

  async function refreshDepth() {
    if (clock.now() - depthCheckedAt < 1_000) return;
    depthCheckedAt = clock.now();
    queueDepth = await queue.depth().catch(() => queueDepth);
  }

  async function loop() {
    while (!stopping) {
      // A queue outage is not fatal: nothing was taken, so wait and ask again.
      const deliveries = await queue.receive(batchMax, blockMs).catch(async (err) => {
        logger.warn({ err }, "queue receive failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, 500));
        return [] as Delivery<CommandEnvelope>[];
      });
      if (halted) return;
      if (deliveries.length > 0) {
        let markDurable!: () => void;
        durable = new Promise<void>((resolve) => {
          markDurable = resolve;
        });
        try {
          await processBatch(deliveries);
        } finally {
          durable = null;
          markDurable();
        }
      }
      if (halted) return;
      snapshotter.maybe();
      await refreshDepth();
    }
  }

  async function serveQuery(query: EngineQuery) {
    if (!query || typeof query.replyTo !== "string") return;
    let reply: EngineQueryReply;
    try {
      reply = { id: query.id, ok: true, result: await service.query(query.kind, query.args ?? []) };
    } catch (error) {
      reply = { id: query.id, ok: false, result: null, error: (error as Error).message };
    }
    await publishQuietly(query.replyTo, reply);
  }

  const service: EngineService = {
    get engine() {
      return live();
    },
    done,
    stats,
    async start() {
      const recovered = await recover({
        log,
        snapshots: options.snapshots,
        factory: options.factory ?? defaultEngineFactory,
        recentLimit: options.recentLimit ?? 10_000,
        logger,
      });
      engine = recovered.engine;
      recent = recovered.recent;
      logOffset = recovered.logOffset;
      startedAt = clock.now();
      snapshotter.restored(recovered.snapshotOffset, recovered.replayed);
      scheduler.syncFromMarkets(engine.markets());
      if (options.serveQueries) {
        unsubscribe = await pubsub.subscribe(
          channels.queries,
          (message) => void serveQuery(message as EngineQuery),
        );
      }
      loopDone = loop().then(resolveDone, fail);
      return recovered;
    },
    async query(kind, args) {
      while (durable) await durable;
      return answerQuery(live(), kind, args, stats);
    },
    snapshotNow: () => snapshotter.now(),
    async stop() {
      stopping = true;
      await loopDone;
      scheduler.stop();
      await unsubscribe?.();
      if (!halted && engine) await snapshotter.final();
    },
    async halt() {
      halted = true;
      stopping = true;
      scheduler.stop();
      await unsubscribe?.();
      await loopDone;
      resolveDone();
    },
  };
  return service;
}
