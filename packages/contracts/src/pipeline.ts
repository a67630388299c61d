/**
 * Messages between the processes of the trading pipeline (docs/architecture.md#transport):
 * api → command queue → engine → event log → persister / stream; engine → api replies; api → engine queries.
 * Engine command/event shapes live in @ox/engine (types.ts); these are the envelopes around them.
 */
import type { Command, EngineEvent, OrderView, PlaceOrderCommand, ResultCode } from "@ox/engine";
import type { Envelope, MessagesInput, ShardMap, WireMessage } from "@ox/engine/shards";
import { unpackWire, WIRE_FIELDS } from "@ox/engine/wire";
import { z } from "zod";

/** One command on the Redis Stream / in-process queue. `id` is the correlation id and the dedupe key. */
export interface SingleCommandEnvelope {
  id: string;
  /**
   * Sharded deployment: the matching shard this copy of a fanned-out command is for (a CANCEL_ALL
   * without a market goes to every matching shard, one envelope `${id}@${shard}` each); absent,
   * the command's routing decides.
   */
  toShard?: string;
  /** Pub/sub channel of the API instance waiting for the reply; null for fire-and-forget (outbox relay waits on it too). */
  replyTo: string | null;
  command: Command;
  commands?: undefined;
  /** The HTTP request that caused it (x-request-id), so one order can be followed through every process's logs. */
  requestId?: string;
}

/**
 * Several commands in one queue message (POST/DELETE /orders/batch): the engine applies them in
 * order, each logged as its own record under the id `${id}:${index}` (so each is deduplicated on
 * redelivery like a single command), and answers with ONE reply whose `results` follow the order.
 */
export interface BatchCommandEnvelope {
  id: string;
  replyTo: string | null;
  commands: Command[];
  command?: undefined;
  toShard?: undefined;
  requestId?: string;
}

export type CommandEnvelope = SingleCommandEnvelope | BatchCommandEnvelope;

/** The log record / dedupe id of a batch envelope's index-th command. */
export const batchItemId = (envelopeId: string, index: number) => `${envelopeId}:${index}`;

/** The engine's answer, published on `replyTo` only after the log record is durable. */
export interface CommandReply {
  id: string;
  code: ResultCode;
  duplicate: boolean;
  order: OrderView | null;
  /** Seq of the last event this command produced (0 if none): lets a reader wait for the persister. */
  lastSeq: number;
  /**
   * PLACE_ORDER / AMEND_ORDER: the order's fills as the taker in this command (an amend that crosses
   * trades), in match order (absent for other commands).
   */
  fills?: ReplyFill[];
  /** CANCEL_ALL: the ids of the orders it cancelled, in event order (absent for other commands). */
  cancelled?: string[];
  /** A batch envelope's reply: one reply per command, in the envelope's order. */
  results?: CommandReply[];
}

/**
 * Several replies in one pub/sub message: the single engine publishes one per reply channel per
 * applied batch (one PUBLISH per API instance instead of one per command). A reply channel carries
 * either this or a lone CommandReply (the shard processes, test doubles); isReplyBatch tells them apart.
 */
export interface CommandReplyBatch {
  replies: CommandReply[];
}

export const isReplyBatch = (message: unknown): message is CommandReplyBatch =>
  Array.isArray((message as CommandReplyBatch | null)?.replies);

/** One fill of the order a PLACE_ORDER reply is about, from the taker's side. */
export interface ReplyFill {
  /** The TRADE event's seq (the trade id). */
  seq: number;
  kind: "TRANSFER" | "MINT" | "MERGE";
  qty: number;
  /** In the taker's own outcome terms. */
  pricePaise: number;
  feePaise: number;
  makerOrderId: string;
}

/**
 * One record of the event log per applied command: the command (so the engine can replay it after a
 * snapshot) and everything it produced (so the persister and rebuilds never re-run the engine).
 */
export interface LogRecord {
  envelopeId: string;
  /** The envelope's requestId, when it had one. */
  requestId?: string;
  command: Command;
  code: ResultCode;
  events: EngineEvent[];
  /**
   * A record merging many commands (a shard's log record, @ox/persister shard-log.ts): the
   * PLACE_ORDER each of its ORDER_REJECTEDs is about, by order id (else `command` is).
   */
  orders?: ReadonlyMap<string, PlaceOrderCommand>;
}

/**
 * One log record (one offset, one Kafka record) holding the records of consecutive commands of one
 * group commit, in the order applied: what the distributed engine writes (ENGINE_LOG_FORMAT=batch),
 * so kafkajs encodes, the broker validates and readers decode one record per batch, not one per
 * command. A large batch is split into several (LOG_BATCH_ITEMS). Offsets count these: a snapshot's
 * logOffset, the persister's consumer offset and reconcile's cut are in log records. A log may hold
 * both kinds (written before and after the switch); `recordsOf` reads either.
 */
export interface LogBatch {
  batch: LogRecord[];
}

/** A record of the single engine's log: one command's (LogRecord) or a batch's (LogBatch). */
export type LoggedRecord = LogRecord | LogBatch;

export const isLogBatch = (record: LoggedRecord): record is LogBatch =>
  Array.isArray((record as Partial<LogBatch>).batch);

/** The command records a log record holds, in order: a LogBatch's, or a lone LogRecord. */
export const recordsOf = (record: LoggedRecord): readonly LogRecord[] =>
  isLogBatch(record) ? record.batch : [record];

/**
 * A LogBatch is closed once it holds this many items (commands + events), as a shard's log record
 * (SHARD_LOG_ITEMS_PER_RECORD): a few hundred bytes each, so a record stays far below Kafka's 1 MiB
 * message limit however large the batch (one command with more is alone in its record).
 */
export const LOG_BATCH_ITEMS = 512;

/** What the engine publishes on `channels.events` after each durable batch (log records fromOffset…). */
export interface EventBatch {
  /** Log offset of the batch's first record; the batch covers `records` consecutive offsets. */
  fromOffset: number;
  records: number;
  events: EngineEvent[];
}

/** Read queries the engine answers from live state (docs/order-path.md#live-reads: portfolio and book are never from a table). */
export type EngineQueryKind =
  | "account"
  | "positions"
  | "openOrders"
  | "order"
  | "book"
  | "market"
  | "markets"
  | "totals"
  | "stats";

export interface EngineQuery {
  id: string;
  /** Channel the answer is published on (one per API instance). */
  replyTo: string;
  kind: EngineQueryKind;
  /** Positional arguments of the Engine method of the same name (userId, marketId, depth…). */
  args: unknown[];
}

export interface EngineQueryReply {
  id: string;
  ok: boolean;
  /** The method's return value; `null` for "not found". */
  result: unknown;
  error?: string;
}

/** Engine shell health, answered to a "stats" query. */
export interface EngineStats {
  lastSeq: number;
  /** Next log offset (= records durably appended). */
  logOffset: number;
  queueDepth: number;
  snapshotOffset: number;
  commandsApplied: number;
  /** PLACE_ORDER commands applied since start (the admin health page's order rate). */
  ordersPlaced?: number;
  startedAt: number;
  /**
   * Why the engine is not serving (null when it is): log appends failing (it rebuilds from the log
   * and retries with backoff), or commands queued and none applied for a while.
   */
  degraded?: string | null;
  /** Appends that failed since start (each one made the engine rebuild from the log). */
  appendFailures?: number;
  /** A sharded deployment: each shard's own stats (the figures above are their sums). */
  shards?: (EngineStats & { shard: string })[];
}

/** Defaults for the queue and the log, shared by every process (each can be overridden by env). */
export const transportDefaults = {
  /** Redis Stream the API and the outbox relay write commands to. */
  commandStream: "ox:commands",
  /** Its consumer group: the engine. */
  engineGroup: "engine",
  /** Kafka topic of the event log (one partition per engine shard). */
  eventTopic: "ox.events",
} as const;

/** Pub/sub channel names, in one place. */
export const channels = {
  /** Every applied batch's events, for stream processes. */
  events: "ox:events",
  /** Replies for one API instance. */
  replies: (instanceId: string) => `ox:replies:${instanceId}`,
  /** Read queries towards the engine (live state); answered on the query's replyTo. */
  queries: "ox:engine:queries",
  /** Answers to one API instance's queries. */
  queryReplies: (instanceId: string) => `ox:query-replies:${instanceId}`,
  /** Session changes the stream acts on (SessionEvent): it disconnects the sockets concerned. */
  sessions: "ox:sessions",
} as const;

/** A session was revoked (logout, refresh), or a user's role changed (all their sessions). */
export type SessionEvent =
  | { type: "SESSION_REVOKED"; sid: string }
  | { type: "ROLE_CHANGED"; userId: string };

// ---------------------------------------------------------------------------------------------
// The sharded deployment (issue 12; packages/engine README "Topology"; /work/coord contract).
// Shard S reads the Redis Stream `${ENGINE_COMMAND_STREAM}.${S}` and writes one ShardLogBatch per
// input batch (a ShardLogRecord per input in it) to the Kafka topic `${EVENT_TOPIC}.${S}` (one
// partition); it answers live queries for what it owns on `${channels.queries}.${S}`.

/** Shard S's input stream: `${base}.${S}` (base = ENGINE_COMMAND_STREAM). */
export const shardCommandStream = (base: string, shard: string) => `${base}.${shard}`;
/** Shard S's output log (one partition): `${base}.${S}` (base = EVENT_TOPIC). */
export const shardEventTopic = (base: string, shard: string) => `${base}.${shard}`;
/** Live queries towards shard S (answered on the query's replyTo). */
export const shardQueryChannel = (shard: string) => `${channels.queries}.${shard}`;
/** The queue entry id of an envelope between shards: `<from>><to>#<seq>` (unique per link and seq). */
export const shardEnvelopeId = (env: Pick<Envelope, "from" | "to" | "seq">) =>
  `${env.from}>${env.to}#${env.seq}`;

/** Up to 1024 matching and 1024 risk shards (the map's limits): 2048 ordinals. */
export const SEQ_SHARDS = 2048;

/** A shard's ordinal among every shard: m<k> → k, r<k> → 1024 + k. */
export function shardOrdinal(shard: string): number {
  const k = Number(shard.slice(1));
  if (!/^[mr](0|[1-9][0-9]{0,3})$/.test(shard) || k >= 1024) throw new Error(`not a shard id: ${shard}`);
  return shard[0] === "m" ? k : 1024 + k;
}

/**
 * A shard's event seq as every process outside the shard sees it (logged, replied, published):
 * unique across shards, since trades, transfers and payouts are keyed by seq and ledger references
 * name it, and increasing with the shard's own seq, so the persister's per-row `last_seq` guards
 * hold (every row it keys is written by one shard only).
 */
export const globalSeq = (shard: string, localSeq: number) => localSeq * SEQ_SHARDS + shardOrdinal(shard);

/** A shard's name: m0, m1, … (matching) or r0, r1, … (risk). */
export const shardIdSchema = z.string().regex(/^[mr](0|[1-9][0-9]{0,3})$/, "shard id m<k> or r<k>");

const count = z.number().int().min(1).max(1024);
const shardIndex = z.number().int().nonnegative();
/** The shard map's shape (config SHARD_MAP); @ox/engine's checkShardMap checks the ranges. */
export const shardMapSchema = z.object({
  version: z.number().int().positive(),
  matchingShards: count,
  riskShards: count,
  markets: z.record(z.string(), shardIndex).optional(),
  users: z.record(z.string(), shardIndex).optional(),
  newMarketsOn: shardIndex.optional(),
}) satisfies z.ZodType<ShardMap>;

const int = z.number().int();
const nonneg = int.nonnegative();
/** The seam messages between shards (@ox/engine/shards wire.ts). */
export const wireMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("USER"), userId: z.string(), riskShard: nonneg, handle: nonneg }),
  z.object({
    type: z.literal("RESERVE"),
    ticket: nonneg,
    user: nonneg,
    qty: nonneg,
    pricePaise: nonneg,
    maxCostPaise: int,
    maxFeeBps: nonneg,
  }),
  z.object({
    type: z.literal("RESERVE_ANSWER"),
    ticket: nonneg,
    user: nonneg,
    ok: z.boolean(),
    code: z.literal("INSUFFICIENT_FUNDS"),
    lockedPaise: nonneg,
    lockPerShare: nonneg,
    budgetPaise: int,
  }),
  z.object({
    type: z.literal("FILL"),
    user: nonneg,
    isBuy: z.boolean(),
    valuePaise: nonneg,
    feePaise: nonneg,
    unlockPaise: nonneg,
  }),
  z.object({ type: z.literal("RELEASE"), user: nonneg, paise: nonneg }),
  z.object({ type: z.literal("PAYOUT"), user: nonneg, paise: nonneg }),
]) satisfies z.ZodType<WireMessage>;

export const envelopeSchema = z.object({
  from: shardIdSchema,
  to: shardIdSchema,
  seq: z.number().int().positive(),
  map: z.number().int().positive(),
  msg: wireMessageSchema,
}) satisfies z.ZodType<Envelope>;

/** A stream entry from another shard: `{id: "<from>><to>#<seq>", shard: Envelope}`. */
export interface ShardEnvelopeEntry {
  id: string;
  shard: Envelope;
}

/**
 * What a shard sends per destination per batch: one stream entry carrying that batch's envelopes
 * to one peer, in seq order (`id` names the first and last: `<from>><to>#<seq>..<seq>`). One XADD
 * and one entry to read and ack instead of one per envelope; the receiver applies them in order,
 * each checked against its link's seq as a single one is.
 */
export interface ShardEnvelopesEntry {
  id: string;
  shards: Envelope[];
}

/**
 * What a shard sends per destination per batch (packEnvelopes): the link once (`from`, `to`,
 * `map`), then per envelope its seq (`seq[i]`) and its message packed as its receiver logs it
 * (`m[i]`: the type, then the values in WIRE_FIELDS order; packPeerInput's `m`). A third of the
 * bytes of whole envelopes to write, XADD and parse, and the receiver logs `m` as it came.
 * Entries of whole envelopes (`shards`, `shard`) are still read.
 */
export interface ShardPackedEntry {
  id: string;
  from: string;
  to: string;
  map: number;
  seq: number[];
  m: unknown[][];
}

/**
 * What arrives on a shard's input stream: a command envelope (API, outbox relay), or a peer's
 * envelopes (packed, many per entry as shards send them; whole envelopes, many or one, are read
 * too).
 */
export type ShardStreamEntry = CommandEnvelope | ShardEnvelopeEntry | ShardEnvelopesEntry | ShardPackedEntry;

/** The stream entry id of envelopes `envs` (one link, seq order). */
export const shardEnvelopesId = (envs: readonly Pick<Envelope, "from" | "to" | "seq">[]) =>
  envs.length === 1 ? shardEnvelopeId(envs[0]) : `${shardEnvelopeId(envs[0])}..${envs[envs.length - 1].seq}`;

/**
 * The cheap check a shard makes of a peer's envelope (the streams are internal, written by shards
 * only): the addressing fields and a message with a type. The full shape is envelopeSchema; the
 * shard's apply refuses what it does not know (MISADDRESSED, WRONG_MAP, GAP by seq).
 */
export function isEnvelopeShaped(v: unknown): v is Envelope {
  if (typeof v !== "object" || v === null) return false;
  const e = v as Partial<Envelope>;
  return (
    typeof e.from === "string" &&
    typeof e.to === "string" &&
    Number.isSafeInteger(e.seq) &&
    (e.seq as number) > 0 &&
    Number.isSafeInteger(e.map) &&
    typeof e.msg === "object" &&
    e.msg !== null &&
    typeof (e.msg as { type?: unknown }).type === "string"
  );
}

// Commands, codes and events are the engine's (other work adds kinds): the record checks their
// outer shape only; the engine validates commands itself and events are its own output.
const commandShape = z.custom<Command>(
  (v) => typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string",
  "a command object with a type",
);
const eventShape = z.custom<EngineEvent>(
  (v) => typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string",
  "an event object with a type",
);
const resultCode = z.custom<ResultCode>((v) => typeof v === "string" && v.length > 0, "a result code");

export const shardLogInputSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("command"),
    envelopeId: z.string().min(1),
    replyTo: z.string().nullable(),
    command: commandShape,
  }),
  /** A peer's envelope whole: logs written before `peer` (still replayed; never written now). */
  z.object({ kind: z.literal("message"), env: envelopeSchema }),
  /**
   * A peer's envelope as logged (packPeerInput): the link and seq, its map version, and the
   * message's values in WIRE_FIELDS order (`m`, its type first). `to` only when it is not the
   * log's shard (a misaddressed envelope, refused). peerEnvelope gives the envelope back.
   */
  z.object({
    kind: z.literal("peer"),
    from: shardIdSchema,
    seq: z.number().int().positive(),
    map: z.number().int().positive(),
    to: shardIdSchema.optional(),
    m: z.array(z.unknown()).min(1),
  }),
  /**
   * A peer's stream entry as a risk shard logs it (unpackGroup): consecutive envelopes of one link,
   * seqs `seq … seq + m.length - 1`, each message positional as in `peer`, applied as one input
   * (RiskShard's group: the state of its envelopes applied one by one, one BALANCE per user whose
   * cash moved). Logged as it came off the stream; peerInputOf gives the engine's input back.
   */
  z.object({
    kind: z.literal("peers"),
    from: shardIdSchema,
    seq: z.number().int().positive(),
    map: z.number().int().positive(),
    to: shardIdSchema.optional(),
    m: z.array(z.array(z.unknown()).min(1)).min(1),
  }),
  /**
   * The first log record of each shard incarnation is a batch of this one record (shard-fence.ts):
   * its epoch, the effective epoch it replayed to (`prev`) and the offset its replay ended at
   * (`from`). Applies nothing.
   */
  z.object({
    kind: z.literal("fence"),
    epoch: z.number().int().positive(),
    prev: z.number().int().nonnegative(),
    from: z.number().int().nonnegative(),
    incarnation: z.string().min(1),
  }),
]);

/**
 * What one input applied at shard S logged, in the order applied: S's total order, which is what
 * recovery replays (snapshot + the records after it) and what the persister consumes.
 * `completed` names the command this input completed: the command itself, or for a BUY parked at
 * a matching shard the RESERVE_ANSWER that let it go on (then `events` are that order's, and
 * `command` is there when they hold an ORDER_REJECTED: the persister's row needs the PLACE_ORDER).
 * The input sent `sent` envelopes (absent: none), XADDed to the destinations' streams only once
 * the record is durable. They are not in the record: replay recomputes them (the shard is
 * deterministic) and checks the count; each is logged once, as its receiver's input. Logs written
 * before this carry them as `out` (replay then checks them whole).
 */
export const shardLogRecordSchema = z.object({
  input: shardLogInputSchema,
  /** Absent: APPLIED (receiptOf; logs before this always hold it). */
  receipt: z.enum(["APPLIED", "DUPLICATE", "GAP", "WRONG_MAP", "MISADDRESSED"]).optional(),
  /** Absent: null, the input completed no command (logs before this always hold it). */
  completed: z
    .object({
      /** Absent: the command is this record's input itself (completedEnvelopeId). */
      envelopeId: z.string().min(1).optional(),
      /** Written by logs before this only (nothing reads it from the log). */
      replyTo: z.string().nullable().optional(),
      code: resultCode,
      /**
       * The completed command, when the completing input is not the command itself (a parked BUY)
       * and the events hold an ORDER_REJECTED (logs before this: always for a parked BUY).
       */
      command: commandShape.optional(),
    })
    .nullable()
    .optional(),
  events: z.array(eventShape),
  /** How many envelopes the input sent; absent: none. */
  sent: z.number().int().positive().optional(),
  /** The envelopes the input sent, in logs written before `sent` (never written now). */
  out: z.array(envelopeSchema).optional(),
});

/**
 * One record of shard S's log (one Kafka record, one offset): the records of consecutive inputs
 * of one batch, in the order applied (a batch is split into several when large:
 * SHARD_LOG_ITEMS_PER_RECORD). Offsets count these, not inputs: a snapshot's logOffset, the
 * persister's consumer offset and reconcile's cut are in log records.
 */
export const shardLogBatchSchema = z.object({
  shard: shardIdSchema,
  records: z.array(shardLogRecordSchema).min(1),
  /** The writing incarnation's epoch (shard-fence.ts); absent: 0, a log from before fencing. */
  epoch: z.number().int().nonnegative().optional(),
});

/**
 * A log record is closed once it holds this many items (inputs + events): a few hundred bytes
 * each, so a record stays far below Kafka's 1 MiB message limit however large the batch (one input
 * with more is alone in its record, as before).
 */
export const SHARD_LOG_ITEMS_PER_RECORD = 512;

export type ShardLogInput = z.infer<typeof shardLogInputSchema>;

/**
 * The envelope id of the command a shard log record completed, or null: `completed` names it, or,
 * completed by its own input (a command answered at once), holds only its code and the input names
 * it (logs before this name it in both).
 */
export function completedEnvelopeId(r: Pick<ShardLogRecord, "input" | "completed">): string | null {
  if (r.completed == null) return null;
  if (r.completed.envelopeId !== undefined) return r.completed.envelopeId;
  if (r.input.kind !== "command") throw new Error("a shard log record completes an unnamed command");
  return r.input.envelopeId;
}
/** A shard log record's receipt: APPLIED when absent (the record of an input applied leaves it out). */
export const receiptOf = (r: Pick<ShardLogRecord, "receipt">) => r.receipt ?? "APPLIED";

type PeerInput = Extract<ShardLogInput, { kind: "peer" }>;

type PeersInput = Extract<ShardLogInput, { kind: "peers" }>;

/**
 * A peer's envelope as shard `shard` logs it: what replay needs (the link, seq and map version,
 * the message's values) without the field names and the destination (the log's shard). A message
 * that is not exactly a known type's fields is logged whole (kind "message").
 */
export function packPeerInput(env: Envelope, shard: string): PeerInput | { kind: "message"; env: Envelope } {
  const m = packMessage(env.msg);
  if (m === null) return { kind: "message", env };
  const input: PeerInput = { kind: "peer", from: env.from, seq: env.seq, map: env.map, m };
  if (env.to !== shard) input.to = env.to;
  return input;
}

/** A message's type and values in WIRE_FIELDS order, or null when it is not exactly a known type's fields. */
function packMessage(message: WireMessage): unknown[] | null {
  const msg = message as unknown as Record<string, unknown>;
  const fields = Object.hasOwn(WIRE_FIELDS, message.type) ? WIRE_FIELDS[message.type] : undefined;
  if (fields === undefined) return null;
  let keys = 0;
  for (const _ in msg) keys++;
  if (keys !== fields.length + 1) return null;
  const m: unknown[] = [message.type];
  for (const f of fields) {
    if (!Object.hasOwn(msg, f)) return null;
    m.push(msg[f]);
  }
  return m;
}

/**
 * The stream entry of envelopes `envs` (one link, in seq order; ShardPackedEntry), or of the
 * envelopes whole (ShardEnvelopesEntry) when one of them does not pack or they are not one link.
 */
export function packEnvelopes(envs: readonly Envelope[]): ShardPackedEntry | ShardEnvelopesEntry {
  const { from, to, map } = envs[0];
  const seq: number[] = [];
  const m: unknown[][] = [];
  for (const env of envs) {
    const packed = env.from === from && env.to === to && env.map === map ? packMessage(env.msg) : null;
    if (packed === null) return { id: shardEnvelopesId(envs), shards: [...envs] };
    seq.push(env.seq);
    m.push(packed);
  }
  return { id: shardEnvelopesId(envs), from, to, map, seq, m };
}

/**
 * A packed entry's envelopes as the inputs shard `shard` logs (`peer`; `to` only when it is not
 * `shard`), or null when the entry is not well formed: the cheap check of isEnvelopeShaped, plus
 * each message a known type with its number of values (peerEnvelope's precondition).
 */
export function unpackEnvelopes(entry: Partial<ShardPackedEntry>, shard: string): PeerInput[] | null {
  const { from, to, map, seq, m } = entry;
  if (
    typeof from !== "string" ||
    typeof to !== "string" ||
    !Number.isSafeInteger(map) ||
    (map as number) <= 0
  )
    return null;
  if (!Array.isArray(seq) || !Array.isArray(m) || seq.length !== m.length || seq.length === 0) return null;
  const out: PeerInput[] = [];
  for (let i = 0; i < seq.length; i++) {
    const s = seq[i];
    const msg = m[i];
    if (!Number.isSafeInteger(s) || s <= 0 || !Array.isArray(msg)) return null;
    const type = msg[0];
    if (typeof type !== "string" || !Object.hasOwn(WIRE_FIELDS, type)) return null;
    if (msg.length !== WIRE_FIELDS[type as WireMessage["type"]].length + 1) return null;
    const input: PeerInput = { kind: "peer", from, seq: s, map: map as number, m: msg };
    if (to !== shard) input.to = to;
    out.push(input);
  }
  return out;
}

/**
 * A packed entry as one group input of risk shard `shard` (`peers`), or null when it is not well
 * formed (unpackEnvelopes' checks) or its seqs are not consecutive (then one input per envelope).
 */
export function unpackGroup(entry: Partial<ShardPackedEntry>, shard: string): PeersInput | null {
  const peers = unpackEnvelopes(entry, shard);
  if (peers === null) return null;
  const seq = entry.seq as number[];
  for (let i = 1; i < seq.length; i++) if (seq[i] !== seq[0] + i) return null;
  const input: PeersInput = {
    kind: "peers",
    from: peers[0].from,
    seq: seq[0],
    map: peers[0].map,
    m: entry.m as unknown[][],
  };
  if (peers[0].to !== undefined) input.to = peers[0].to;
  return input;
}

/**
 * The envelope a logged peer input of shard `shard`'s log is (a group: its first envelope, which
 * names it: shardEnvelopeId).
 */
export function peerEnvelope(
  input: PeerInput | PeersInput | { kind: "message"; env: Envelope },
  shard: string,
): Envelope {
  if (input.kind === "message") return input.env;
  const m = input.kind === "peers" ? input.m[0] : input.m;
  const type = m[0] as WireMessage["type"];
  if (!Object.hasOwn(WIRE_FIELDS, type))
    throw new Error(`${shard}'s log: a peer input of unknown type ${String(type)}`);
  return { from: input.from, to: input.to ?? shard, seq: input.seq, map: input.map, msg: unpackWire(m) };
}

/** Every envelope a logged peer input (any form) of shard `shard`'s log holds, in seq order. */
export function peerEnvelopes(
  input: PeerInput | PeersInput | { kind: "message"; env: Envelope },
  shard: string,
): Envelope[] {
  if (input.kind !== "peers") return [peerEnvelope(input, shard)];
  const to = input.to ?? shard;
  return input.m.map((m, i) => ({
    from: input.from,
    to,
    seq: input.seq + i,
    map: input.map,
    msg: unpackWire(m),
  }));
}

/** A logged peer input (any form) of shard `shard`'s log as the shard's input (replay, reconcile). */
export function peerInputOf(
  input: PeerInput | PeersInput | { kind: "message"; env: Envelope },
  shard: string,
): { kind: "message"; env: Envelope } | MessagesInput {
  if (input.kind !== "peers") return { kind: "message", env: peerEnvelope(input, shard) };
  return {
    kind: "messages",
    from: input.from,
    to: input.to ?? shard,
    map: input.map,
    seq: input.seq,
    m: input.m,
  };
}
export type ShardLogRecord = z.infer<typeof shardLogRecordSchema>;
export type ShardLogBatch = z.infer<typeof shardLogBatchSchema>;

/** A shard log's records, each with the offset of the log record (batch) it is in. */
export function* shardLogRecords(
  entries: Iterable<{ offset: number; record: ShardLogBatch }>,
): Generator<{ offset: number; record: ShardLogRecord }> {
  for (const { offset, record } of entries) for (const r of record.records) yield { offset, record: r };
}
