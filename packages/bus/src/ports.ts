/**
 * The ports between processes (docs/architecture.md#transport). Every port has an embedded adapter (memory / file) and a
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
   * Messages delivered earlier but never acked come first: this consumer's own (it restarted
   * after a crash), then those of other consumers idle longer than the adapter's `claimIdleMs`.
   */
  receive(max: number, blockMs: number): Promise<Delivery<T>[]>;
  /** Idempotent: acking an unknown or already acked id is a no-op. */
  ack(ids: string[]): Promise<void>;
  /** Messages sent and not yet acked (delivered or not). */
  depth(): Promise<number>;
  /** Stops this consumer. Unacked deliveries stay pending, exactly as if it had crashed. */
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
  /**
   * Appends a batch; resolves only once it is durable (Kafka acks=all / fsync). A rejection whose
   * error has `fatal: true` means this handle can never append again (only a restart reopens it);
   * any other rejection may clear on retry.
   */
  append(records: T[]): Promise<void>;
  /**
   * Fail-stop: once one append rejects, every later append on this handle rejects too, so appends
   * issued while an earlier one is in flight land, if at all, only after everything before them
   * did. A writer may then pipeline its appends (the file journal). Absent: a failed append may be
   * followed by a successful one (a Kafka produce after a broker failover), leaving a gap, so the
   * writer must wait for each append before issuing the next.
   */
  readonly failStop?: boolean;
  /** The offset the next appended record will get. */
  endOffset(): Promise<number>;
  /** Reads up to `max` records from `from` on, oldest first; fewer (or none) at the end. */
  read(from: number, max: number): Promise<LogEntry<T>[]>;
  /**
   * Optional: the caller will not read for a while (a writer done recovering), so what a read
   * holds open may go (Kafka: the fetching consumer); a later read opens it again.
   */
  idle?(): void;
  close(): Promise<void>;
}

/** Fire-and-forget fan-out (replies to API instances, live updates to stream processes). */
export interface PubSub<T> {
  publish(channel: string, message: T): Promise<void>;
  /** Messages published after this resolves reach `handler`, in publish order per publisher. */
  subscribe(channel: string, handler: (message: T) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Small shared state with expiry: OTPs, rate-limit counters, short-lived locks. Values are strings;
 * callers encode. TTLs are in milliseconds; without one a key lives until deleted.
 */
export interface Kv {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when absent; true if this call set it (a lock or a first-writer-wins marker). */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Returns true if the key existed. */
  del(key: string): Promise<boolean>;
  /**
   * Adds `by` (default 1) and returns the new value. `ttlMs` applies only when this call creates
   * the key, so the window of a fixed-window rate limit starts at the first hit.
   */
  incr(key: string, ttlMs?: number, by?: number): Promise<number>;
  close(): Promise<void>;
}

/** How bodies become bytes on a transport. Every adapter serializes through one of these. */
export interface Codec<T> {
  encode(value: T): string;
  decode(text: string): T;
}
