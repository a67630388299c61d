import { randomUUID } from "node:crypto";
import type { CommandQueue, Delivery, EventLog, PubSub } from "@ox/bus";
import {
  batchItemId,
  type CommandEnvelope,
  type CommandReply,
  channels,
  type EngineQuery,
  type EngineQueryKind,
  type EngineQueryReply,
  type EngineStats,
  type EventBatch,
  LOG_BATCH_ITEMS,
  type LogBatch,
  type LoggedRecord,
  type LogRecord,
} from "@ox/contracts/pipeline";
import type { Command, Engine, EngineConfig, EngineEvent } from "@ox/engine";
import type { Logger } from "pino";
import { createCloseScheduler } from "./close-scheduler.ts";
import { createExpiryScheduler } from "./expiry-scheduler.ts";
import type { EngineMetrics } from "./metrics.ts";
import { answerQuery } from "./queries.ts";
import type { RecentReplies } from "./recent-replies.ts";
import { type Recovered, ReplayDivergedError, recover } from "./recovery.ts";
import { type AddressedReply, replyMessages, replyOf } from "./reply.ts";
import type { FileSnapshotStore, SnapshotStore } from "./snapshot-store.ts";
import { createThreadSnapshotter } from "./snapshot-thread.ts";
import { createSnapshotter, type Snapshotter } from "./snapshotter.ts";

export interface Clock {
  now(): number;
}

export interface EngineServiceOptions {
  queue: CommandQueue<CommandEnvelope>;
  log: EventLog<LoggedRecord>;
  /**
   * What one log record holds: `command` (default), one LogRecord per applied command; `batch`,
   * one LogBatch per group commit (split every LOG_BATCH_ITEMS items), so a Kafka append encodes
   * one record, not one per command. Recovery reads both; readers of the log must be of a commit
   * that reads LogBatch before an engine writes it.
   */
  logFormat?: "command" | "batch";
  /** Replies, event batches and queries travel as JSON-able messages. */
  pubsub: PubSub<unknown>;
  snapshots: SnapshotStore;
  logger: Logger;
  clock?: Clock;
  /** The engine's configuration (its idempotency window); default `{}`. */
  engineConfig?: EngineConfig;
  /** Commands per receive and per group-committed log append. */
  batchMax?: number;
  blockMs?: number;
  snapshotEveryCommands?: number;
  snapshotEveryMs?: number;
  /** Size of the dedupe window (envelope id → first reply). */
  recentLimit?: number;
  /** Where event batches are published; default channels.events (tests on a shared Redis: their own). */
  eventsChannel?: string;
  /** Subscribe to channels.queries (distributed mode). In-process readers call query() directly. */
  serveQueries?: boolean;
  /** First wait after a failed append before rebuilding from the log; doubles up to retryMaxMs. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Commands queued and none applied for this long: stats().degraded says so. Default 10 s. */
  stallMs?: number;
  /** Prometheus metrics (createEngineMetrics); absent = none, nothing timed. */
  metrics?: EngineMetrics;
  /**
   * Batches applied ahead of the log on a fail-stop log (EventLog.failStop): the next batch is
   * applied while earlier appends are in flight. Default 2; 1 = apply, append, reply, then the next.
   * A log that is not fail-stop is always sequential.
   */
  pipelineDepth?: number;
  /**
   * Snapshots taken by a worker thread that follows this file journal (its path) with an engine of
   * its own and writes them into `snapshots` (then a file store), so this thread never serialises
   * the state (snapshot-worker.ts). Only for the file journal (fail-stop), which it reads; absent: snapshots
   * are captured on this thread between batches (the Kafka engine).
   */
  snapshotWorker?: {
    journalPath: string;
    /** The worker thread's nice value (Linux, 0..19: higher yields the CPU to the order path). */
    nice?: number;
  };
}

export interface EngineService {
  /** Recovers (snapshot + log replay), arms close and expiry timers, then consumes the queue. */
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
  /**
   * Rejects when the service died of a fatal error (an engine exception, a log that disagrees with
   * a replay, a failed append on a fail-stop log). On any other log a failed append is not fatal:
   * the service rebuilds from the log and retries.
   */
  readonly done: Promise<void>;
}

/** The engine threw: a broken invariant (rejections are result codes), never retried. */
export class EngineFailedError extends Error {
  readonly fatal = true;
  constructor(
    readonly envelopeId: string,
    cause: unknown,
  ) {
    super(`engine threw applying command ${envelopeId}`, { cause });
    this.name = "EngineFailedError";
  }
}

export function createEngineService(options: EngineServiceOptions): EngineService {
  const { queue, log, pubsub, logger, metrics } = options;
  const traceCommands = logger.isLevelEnabled("debug");
  const clock = options.clock ?? { now: Date.now };
  const batchMax = options.batchMax ?? 500;
  const blockMs = options.blockMs ?? 100;
  const retryInitialMs = options.retryInitialMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 5_000;
  const stallMs = options.stallMs ?? 10_000;
  const eventsChannel = options.eventsChannel ?? channels.events;
  const pipelineDepth = log.failStop === true ? Math.max(1, options.pipelineDepth ?? 2) : 1;
  const batchLog = options.logFormat === "batch";
  let engine: Engine | undefined;
  let recent: RecentReplies;
  let logOffset = 0; // durable: every record before it is in the log
  let appliedOffset = 0; // applied: ahead of logOffset while appends are in flight
  let commandsApplied = 0;
  let ordersPlaced = 0;
  let queueDepth = 0;
  let depthCheckedAt = 0;
  let startedAt = 0;
  let lastProgressAt = 0;
  let appendFailures = 0;
  /** Set while the in-memory state may be ahead of the log (an append failed): no snapshot then. */
  let appendFailing: string | null = null;
  let stopping = false;
  let halted = false;
  let loopDone: Promise<void> = Promise.resolve();
  /** Batches applied whose append has not settled: the state is ahead of the log while > 0. */
  let unsettled = 0;
  let onSettled: (() => void)[] = [];
  /** Queries and snapshots waiting for unsettled = 0; the loop applies nothing while any waits. */
  let readers = 0;
  let onReadersServed: (() => void)[] = [];
  /** The last released batch's publishes and ack (they never reject: each logs its own failure). */
  let sending: Promise<unknown> = Promise.resolve();
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
    ordersPlaced,
    startedAt,
    degraded:
      appendFailing ??
      (queueDepth > 0 && clock.now() - lastProgressAt > stallMs
        ? `${queueDepth} commands queued and none applied for ${Math.round((clock.now() - lastProgressAt) / 1000)} s`
        : null),
    appendFailures,
  });
  const everyCommands = options.snapshotEveryCommands ?? 100_000;
  const everyMs = options.snapshotEveryMs ?? 60_000;
  const observe = metrics ? (seconds: number, ok: boolean) => metrics.snapshot(seconds, ok) : undefined;
  const snapshotter: Snapshotter = options.snapshotWorker
    ? (() => {
        const store = options.snapshots as FileSnapshotStore;
        if (log.failStop !== true || typeof store.dir !== "string")
          throw new Error(
            "snapshotWorker needs the file journal (a fail-stop log) and a file snapshot store",
          );
        return createThreadSnapshotter({
          journalPath: options.snapshotWorker.journalPath,
          nice: options.snapshotWorker.nice,
          store,
          logger,
          everyCommands,
          everyMs,
          engineConfig: options.engineConfig ?? {},
          recentLimit: options.recentLimit ?? 10_000,
          durableOffset: () => logOffset,
          observe,
          onFatal: (error) => fail(error),
        });
      })()
    : createSnapshotter({
        store: options.snapshots,
        logger,
        clock,
        everyCommands,
        everyMs,
        observe,
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

  const expiry = createExpiryScheduler({
    now: () => clock.now(),
    onDue: async (ts) => {
      await queue.send({ id: randomUUID(), replyTo: null, command: { type: "EXPIRE_ORDERS", ts } });
      logger.debug({ ts }, "order expiry sent");
    },
  });

  const fail = (error: unknown) => {
    if (halted) return;
    halted = true;
    stopping = true;
    scheduler.stop();
    expiry.stop();
    logger.fatal({ err: error }, "engine service stopped on a fatal error");
    void snapshotter.close();
    rejectDone(error);
  };

  const publishQuietly = (channel: string, message: unknown) =>
    pubsub.publish(channel, message).catch((err) => logger.warn({ err, channel }, "publish failed"));

  const wake = (waiters: (() => void)[]) => {
    for (const resolve of waiters) resolve();
  };
  const settleOne = () => {
    if (--unsettled > 0) return;
    const waiters = onSettled;
    onSettled = [];
    wake(waiters);
  };
  /** Runs `read` once every applied batch is durable; the loop applies nothing until it has run. */
  async function atRest<T>(read: () => T): Promise<T> {
    readers++;
    try {
      while (unsettled > 0) await new Promise<void>((resolve) => onSettled.push(resolve));
      return read();
    } finally {
      if (--readers === 0) {
        const waiters = onReadersServed;
        onReadersServed = [];
        wake(waiters);
      }
    }
  }
  const readersServed = async () => {
    while (readers > 0) await new Promise<void>((resolve) => onReadersServed.push(resolve));
  };

  interface AppliedBatch {
    deliveries: Delivery<CommandEnvelope>[];
    /** One per applied command, in order. */
    records: LogRecord[];
    /** What is appended: `records` themselves, or them in LogBatches (logFormat batch). */
    logged: LoggedRecord[];
    replies: AddressedReply[];
    events: EngineEvent[];
    expireApplied: boolean;
    fromOffset: number;
    applyStarted: number;
  }

  /** Applies a batch to the live engine (synchronous: nothing interleaves); nothing is sent yet. */
  function applyBatch(deliveries: Delivery<CommandEnvelope>[]): AppliedBatch {
    const current = live();
    const records: LogRecord[] = [];
    const replies: AddressedReply[] = [];
    const events: EngineEvent[] = [];
    let expireApplied = false;
    const applyStarted = metrics ? performance.now() : 0;
    /** One command: its first reply if already applied (redelivery), else applied and logged. */
    const applyOne = (envelopeId: string, command: Command, requestId?: string): CommandReply => {
      const seen = recent.get(envelopeId);
      if (seen) return seen;
      let result: ReturnType<Engine["apply"]>;
      try {
        result = current.apply(command);
      } catch (cause) {
        throw new EngineFailedError(envelopeId, cause);
      }
      const reply = replyOf(envelopeId, command, result);
      recent.remember(envelopeId, reply);
      const record: LogRecord = { envelopeId, command, code: result.code, events: result.events };
      if (requestId) record.requestId = requestId;
      if (command.type === "PLACE_ORDER") ordersPlaced++;
      else if (command.type === "EXPIRE_ORDERS") expireApplied = true;
      records.push(record);
      if (traceCommands)
        logger.debug(
          { reqId: requestId, envelopeId, type: command.type, code: result.code },
          "command applied",
        );
      for (const event of result.events) events.push(event);
      return reply;
    };
    for (const { body: envelope, id } of deliveries) {
      const batch = Array.isArray(envelope?.commands) ? envelope.commands : null;
      if (!envelope || typeof envelope.id !== "string" || (!envelope.command && !batch)) {
        logger.error({ queueId: id }, "malformed command envelope dropped");
        continue;
      }
      if (!batch) {
        replies.push({
          replyTo: envelope.replyTo,
          reply: applyOne(envelope.id, envelope.command as Command, envelope.requestId),
        });
        continue;
      }
      // A batch envelope: its commands in order, one log record each, one reply for all.
      const results = batch.map((command, i) =>
        applyOne(batchItemId(envelope.id, i), command, envelope.requestId),
      );
      replies.push({
        replyTo: envelope.replyTo,
        reply: {
          id: envelope.id,
          code: "OK",
          duplicate: false,
          order: null,
          lastSeq: results.reduce((max, r) => Math.max(max, r.lastSeq), 0),
          results,
        },
      });
    }
    const logged = batchLog ? toLogBatches(records) : records;
    const fromOffset = appliedOffset;
    appliedOffset += logged.length;
    return { deliveries, records, logged, replies, events, expireApplied, fromOffset, applyStarted };
  }

  /** Group commit: one append per batch; resolves when durable. */
  async function appendBatch({ records, logged, applyStarted }: AppliedBatch) {
    if (logged.length === 0) return;
    const appendStarted = metrics ? performance.now() : 0;
    await log.append(logged);
    if (metrics) {
      const appended = performance.now();
      metrics.batch(records, (appendStarted - applyStarted) / 1000, (appended - appendStarted) / 1000);
    }
  }

  /** After the batch's append and every earlier one are durable: replies, events, acks. */
  async function releaseBatch(batch: AppliedBatch) {
    const { deliveries, records, logged, replies, events, expireApplied, fromOffset } = batch;
    logOffset += logged.length;
    commandsApplied += records.length;
    snapshotter.applied(records.length);
    if (halted) return;
    // Durable: the replies (one message per API instance: its replies of this batch, in order), the
    // events and the ack go out together. The ack needs only the append before it: a crash after
    // the ack and before a reply loses that reply, as a lost pub/sub message does, and the API's
    // retry with the same id gets the first reply from the dedupe window.
    const sent = replyMessages(replies).map(([channel, message]) => publishQuietly(channel, message));
    if (events.length > 0)
      sent.push(
        publishQuietly(eventsChannel, {
          fromOffset,
          records: logged.length,
          events,
        } satisfies EventBatch),
      );
    sent.push(
      queue
        .ack(deliveries.map((d) => d.id))
        .catch((err) => logger.warn({ err }, "ack failed; redelivery is deduplicated")),
    );
    scheduler.observe(events);
    expiry.sync(live().nextExpiry(), expireApplied);
    lastProgressAt = clock.now();
    // The loop reads the next batch while these are on the wire (each connection keeps their
    // order); it waits only for the previous batch's, so at most two batches' are outstanding.
    const previous = sending;
    sending = Promise.all(sent);
    await previous;
  }

  /** Sequential: apply, append, release; on failure the caller rebuilds from the log. */
  async function processBatch(deliveries: Delivery<CommandEnvelope>[]) {
    const batch = applyBatch(deliveries);
    await appendBatch(batch);
    await releaseBatch(batch);
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Replaces the live state with snapshot + log, exactly as a restarted process would. */
  async function rebuild(): Promise<Recovered> {
    // A produce that failed may still become visible (a new leader that had the records): wait
    // until the end offset holds still before reading up to it.
    let end = await log.endOffset();
    for (let i = 0; i < 10; i++) {
      await sleep(300);
      const again = await log.endOffset();
      if (again === end) break;
      end = again;
    }
    return adopt();
  }

  /** Snapshot + log replay, then the live state, snapshot schedule and close timers follow it. */
  async function adopt(): Promise<Recovered> {
    const recovered = await recover({
      log,
      snapshots: options.snapshots,
      engineConfig: options.engineConfig,
      recentLimit: options.recentLimit ?? 10_000,
      logger,
    });
    // Done reading: a Kafka reader would go on fetching (and decoding) every record appended next.
    log.idle?.();
    engine = recovered.engine;
    recent = recovered.recent;
    logOffset = recovered.logOffset;
    appliedOffset = logOffset;
    snapshotter.restored(recovered.snapshotOffset, recovered.replayedCommands);
    scheduler.syncFromMarkets(recovered.engine.markets());
    expiry.sync(recovered.engine.nextExpiry(), false);
    return recovered;
  }

  /**
   * An append failed (broker down, a leader election longer than the producer's retries, a refusal):
   * the state is ahead of the log and nothing of the batch was replied or acked. Never fatal: back
   * off, rebuild from the log (whatever part of the batch did land is then known to the dedupe
   * window), and apply the same deliveries again; repeat until it works or the service stops.
   */
  async function retryBatch(deliveries: Delivery<CommandEnvelope>[], first: unknown) {
    let error = first;
    for (let attempt = 0; !stopping; attempt++) {
      // A log handle that can never append again (a failed journal write), or an engine exception:
      // retrying cannot help; the service stops and the process exits for its supervisor.
      if ((error as { fatal?: unknown } | null)?.fatal === true) throw error;
      appendFailures++;
      appendFailing = `event log append failing: ${String((error as Error)?.message ?? error)}`;
      const waitMs = Math.min(retryInitialMs * 2 ** attempt, retryMaxMs);
      logger.error(
        { err: error, attempt, waitMs, commands: deliveries.length },
        "log append failed; rebuilding from the log and retrying",
      );
      await sleep(waitMs);
      if (stopping) return;
      try {
        const recovered = await rebuild();
        if (halted) return;
        await processBatch(deliveries);
        appendFailing = null;
        logger.warn({ attempt, logOffset, replayed: recovered.replayed }, "log appends work again");
        return;
      } catch (err) {
        if (err instanceof ReplayDivergedError) throw err; // the log disagrees with the engine: a bug
        error = err;
      }
    }
  }

  async function refreshDepth() {
    if (clock.now() - depthCheckedAt < 1_000) return;
    depthCheckedAt = clock.now();
    queueDepth = await queue.depth().catch(() => queueDepth);
  }

  // A queue outage is not fatal: nothing was taken, so wait and ask again.
  const receive = () =>
    queue.receive(batchMax, blockMs).catch(async (err) => {
      logger.warn({ err }, "queue receive failed; retrying");
      await sleep(500);
      return [] as Delivery<CommandEnvelope>[];
    });

  /** One batch at a time: for a log where a failed append may be followed by a successful one. */
  async function sequentialLoop() {
    while (!stopping) {
      const deliveries = await receive();
      if (halted) return;
      if (deliveries.length > 0) {
        await readersServed();
        unsettled++;
        try {
          await processBatch(deliveries).catch((error) => retryBatch(deliveries, error));
        } finally {
          settleOne();
        }
      }
      if (halted) return;
      if (snapshotter.due()) await atRest(() => snapshotter.maybe());
      await refreshDepth();
    }
    await sending;
  }

  /**
   * Fail-stop log: up to pipelineDepth batches applied ahead of the log. Appends are issued in
   * order, and each batch is released only after its own append and every earlier batch's
   * release; a failed append rejects every later one, so it is fatal and nothing after it is
   * replied or acked.
   */
  async function pipelinedLoop() {
    const inFlight: Promise<void>[] = [];
    let previous: Promise<void> = Promise.resolve();
    while (!stopping) {
      const deliveries = await receive();
      if (halted) return;
      if (deliveries.length > 0) {
        await readersServed();
        if (halted) return;
        const batch = applyBatch(deliveries);
        unsettled++;
        const appended = appendBatch(batch);
        appended.catch(() => {}); // observed through the chain below
        const released = previous
          .then(() => appended)
          .then(() => releaseBatch(batch))
          .finally(settleOne);
        released.catch(fail);
        previous = released;
        inFlight.push(released);
        if (inFlight.length >= pipelineDepth) await inFlight.shift();
      }
      if (halted) return;
      if (snapshotter.due()) await atRest(() => snapshotter.maybe());
      await refreshDepth();
    }
    await previous; // stop(): every batch in hand is released before the final snapshot
    await sending;
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
      const recovered = await adopt();
      startedAt = clock.now();
      lastProgressAt = startedAt;
      metrics?.recovered(recovered.elapsedMs / 1000);
      if (options.serveQueries) {
        unsubscribe = await pubsub.subscribe(
          channels.queries,
          (message) => void serveQuery(message as EngineQuery),
        );
      }
      loopDone = (pipelineDepth > 1 ? pipelinedLoop() : sequentialLoop()).then(resolveDone, fail);
      return recovered;
    },
    query: (kind, args) => atRest(() => answerQuery(live(), kind, args, stats)),
    snapshotNow: async () => {
      // The capture is synchronous at rest; the write goes on after the loop resumes.
      const written = await atRest(() => ({ done: snapshotter.now() }));
      await written.done;
    },
    async stop() {
      stopping = true;
      await loopDone;
      scheduler.stop();
      expiry.stop();
      await unsubscribe?.();
      if (!halted && engine && !appendFailing) await snapshotter.final();
      await snapshotter.close();
    },
    async halt() {
      halted = true;
      stopping = true;
      // As a crash: the snapshot worker stops where it is (a snapshot it wrote covers durable records only).
      const closed = snapshotter.close();
      scheduler.stop();
      expiry.stop();
      await unsubscribe?.();
      await loopDone;
      await closed;
      resolveDone();
    },
  };
  metrics?.watch(service);
  return service;
}

/** A batch's command records as LogBatches: consecutive, each closed once it holds LOG_BATCH_ITEMS items. */
export function toLogBatches(records: readonly LogRecord[]): LogBatch[] {
  const batches: LogBatch[] = [];
  let current: LogRecord[] = [];
  let items = 0;
  for (const r of records) {
    const size = 1 + r.events.length;
    if (current.length > 0 && items + size > LOG_BATCH_ITEMS) {
      batches.push({ batch: current });
      current = [];
      items = 0;
    }
    current.push(r);
    items += size;
  }
  if (current.length > 0) batches.push({ batch: current });
  return batches;
}
