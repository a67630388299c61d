import { randomUUID } from "node:crypto";
import type { CommandQueue, Delivery, EventLog, PubSub } from "@ox/bus";
import {
  type CommandEnvelope,
  channels,
  completedEnvelopeId,
  type EngineQuery,
  type EngineQueryKind,
  type EngineQueryReply,
  type EngineStats,
  type EventBatch,
  globalSeq,
  isEnvelopeShaped,
  type LogRecord,
  packEnvelopes,
  packPeerInput,
  peerEnvelope,
  peerInputOf,
  receiptOf,
  SEQ_SHARDS,
  SHARD_LOG_ITEMS_PER_RECORD,
  type ShardLogBatch,
  type ShardLogRecord,
  type ShardPackedEntry,
  type ShardStreamEntry,
  shardEnvelopeId,
  shardQueryChannel,
  unpackEnvelopes,
  unpackGroup,
} from "@ox/contracts/pipeline";
import { createFenceFilter, type FenceFilter, fenceOf } from "@ox/contracts/shard-fence";
import type { Command, Engine, EngineEvent, OrderView, Result } from "@ox/engine";
import {
  describeShardMap,
  type Envelope,
  engineOver,
  type LinksDoc,
  MatchingShard,
  RiskShard,
  type ShardInput,
  type ShardMap,
  type ShardStep,
  shardIds,
} from "@ox/engine/shards";
import Redis from "ioredis";
import type { Logger } from "pino";
import { createCloseScheduler } from "./close-scheduler.ts";
import { createExpiryScheduler } from "./expiry-scheduler.ts";
import type { EngineMetrics } from "./metrics.ts";
import { answerQuery } from "./queries.ts";
import { createRecentReplies, type RecentReplies } from "./recent-replies.ts";
import { ReplayDivergedError } from "./recovery.ts";
import { type AddressedReply, replyMessages, replyOf } from "./reply.ts";
import { type ShardFencing, SupersededError } from "./shard-fencing.ts";
import { createRetransmitter } from "./shard-retransmit.ts";
import { decodeShardShell, encodeShardShell } from "./shard-snapshots.ts";
import type { SnapshotStore } from "./snapshot-store.ts";
import { createSnapshotter } from "./snapshotter.ts";

/**
 * One shard of the sharded engine as a process (packages/engine README "Shard processes"): a
 * MatchingShard or RiskShard over its own input stream, with its own log, snapshots and recovery,
 * exactly as the single engine's service.ts.
 *
 * Per batch of stream entries: apply each input (a command, or a peer's envelope; an entry of a
 * peer carries many), one ShardLogRecord per input applied, group-commit them to the shard's log
 * as one log record (ShardLogBatch; a large batch as a few); only once durable: XADD the envelopes
 * the inputs sent, one stream entry per destination, publish the replies of the commands
 * completed, then XACK the entries. A crash anywhere loses nothing: before the append nothing left the
 * process (the entries are redelivered); after it, recovery replays the records, re-sends every
 * envelope not known to be applied (receivers drop repeats by per-link seq) and re-publishes
 * nothing (a redelivered command gets its first reply from the dedupe window).
 *
 * Acks (so the unacknowledged lists stay bounded): after every durable batch a shard writes what it
 * has applied from each peer (`received`, per source: the last seq) to its Redis hash
 * `ackKey(S)`; every ackEveryMs each shard reads its peers' hashes and forgets the envelopes they
 * hold as applied. The hash is written only after the receiver's log has the applying records, so
 * it never claims more than a recovery would find; a lost hash only delays acks (the sender
 * re-sends, the receiver drops the repeats). Acks are not logged: after a restart the unacked lists
 * are what the snapshot + replay say (longer than before the crash, never shorter), and the first
 * ack read trims them again.
 *
 * Envelopes lost without a restart (a Redis restarted empty) are sent again by the retransmit
 * timer (shard-retransmit.ts). Stale incarnations are fenced (shard-fencing.ts): each start takes
 * an epoch and appends a fence, every log record carries its epoch, readers skip what a
 * superseded incarnation appended late, and the envelopes and acks go out through one Redis
 * script that checks the epoch — replies only after it passed.
 */

/** What the shard's input stream carries (@ox/contracts ShardStreamEntry). */
export type ShardQueue = CommandQueue<ShardStreamEntry>;

export interface ShardServiceOptions {
  shard: string;
  map: ShardMap;
  queue: ShardQueue;
  /** A producer on another shard's input stream (the envelopes this shard sends). */
  peer: (shard: string) => ShardQueue;
  log: EventLog<ShardLogBatch>;
  pubsub: PubSub<unknown>;
  snapshots: SnapshotStore;
  /** What every shard has applied from each peer: read and written as a small hash per shard. */
  acks: AckStore;
  logger: Logger;
  clock?: { now(): number };
  dedupeWindowMs?: number;
  batchMax?: number;
  blockMs?: number;
  snapshotEveryCommands?: number;
  snapshotEveryMs?: number;
  recentLimit?: number;
  ackEveryMs?: number;
  /** Re-send envelopes unacked this long (shard-retransmit.ts); 0 or absent: only at recovery. */
  retransmitMs?: number;
  /** Fault injection (tests only): wait this long between applying a batch and appending it. */
  faultAppendDelayMs?: number;
  /**
   * Fencing of stale incarnations (shard-fencing.ts): an epoch per incarnation, a fence record
   * first in the log, envelopes and acks sent through the epoch-checking script. Absent: no fence.
   */
  fencing?: { fence: ShardFencing; streamOf(shard: string): string; ackKey: string };
  /** Subscribe to shardQueryChannel(S). */
  serveQueries?: boolean;
  metrics?: EngineMetrics;
}

/** Per shard: source shard → last seq applied (durably). */
export interface AckStore {
  write(shard: string, received: Map<string, number>): Promise<void>;
  read(shard: string): Promise<Map<string, number>>;
}

export interface ShardService {
  start(): Promise<ShardRecovered>;
  readonly shard: MatchingShard | RiskShard;
  query(kind: EngineQueryKind, args: unknown[]): Promise<unknown>;
  stats(): ShardStats;
  snapshotNow(): Promise<void>;
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

export interface ShardRecovered {
  snapshotOffset: number;
  replayed: number;
  logOffset: number;
  resent: number;
  elapsedMs: number;
}

export interface ShardStats extends EngineStats {
  shard: string;
  mapVersion: number;
  /** Per destination: last seq sent, and how many of those are not yet known applied. */
  sent: Record<string, { seq: number; unacked: number }>;
  /** Per source: last seq applied. */
  received: Record<string, number>;
  /** Matching: BUYs awaiting their reservation. */
  parked: number;
  /** The links in full (Links.toJSON()): reconcile counts what is in flight from them. */
  links: LinksDoc;
}

/** A command this shard took and has not completed yet (a parked BUY), by input index. */
interface Pending {
  envelopeId: string;
  replyTo: string | null;
  command: Command;
}

const MATCHING_KINDS = new Set<EngineQueryKind>([
  "book",
  "market",
  "markets",
  "openOrders",
  "order",
  "positions",
  "stats",
]);
const RISK_KINDS = new Set<EngineQueryKind>(["account", "totals", "stats"]);

export function createShardService(options: ShardServiceOptions): ShardService {
  const { queue, log, pubsub, logger, map, metrics, acks } = options;
  const id = options.shard;
  const isMatching = id.startsWith("m");
  const k = Number(id.slice(1));
  if (!shardIds(map).includes(id)) throw new Error(`${id} is not a shard of map v${map.version}`);
  // globalSeq(id, local), its ordinal looked up once (it is on every event).
  const ordinal = globalSeq(id, 0);
  const gseq = (local: number) => local * SEQ_SHARDS + ordinal;
  /** An order view with its acceptedSeq global, as every seq that leaves the shard. */
  const globalView = (o: OrderView): OrderView =>
    o.acceptedSeq > 0 ? { ...o, acceptedSeq: gseq(o.acceptedSeq) } : o;
  const clock = options.clock ?? { now: Date.now };
  const batchMax = options.batchMax ?? 500;
  const blockMs = options.blockMs ?? 100;
  const ackEveryMs = options.ackEveryMs ?? 1_000;
  const retransmitMs = options.retransmitMs ?? 0;
  const faultAppendDelayMs = options.faultAppendDelayMs ?? 0;
  const retransmit = retransmitMs > 0 ? createRetransmitter({ intervalMs: retransmitMs }) : null;
  const recentLimit = options.recentLimit ?? 10_000;
  const fresh = () =>
    isMatching
      ? new MatchingShard(k, map, options.dedupeWindowMs)
      : new RiskShard(k, map, options.dedupeWindowMs);
  let shard: MatchingShard | RiskShard = fresh();
  let view: Engine = engineOver(shard.state);
  let recent: RecentReplies = createRecentReplies(recentLimit);
  const pending = new Map<number, Pending>();
  const pendingIds = new Set<string>();
  let nextIndex = 0;
  let logOffset = 0;
  const fenced = options.fencing;
  /** This incarnation's epoch (stamped on its records), and the log's fence rule as replayed. */
  let epoch = 0;
  let filter: FenceFilter = createFenceFilter();
  let commandsApplied = 0;
  let ordersPlaced = 0;
  let queueDepth = 0;
  let depthCheckedAt = 0;
  let startedAt = 0;
  let lastAckAt = 0;
  let stopping = false;
  let failed = false;
  let loopDone: Promise<void> = Promise.resolve();
  let durable: Promise<void> | null = null;
  /** The last batch's ack (it may wait for the next read: foldAcksIntoReads). */
  let acking: Promise<unknown> = Promise.resolve();
  let unsubscribe: (() => Promise<void>) | null = null;
  /** What we last wrote to our ack hash, and when (written on change, and again every retransmitMs). */
  let ackedWritten = "";
  let ackedWrittenAt = 0;
  const peers = new Map<string, ShardQueue>();
  let resolveDone!: () => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => {});

  const peer = (to: string) => {
    let q = peers.get(to);
    if (q === undefined) {
      q = options.peer(to);
      peers.set(to, q);
    }
    return q;
  };

  const stats = (): ShardStats => {
    const sent: ShardStats["sent"] = {};
    for (const [to, seq] of shard.links.sent)
      sent[to] = { seq, unacked: shard.links.unacked.get(to)?.length ?? 0 };
    return {
      shard: id,
      mapVersion: map.version,
      lastSeq: shard.state.out.seq > 0 ? gseq(shard.state.out.seq) : 0,
      logOffset,
      queueDepth,
      snapshotOffset: snapshotter.lastOffset(),
      commandsApplied,
      ordersPlaced,
      startedAt,
      degraded: null,
      appendFailures: 0,
      sent,
      received: Object.fromEntries(shard.links.received),
      parked: shard instanceof MatchingShard ? shard.parked.size : 0,
      links: shard.links.toJSON(),
    };
  };

  /** The snapshot body: the shard's own snapshot + the shell's (shard-snapshots.ts). */
  const encodeShell = (): Uint8Array =>
    encodeShardShell(
      { v: "shard-shell/2", shard: id, nextIndex, pending: [...pending], epoch: filter.epoch },
      shard.snapshot(),
    );

  const snapshotter = createSnapshotter({
    store: options.snapshots,
    logger,
    clock,
    everyCommands: options.snapshotEveryCommands ?? 100_000,
    everyMs: options.snapshotEveryMs ?? 60_000,
    observe: metrics ? (seconds, ok) => metrics.snapshot(seconds, ok) : undefined,
    capture: () => ({
      engine: { lastSeq: shard.state.out.seq, snapshot: encodeShell },
      recent,
      logOffset,
    }),
  });

  const scheduler = createCloseScheduler({
    now: () => clock.now(),
    onDue: async (marketId) => {
      const ts = clock.now();
      await queue.send({ id: randomUUID(), replyTo: null, command: { type: "CLOSE_MARKET", marketId, ts } });
      logger.info({ marketId, ts }, "market close sent");
    },
  });

  // A matching shard's GTD orders: EXPIRE_ORDERS into its own stream at its markets' next expiry.
  const expiry = createExpiryScheduler({
    now: () => clock.now(),
    onDue: async (ts) => {
      await queue.send({ id: randomUUID(), replyTo: null, command: { type: "EXPIRE_ORDERS", ts } });
      logger.debug({ ts }, "order expiry sent");
    },
  });

  const publishQuietly = (channel: string, message: unknown) =>
    pubsub.publish(channel, message).catch((err) => logger.warn({ err, channel }, "publish failed"));

  /**
   * One input through the shard: its log record, the envelopes it sent (not in the record: `sent`
   * counts them) and the reply of the command it completed. The same function serves live
   * processing and replay, so a replay is the same computation.
   */
  const applyInput = (
    input: ShardLogRecord["input"],
  ): {
    record: ShardLogRecord;
    out: Envelope[];
    reply: AddressedReply | null;
  } => {
    let shardInput: ShardInput;
    let index = -1;
    if (input.kind === "fence") throw new Error(`${id}: a fence record is not an input`);
    if (input.kind === "command") {
      index = nextIndex++;
      shardInput = { kind: "command", index, cmd: input.command };
    } else shardInput = peerInputOf(input, id);
    let step: ShardStep;
    try {
      step = shard.apply(shardInput);
    } catch (cause) {
      const what = input.kind === "command" ? input.envelopeId : shardEnvelopeId(peerEnvelope(input, id));
      throw Object.assign(new Error(`${id} threw applying ${what}`, { cause }), { fatal: true });
    }
    const out = shard.links.drain();
    // Seqs leave the shard global (globalSeq): unique across shards, monotone per shard. Set in
    // place: each input's events are fresh objects (events.ts) that the shard does not keep.
    const events = step.events as EngineEvent[];
    for (let i = 0; i < events.length; i++) events[i].seq = gseq(events[i].seq);
    let completed: ShardLogRecord["completed"] = null;
    let reply: AddressedReply | null = null;
    // A command completes itself or parks (a BUY awaiting its reservation: pending until the
    // input that completes it); only a peer's envelope completes a pending one.
    if (input.kind === "command" && step.index !== index) {
      if (step.index !== -1) throw new Error(`${id}: command ${index} completed input ${step.index}`);
      pending.set(index, { envelopeId: input.envelopeId, replyTo: input.replyTo, command: input.command });
      pendingIds.add(input.envelopeId);
    }
    if (step.index >= 0) {
      let p: Pending | undefined;
      if (input.kind === "command") p = input;
      else {
        p = pending.get(step.index);
        if (p === undefined) throw new Error(`${id}: completed input ${step.index} is not pending`);
        pending.delete(step.index);
        pendingIds.delete(p.envelopeId);
      }
      const result = step.result as Result;
      // A command answered at once: its record's input names it (completedEnvelopeId). A parked
      // one is named; its reply channel is not logged (the record of the input that parked it
      // holds it, which is what recovery rebuilds the pending command from).
      completed =
        input.kind === "command" && input.envelopeId === p.envelopeId
          ? { code: result.code }
          : { envelopeId: p.envelopeId, code: result.code };
      // A parked BUY completed by its answer: the persister needs its PLACE_ORDER only for an
      // ORDER_REJECTED (the command is in the log already, as the input that parked it).
      if (input.kind !== "command" && events.some((e) => e.type === "ORDER_REJECTED"))
        completed.command = p.command;
      // The result, its events and its order view are this input's own (fresh) objects.
      if (result.order) result.order = globalView(result.order);
      const r = replyOf(p.envelopeId, p.command, result);
      recent.remember(p.envelopeId, r);
      reply = { replyTo: p.replyTo, reply: r };
      if (p.command.type === "PLACE_ORDER") ordersPlaced++;
    }
    // A peer's envelope logged as what replay needs (packPeerInput), not whole; a packed one (and a
    // group) as it came off the stream, not packed again.
    const logged = input.kind === "message" ? packPeerInput(input.env, id) : input;
    // The usual values left out: APPLIED (receiptOf), no command completed, no envelope sent.
    const record: ShardLogRecord = { input: logged, events };
    if (step.receipt !== "APPLIED") record.receipt = step.receipt;
    if (completed !== null) record.completed = completed;
    if (out.length > 0) record.sent = out.length;
    return { record, out, reply };
  };

  /**
   * A stream entry's inputs, pushed onto `into`: a command (or none: a repeat to answer again, junk
   * to drop), or a peer's envelopes (many per entry as sendOut writes them, or one).
   */
  const inputsOf = (
    delivery: Delivery<ShardStreamEntry>,
    repeats: AddressedReply[],
    into: ShardLogRecord["input"][],
  ): void => {
    const body = delivery.body as Partial<CommandEnvelope> & {
      shard?: unknown;
      shards?: unknown;
      m?: unknown;
    };
    if (typeof body !== "object" || body === null || typeof body.id !== "string") {
      logger.error({ queueId: delivery.id }, "malformed stream entry dropped");
      return;
    }
    if (body.m !== undefined) {
      // A peer's envelopes packed (packEnvelopes), logged as they came: at a risk shard one group
      // input (`peers`, consecutive seqs), at a matching shard one `peer` input each (every
      // RESERVE_ANSWER completes its own command).
      if (!isMatching) {
        const group = unpackGroup(body as Partial<ShardPackedEntry>, id);
        if (group !== null) {
          into.push(group);
          return;
        }
      }
      const peers = unpackEnvelopes(body as Partial<ShardPackedEntry>, id);
      if (peers === null) {
        logger.error({ queueId: delivery.id, id: body.id }, "malformed envelopes dropped");
        return;
      }
      for (const p of peers) into.push(p);
      return;
    }
    if (body.shards !== undefined || body.shard !== undefined) {
      // Peers' envelopes: the streams are internal, a cheap shape check (not a zod parse) suffices.
      const envs = body.shards ?? [body.shard];
      if (!Array.isArray(envs) || !envs.every(isEnvelopeShaped)) {
        logger.error({ queueId: delivery.id, id: body.id }, "malformed envelope dropped");
        return;
      }
      for (const env of envs) into.push({ kind: "message", env });
      return;
    }
    const replyTo = typeof body.replyTo === "string" ? body.replyTo : null;
    if (body.command === undefined || body.commands !== undefined) {
      // A batch envelope cannot be answered at once by a shard (its BUYs park): the API splits batches.
      logger.error({ queueId: delivery.id, id: body.id }, "command batch sent to a shard: refused");
      if (replyTo)
        repeats.push({
          replyTo,
          reply: { id: body.id, code: "INVALID_COMMAND", duplicate: false, order: null, lastSeq: 0 },
        });
      return;
    }
    const seen = recent.get(body.id);
    if (seen) {
      if (replyTo) repeats.push({ replyTo, reply: seen });
      return;
    }
    if (pendingIds.has(body.id)) return; // a parked BUY redelivered: its reply comes when it completes
    into.push({ kind: "command", envelopeId: body.id, replyTo, command: body.command as Command });
  };

  /**
   * XADD envelopes: per destination one stream entry carrying that destination's envelopes in seq
   * order (at most ENVELOPES_PER_ENTRY each), the destinations at once. A failure re-sends that
   * link's whole unacked list.
   */
  async function sendOut(envs: Envelope[]) {
    if (fenced) return sendFenced(envs);
    if (envs.length === 0) return;
    for (let attempt = 0; ; attempt++) {
      const failedLinks = new Set<string>();
      const byLink = new Map<string, Envelope[]>();
      for (const env of envs) {
        const list = byLink.get(env.to);
        if (list === undefined) byLink.set(env.to, [env]);
        else list.push(env);
      }
      const sends: Promise<unknown>[] = [];
      for (const [to, list] of byLink)
        for (let i = 0; i < list.length; i += ENVELOPES_PER_ENTRY) {
          const chunk = list.slice(i, i + ENVELOPES_PER_ENTRY);
          sends.push(
            peer(to)
              .send(packEnvelopes(chunk))
              .catch((err) => {
                if (!failedLinks.has(to)) logger.warn({ err, to }, "envelope send failed; retrying");
                failedLinks.add(to);
              }),
          );
        }
      await Promise.all(sends);
      if (failedLinks.size === 0) return;
      if (stopping) return; // a restart re-sends everything unacked
      await sleep(Math.min(200 * 2 ** attempt, 2_000));
      envs = [];
      for (const to of failedLinks) for (const e of shard.links.unacked.get(to) ?? []) envs.push(e);
    }
  }

  async function processBatch(deliveries: Delivery<ShardStreamEntry>[]) {
    const records: ShardLogRecord[] = [];
    const replies: AddressedReply[] = [];
    const applyStarted = metrics ? performance.now() : 0;
    let expireApplied = false;
    const inputs: ShardLogRecord["input"][] = [];
    for (const d of deliveries) inputsOf(d, replies, inputs);
    const out: Envelope[] = [];
    for (const input of inputs) {
      if (input.kind === "command" && input.command.type === "EXPIRE_ORDERS") expireApplied = true;
      const applied = applyInput(input);
      records.push(applied.record);
      for (const e of applied.out) out.push(e);
      if (applied.reply) replies.push(applied.reply);
    }
    const batches = toLogBatches(id, records);
    for (const b of batches) b.epoch = epoch; // fencing: whose log record this is
    if (records.length > 0) {
      if (faultAppendDelayMs > 0) await sleep(faultAppendDelayMs);
      const appendStarted = metrics ? performance.now() : 0;
      // A failed append is fatal for a shard: the state is ahead of the log; the process exits and
      // its restart recovers from the log (the entries are redelivered, nothing was sent).
      await log.append(batches).catch((err) => {
        throw Object.assign(new Error(`${id}: log append failed`, { cause: err }), { fatal: true });
      });
      if (metrics)
        metrics.batch(
          asLogRecords(records),
          (appendStarted - applyStarted) / 1000,
          (performance.now() - appendStarted) / 1000,
        );
      logOffset += batches.length;
      // Inputs as envelopes and commands: a group counts its envelopes (the snapshot cadence
      // bounds what a recovery replays).
      let applied = 0;
      for (const r of records) applied += inputsIn(r);
      commandsApplied += applied;
      snapshotter.applied(applied);
    }
    const events: EngineEvent[] = [];
    for (const r of records) for (const e of r.events) events.push(e);
    await sendOut(out);
    // The replies as the single engine sends them: one message per reply channel (API instance)
    // per batch, its replies in order (a lone reply as itself); the gateway reads both.
    const sent = replyMessages(replies).map(([channel, message]) => publishQuietly(channel, message));
    // Live updates (the stream process), as the single engine's; fromOffset is this shard's.
    if (events.length > 0)
      sent.push(
        publishQuietly(channels.events, {
          fromOffset: logOffset - batches.length,
          records: batches.length,
          events,
        } satisfies EventBatch),
      );
    await Promise.all(sent);
    if (isMatching) scheduler.observe(events);
    if (isMatching) expiry.sync(view.nextExpiry(), expireApplied);
    // Not awaited: a queue opened with foldAcksIntoReads (shard-main.ts, as the single engine's)
    // writes it with the loop's next read, in one socket write; it is issued only now, after the
    // append, the envelopes and the publishes. A crash before it lands redelivers the entries,
    // which the dedupe window and the links' seqs drop.
    acking = queue
      .ack(deliveries.map((d) => d.id))
      .catch((err) => logger.warn({ err }, "ack failed; redelivery is deduplicated"));
  }

  /** Publish what we applied (durably), and forget what peers applied of ours. */
  async function exchangeAcks(force = false) {
    if (!force && clock.now() - lastAckAt < ackEveryMs) return;
    lastAckAt = clock.now();
    const mine = JSON.stringify([...shard.links.received]);
    // Written again now and then: a Redis restarted empty lost the hash, and senders wait on it.
    if (mine !== ackedWritten || (retransmit && lastAckAt - ackedWrittenAt >= retransmitMs)) {
      if (fenced) await fencedScript([], { key: fenced.ackKey, received: new Map(shard.links.received) });
      else await acks.write(id, new Map(shard.links.received));
      ackedWritten = mine;
      ackedWrittenAt = lastAckAt;
    } else if (fenced) await fencedScript([]); // the periodic check: a superseded idle process stops
    for (const to of shard.links.unacked.keys()) {
      const theirs = await acks.read(to);
      const seq = theirs.get(id);
      if (seq !== undefined) shard.links.ack(to, seq);
    }
  }

  /**
   * Envelopes out through the epoch-checking script (shard-fencing.ts): all of them, or none and
   * SupersededError (fatal: the batch's replies are never published, its entries never acked).
   * Called for every batch, envelopes or not: it is the check that gates the replies.
   */
  async function sendFenced(envs: Envelope[]) {
    // As sendOut: one entry per destination (chunks of ENVELOPES_PER_ENTRY), in seq order.
    const byLink = new Map<string, Envelope[]>();
    for (const env of envs) {
      const list = byLink.get(env.to);
      if (list === undefined) byLink.set(env.to, [env]);
      else list.push(env);
    }
    const entries: { stream: string; body: string }[] = [];
    for (const [to, list] of byLink)
      for (let i = 0; i < list.length; i += ENVELOPES_PER_ENTRY) {
        const chunk = list.slice(i, i + ENVELOPES_PER_ENTRY);
        entries.push({
          stream: (fenced as NonNullable<typeof fenced>).streamOf(to),
          body: JSON.stringify(packEnvelopes(chunk) satisfies ShardStreamEntry),
        });
      }
    for (let attempt = 0; ; attempt++) {
      try {
        return await fencedScript(entries);
      } catch (err) {
        if (err instanceof SupersededError || stopping) throw err;
        logger.warn({ err }, "envelope send failed; retrying");
        await sleep(Math.min(200 * 2 ** attempt, 2_000));
      }
    }
  }

  /** One run of the fencing script; a lost epoch key (Redis restarted empty) is settled by the log. */
  async function fencedScript(
    entries: { stream: string; body: string }[],
    ackWrite?: { key: string; received: ReadonlyMap<string, number> },
  ) {
    const f = (fenced as NonNullable<typeof fenced>).fence;
    for (;;) {
      if ((await f.send(epoch, entries, ackWrite)) === "ok") return;
      logger.warn({ shard: id, epoch }, "shard epoch key lost (Redis restarted empty?): checking the log");
      const newer = await newerFence();
      if (newer !== null) throw new SupersededError(id, epoch, newer);
      await f.assert(epoch);
    }
  }

  /** A fence above our epoch in our log after where we stand, or null. */
  async function newerFence(): Promise<number | null> {
    const end = await log.endOffset();
    let at = Math.min(logOffset, end);
    while (at < end) {
      const entries = await log.read(at, 5_000);
      if (entries.length === 0) break;
      for (const { record } of entries) {
        const fence = fenceOf(record);
        if (fence !== null && fence.epoch > epoch) return fence.epoch;
      }
      at = entries[entries.length - 1].offset + 1;
    }
    log.idle?.();
    return null;
  }

  /**
   * Re-applies one logged record and checks it against the log (replay and catching up): the
   * receipt, the command completed, how many events and envelopes (a log from before `sent`: the
   * envelopes whole).
   */
  const replayRecord = (at: number, record: ShardLogRecord) => {
    const { record: again, out } = applyInput(record.input);
    const logged = record.out?.length ?? record.sent ?? 0;
    if (
      receiptOf(again) !== receiptOf(record) ||
      completedEnvelopeId(again) !== completedEnvelopeId(record) ||
      out.length !== logged ||
      (record.out !== undefined && JSON.stringify(out) !== JSON.stringify(record.out)) ||
      again.events.length !== record.events.length
    )
      throw new ReplayDivergedError(
        at,
        record.input.kind === "command"
          ? record.input.envelopeId
          : record.input.kind !== "fence"
            ? shardEnvelopeId(peerEnvelope(record.input, id))
            : "fence",
        `${id}: replay gives ${receiptOf(again)}/${out.length} envelopes/${again.events.length} events, the log ${receiptOf(record)}/${logged}/${record.events.length}`,
      );
  };

  /**
   * This incarnation's epoch and fence (shard-fencing.ts): the Redis key raised first, then the
   * fence record appended, then the log read up to it — a late append of the previous incarnation
   * may have landed between the end we replayed to and our fence: it counts (it precedes the
   * fence) and is applied here. A newer fence before ours: another incarnation won; we stop.
   */
  async function takeEpoch(offset: number): Promise<number> {
    const f = (fenced as NonNullable<typeof fenced>).fence;
    const seen = filter.epoch;
    const mine = await f.acquire(seen);
    const incarnation = randomUUID();
    await log.append([
      {
        shard: id,
        records: [
          {
            input: { kind: "fence", epoch: mine, prev: seen, from: offset, incarnation },
            receipt: "APPLIED",
            completed: null,
            events: [],
          },
        ],
        epoch: mine,
      },
    ]);
    for (let idle = 0; ; ) {
      const entries = await log.read(offset, 5_000);
      if (entries.length === 0) {
        if (++idle > 100)
          throw new Error(`${id}: our fence (epoch ${mine}) is not in the log after ${offset}`);
        await sleep(100);
        continue;
      }
      for (const { offset: at, record: batch } of entries) {
        if (at !== offset) throw new Error(`${id}: log offset ${at}, expected ${offset}`);
        offset++;
        if (fenceOf(batch)?.incarnation === incarnation) {
          const before = filter.epoch;
          filter.admit(batch);
          if (before >= mine) throw new SupersededError(id, mine, before);
          epoch = mine;
          logger.info({ shard: id, epoch, prev: seen, fenceOffset: at }, "shard fenced its log");
          return offset;
        }
        if (filter.admit(batch)) for (const record of batch.records) replayRecord(at, record);
      }
    }
  }

  /** The retransmit timer: envelopes unacked for retransmitMs are sent again (shard-retransmit.ts). */
  async function resendOverdue() {
    const again = retransmit?.due(shard.links.unacked, clock.now()) ?? [];
    if (again.length === 0) return;
    logger.warn(
      { shard: id, envelopes: again.length, total: retransmit?.resent },
      "unacked envelopes sent again",
    );
    await sendOut(again);
  }

  async function recover(): Promise<ShardRecovered> {
    const started = performance.now();
    // From scratch every time: a start that failed half way (Kafka down mid-replay) is retried.
    shard = fresh();
    pending.clear();
    pendingIds.clear();
    nextIndex = 0;
    recent = createRecentReplies(recentLimit);
    const snap = await options.snapshots.loadLatest();
    let snapshotOffset = 0;
    filter = createFenceFilter();
    epoch = 0;
    if (snap) {
      const shell = decodeShardShell<Pending>(snap.engine);
      if (shell === null || shell.doc.shard !== id)
        throw new Error(`snapshot is not of shard ${id} (${shell?.doc.v} ${shell?.doc.shard})`);
      const { doc, state: bytes } = shell;
      shard = isMatching
        ? MatchingShard.restore(bytes, map, options.dedupeWindowMs)
        : RiskShard.restore(bytes, map, options.dedupeWindowMs);
      nextIndex = doc.nextIndex;
      for (const [index, p] of doc.pending) {
        pending.set(index, p);
        pendingIds.add(p.envelopeId);
      }
      recent = createRecentReplies(recentLimit, snap.recent);
      snapshotOffset = snap.logOffset;
      filter = createFenceFilter(doc.epoch ?? 0);
    }
    // An append of the previous incarnation may still land (killed mid-request): read up to an end
    // that holds still, as service.ts's rebuild does.
    let end = await log.endOffset();
    for (let i = 0; i < 5; i++) {
      await sleep(200);
      const again = await log.endOffset();
      if (again === end) break;
      end = again;
    }
    if (end < snapshotOffset)
      throw new Error(`${id}: log ends at ${end} but the snapshot covers up to ${snapshotOffset}: wrong log`);
    let offset = snapshotOffset;
    while (offset < end) {
      const entries = await log.read(offset, 200); // log records: batches of up to 512 items
      if (entries.length === 0) throw new Error(`${id}: log read at ${offset} returned nothing (end ${end})`);
      for (const { offset: at, record: batch } of entries) {
        if (at !== offset) throw new Error(`${id}: log offset ${at}, expected ${offset}`);
        if (batch.shard !== id) throw new Error(`${id}: log record ${at} is of shard ${batch.shard}`);
        // Fences and a superseded incarnation's late log records take their offset and apply nothing.
        if (filter.admit(batch)) for (const record of batch.records) replayRecord(at, record);
        offset++;
      }
    }
    if (fenced) offset = await takeEpoch(offset);
    else epoch = filter.epoch;
    log.idle?.(); // done reading: a Kafka reader would go on fetching every record we append
    logOffset = offset;
    view = engineOver(shard.state);
    snapshotter.restored(snapshotOffset, offset - snapshotOffset);
    if (isMatching) scheduler.syncFromMarkets(view.markets());
    if (isMatching) expiry.sync(view.nextExpiry(), false);
    // Forget what peers already applied, then send the rest again: receivers drop the repeats.
    await exchangeAcks(true).catch((err) => {
      if (err instanceof SupersededError) throw err;
      logger.warn({ err }, "ack exchange failed at start");
    });
    shard.links.resendUnacked();
    const resend = shard.links.drain();
    await sendOut(resend);
    const elapsedMs = Math.round(performance.now() - started);
    const recovered = {
      snapshotOffset,
      replayed: offset - snapshotOffset,
      logOffset,
      resent: resend.length,
      elapsedMs,
    };
    logger.info({ shard: id, ...recovered }, "shard recovered");
    return recovered;
  }

  async function refreshDepth() {
    if (clock.now() - depthCheckedAt < 1_000) return;
    depthCheckedAt = clock.now();
    queueDepth = await queue.depth().catch(() => queueDepth);
  }

  async function loop() {
    while (!stopping) {
      const deliveries = await queue.receive(batchMax, blockMs).catch(async (err) => {
        logger.warn({ err }, "queue receive failed; retrying");
        await sleep(500);
        return [] as Delivery<ShardStreamEntry>[];
      });
      if (stopping && deliveries.length === 0) return;
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
      // Our count of the log's records misses any a superseded incarnation landed after our fence:
      // a snapshot takes the true end (between batches, every record of ours is in it).
      if (fenced && snapshotter.due()) logOffset = Math.max(logOffset, await log.endOffset());
      snapshotter.maybe();
      await exchangeAcks().catch((err) => {
        if (err instanceof SupersededError) throw err;
        logger.warn({ err }, "ack exchange failed; retrying");
      });
      await resendOverdue();
      await refreshDepth();
    }
  }

  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    stopping = true;
    scheduler.stop();
    expiry.stop();
    logger.fatal({ err: error, shard: id }, "shard service stopped on a fatal error");
    rejectDone(error);
  };

  async function serveQuery(q: EngineQuery) {
    if (!q || typeof q.replyTo !== "string") return;
    let reply: EngineQueryReply;
    try {
      reply = { id: q.id, ok: true, result: await service.query(q.kind, q.args ?? []) };
    } catch (error) {
      reply = { id: q.id, ok: false, result: null, error: (error as Error).message };
    }
    await publishQuietly(q.replyTo, reply);
  }

  const service: ShardService = {
    get shard() {
      return shard;
    },
    done,
    stats,
    async start() {
      logger.info({ shard: id, map }, describeShardMap(map));
      const recovered = await recover();
      startedAt = clock.now();
      metrics?.recovered(recovered.elapsedMs / 1000);
      if (options.serveQueries)
        unsubscribe = await pubsub.subscribe(shardQueryChannel(id), (m) => void serveQuery(m as EngineQuery));
      loopDone = loop().then(resolveDone, fail);
      return recovered;
    },
    async query(kind, args) {
      while (durable) await durable;
      if (!(isMatching ? MATCHING_KINDS : RISK_KINDS).has(kind))
        throw new Error(`${id} does not answer ${kind} (${isMatching ? "a matching" : "a risk"} shard)`);
      if (kind === "stats") return stats();
      const result = answerQuery(view, kind, args, stats);
      if (kind === "order" && result !== null) return globalView(result as OrderView);
      if (kind === "openOrders") return (result as OrderView[]).map(globalView);
      return result;
    },
    snapshotNow: () => snapshotter.now(),
    async stop() {
      stopping = true;
      await loopDone;
      await acking;
      scheduler.stop();
      expiry.stop();
      await unsubscribe?.();
      if (!failed && fenced) logOffset = Math.max(logOffset, await log.endOffset().catch(() => logOffset));
      if (!failed) await snapshotter.final();
      await Promise.allSettled([...peers.values()].map((q) => q.close()));
    },
  };
  metrics?.watch({
    stats,
    get engine() {
      return view;
    },
  });
  return service;
}

/** Envelopes per stream entry at most (an entry stays well under a Redis reply's comfortable size). */
const ENVELOPES_PER_ENTRY = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A batch's records as log records (ShardLogBatch): consecutive records, each log record closed
 * once it holds SHARD_LOG_ITEMS_PER_RECORD items (inputs, events).
 */
function toLogBatches(shard: string, records: ShardLogRecord[]): ShardLogBatch[] {
  const batches: ShardLogBatch[] = [];
  let current: ShardLogRecord[] = [];
  let items = 0;
  for (const r of records) {
    const size = inputsIn(r) + r.events.length;
    if (current.length > 0 && items + size > SHARD_LOG_ITEMS_PER_RECORD) {
      batches.push({ shard, records: current });
      current = [];
      items = 0;
    }
    current.push(r);
    items += size;
  }
  if (current.length > 0) batches.push({ shard, records: current });
  return batches;
}

/** How many inputs a record stands for: a group (`peers`) its envelopes, anything else one. */
const inputsIn = (r: ShardLogRecord) => (r.input.kind === "peers" ? r.input.m.length : 1);

/** The metrics' view of a batch: the commands completed in it, as single-engine log records. */
function asLogRecords(records: ShardLogRecord[]): LogRecord[] {
  const out: LogRecord[] = [];
  for (const r of records) {
    const envelopeId = completedEnvelopeId(r);
    if (r.completed == null || envelopeId === null) continue;
    const command =
      r.input.kind === "command" ? r.input.command : ({ type: "PLACE_ORDER" } as unknown as Command);
    out.push({ envelopeId, command, code: r.completed.code, events: r.events });
  }
  return out;
}

/** The Redis hash of shard S's acks: source → last seq applied (written after the log has them). */
export const ackKey = (base: string, shard: string) => `${base}.${shard}.received`;

/** AckStore on Redis: one hash per shard, `ackKey(base, S)`, field = source shard, value = seq. */
export function createRedisAckStore(url: string, base: string): AckStore & { close(): Promise<void> } {
  const redis = new Redis(url, { commandTimeout: 5_000 });
  redis.on("error", () => {}); // ioredis reconnects; callers see the rejection and retry
  return {
    async write(shard, received) {
      if (received.size === 0) return;
      const fields: string[] = [];
      for (const [from, seq] of received) fields.push(from, String(seq));
      await redis.hset(ackKey(base, shard), ...fields);
    },
    async read(shard) {
      const h = await redis.hgetall(ackKey(base, shard));
      return new Map(Object.entries(h).map(([from, seq]) => [from, Number(seq)]));
    },
    async close() {
      redis.disconnect();
    },
  };
}
