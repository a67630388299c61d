/**
 * The ports between processes (SPEC §5). Every port has an embedded adapter (memory / file) and a
 * distributed one (Redis / Kafka), and one contract suite that both must pass.
 * Ports are generic over the message body so the bus knows nothing of engine types.
 */

/** A message handed to a consumer. `id` is the transport's id (Redis stream entry id). */
export interface Delivery<T> {
  id: string;
  body: T;
  /** 1 on first delivery; more when redelivered after a consumer died without acking. */
  deliveries: number;
}

/**
 * Commands towards the engine. At-least-once: a message is redelivered until acked, so the consumer
 * must deduplicate (the engine shell does, by envelope id).
 */
export interface CommandQueue<T> {
  /** Appends durably (for Redis: XADD acknowledged). Returns the transport id. */
  send(body: T): Promise<string>;
  /**
   * Up to `max` messages for this consumer, waiting at most `blockMs` when none is ready.
   * Messages delivered earlier but never acked (a crashed consumer's) come first.
   */
  receive(max: number, blockMs: number): Promise<Delivery<T>[]>;
  ack(ids: string[]): Promise<void>;
  /** Messages sent and not yet acked. */
  depth(): Promise<number>;
  close(): Promise<void>;
}

export interface LogEntry<T> {
  /** 0-based, dense, increasing by 1 per record. */
  offset: number;
  record: T;
}

/**
 * The immutable event log (Kafka topic partition, or the fsync'd file journal).
 * Single writer: the engine. Many readers: the persister, recovery, rebuilds.
 */
export interface EventLog<T> {
  /** Appends a batch; resolves only once it is durable (Kafka acks=all / fsync). */
  append(records: T[]): Promise<void>;
  /** The offset the next appended record will get. */
  endOffset(): Promise<number>;
  /** Reads up to `max` records from `from` on, oldest first; fewer (or none) at the end. */
  read(from: number, max: number): Promise<LogEntry<T>[]>;
  close(): Promise<void>;
}

/** Fire-and-forget fan-out (replies to API instances, live updates to stream processes). */
export interface PubSub<T> {
  publish(channel: string, message: T): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(channel: string, handler: (message: T) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
