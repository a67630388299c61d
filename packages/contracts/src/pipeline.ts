/**
 * Messages between the processes of the trading pipeline (docs/architecture.md#transport):
 * api → command queue → engine → event log → persister / stream; engine → api replies; api → engine queries.
 * Engine command/event shapes live in @ox/engine (types.ts); these are the envelopes around them.
 */
import type { Command, EngineEvent, OrderView, ResultCode } from "@ox/engine";

/** One command on the Redis Stream / in-process queue. `id` is the correlation id and the dedupe key. */
export interface SingleCommandEnvelope {
  id: string;
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
  /** PLACE_ORDER: the taker's fills in this command, in match order (absent for other commands). */
  fills?: ReplyFill[];
  /** A batch envelope's reply: one reply per command, in the envelope's order. */
  results?: CommandReply[];
}

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
}

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
