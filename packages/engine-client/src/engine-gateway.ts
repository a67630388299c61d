import { type CommandQueue, InfraTimeoutError, type PubSub, withTimeout } from "@ox/bus";
import {
  batchItemId,
  type CommandEnvelope,
  type CommandReply,
  type CommandReplyBatch,
  channels,
  isReplyBatch,
} from "@ox/contracts";
import type { Command } from "@ox/engine";
import { fanOutOf, type ShardMap } from "@ox/engine/shards";
import { shardedOrderId } from "./shard-routing.ts";

/** Request/reply with the engine: send a command, wait for its durable result. */
export interface EngineGateway {
  /**
   * Resolves with the engine's reply. Rejects with EngineTimeoutError when no reply came in time:
   * the command may still be applied later, so callers retry with the same id/ref (the engine
   * deduplicates) rather than with a new one.
   */
  execute(
    command: Command,
    options?: { id?: string; timeoutMs?: number; requestId?: string },
  ): Promise<CommandReply>;
  /**
   * Several commands in ONE queue message and one reply (the engine applies them in order): resolves
   * with one reply per command, in order. Same timeout contract as execute().
   */
  executeBatch(
    commands: Command[],
    options?: { id?: string; timeoutMs?: number; requestId?: string },
  ): Promise<CommandReply[]>;
  /**
   * A new order id for `marketId`: a UUID, or on a sharded deployment `m<K>.<uuid>` naming the
   * market's matching shard (shard-routing.ts), so a cancel is routed without a lookup.
   */
  newOrderId(marketId: string): string;
  close(): Promise<void>;
}

export class EngineTimeoutError extends Error {
  constructor(
    readonly commandId: string,
    readonly timeoutMs: number,
  ) {
    super(`engine did not answer command ${commandId} within ${timeoutMs} ms`);
    this.name = "EngineTimeoutError";
  }
}

export interface QueueEngineGatewayOptions {
  queue: CommandQueue<CommandEnvelope>;
  /** The reply channel carries a CommandReply or a CommandReplyBatch (several, one message). */
  replies: PubSub<CommandReply | CommandReplyBatch>;
  /** Unique per API process; replies come back on `channels.replies(instanceId)`. */
  instanceId: string;
  timeoutMs?: number;
  /** Called once per round trip with the command type, the wait in seconds and whether a reply came (metrics). */
  observe?: (type: Command["type"] | "BATCH", seconds: number, answered: boolean) => void;
  /**
   * The deployment's shard map (SHARD_MAP), when sharded: `queue` then routes each envelope to its
   * shard's stream (createShardedCommandQueue) and a batch is sent as one envelope per command,
   * `${id}:${index}` as the single engine logs them, since its items may live on different shards.
   */
  shardMap?: ShardMap;
}

/** The production gateway: command envelope onto the queue, reply on this instance's pub/sub channel. */
export function createQueueEngineGateway(options: QueueEngineGatewayOptions): EngineGateway {
  const replyTo = channels.replies(options.instanceId);
  const waiting = new Map<string, (reply: CommandReply) => void>();
  let subscribed: Promise<() => Promise<void>> | null = null;
  /** Set once the subscription is up: requests then skip the bounded wait for it (a timer each). */
  let isSubscribed = false;
  /** Resolves when this instance's reply channel is subscribed; bounded by `timeoutMs`. */
  const subscribedWithin = (timeoutMs: number) =>
    isSubscribed ? undefined : withTimeout(ensureSubscribed(), timeoutMs, "reply channel subscribe");
  const ensureSubscribed = () => {
    subscribed ??= options.replies
      .subscribe(replyTo, (message: CommandReply | CommandReplyBatch) => {
        // The engine sends one message per batch it applied (isReplyBatch); a shard, one per reply.
        if (!isReplyBatch(message)) return waiting.get(message.id)?.(message);
        for (const reply of message.replies) waiting.get(reply.id)?.(reply);
      })
      .then(
        (unsubscribe) => {
          isSubscribed = true;
          return unsubscribe;
        },
        (err) => {
          subscribed = null; // Redis was down: the next request subscribes again
          throw err;
        },
      );
    return subscribed;
  };
  const roundTrip = async (
    body: { command: Command; toShard?: string } | { commands: Command[] },
    opts: { id?: string; timeoutMs?: number; requestId?: string },
  ): Promise<CommandReply> => {
    const timeoutMs = opts.timeoutMs ?? options.timeoutMs ?? 2_000;
    // Redis down or stalled: the subscribe and the XADD are bounded too, and fail as
    // InfraTimeoutError (503, nothing acknowledged), never hang the request.
    await subscribedWithin(timeoutMs);
    return send(body, opts.id ?? crypto.randomUUID(), timeoutMs, opts.requestId);
  };
  /**
   * One envelope out, its reply awaited; the XADD is issued before this returns its promise. One
   * timer bounds both: at `timeoutMs` an XADD not yet answered rejects as InfraTimeoutError (503,
   * not queued as far as we know), a queued command without a reply as EngineTimeoutError.
   */
  const send = (
    body: { command: Command; toShard?: string } | { commands: Command[] },
    id: string,
    timeoutMs: number,
    requestId: string | undefined,
  ): Promise<CommandReply> => {
    const { observe } = options;
    const type = "command" in body ? body.command.type : "BATCH";
    const started = observe ? performance.now() : 0;
    return new Promise<CommandReply>((resolve, reject) => {
      let queued = false;
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        waiting.delete(id);
        if (!queued) return reject(new InfraTimeoutError("command queue XADD", timeoutMs));
        observe?.(type, timeoutMs / 1000, false);
        reject(new EngineTimeoutError(id, timeoutMs));
      }, timeoutMs);
      waiting.set(id, (r) => {
        settled = true;
        clearTimeout(timer);
        waiting.delete(id);
        observe?.(type, (performance.now() - started) / 1000, true);
        resolve(r);
      });
      options.queue
        .send({
          id,
          replyTo,
          ...body,
          ...(requestId && { requestId }),
        } as CommandEnvelope)
        .then(
          () => {
            queued = true;
          },
          (err) => {
            if (settled) return; // a reply came first, or the timeout already answered
            // Not queued as far as we know: no reply to wait for.
            settled = true;
            clearTimeout(timer);
            waiting.delete(id);
            reject(err);
          },
        );
    });
  };
  return {
    async execute(command, opts = {}) {
      const targets = options.shardMap ? fanOutOf(options.shardMap, command) : null;
      if (targets === null) return roundTrip({ command }, opts);
      // A CANCEL_ALL without a market: one envelope per matching shard (`${id}@${shard}`), each
      // shard cancels in its own markets, the replies joined (joinReplies).
      const timeoutMs = opts.timeoutMs ?? options.timeoutMs ?? 2_000;
      await subscribedWithin(timeoutMs);
      const id = opts.id ?? crypto.randomUUID();
      const replies = targets.map((toShard) =>
        send({ command, toShard }, `${id}@${toShard}`, timeoutMs, opts.requestId),
      );
      for (const r of replies) r.catch(() => {}); // awaited together below
      return joinReplies(id, await Promise.all(replies));
    },
    async executeBatch(commands, opts = {}) {
      if (options.shardMap) {
        // One envelope per item, XADDed in the batch's order (each shard's stream keeps it), the
        // replies awaited together; a timeout of any item is the batch's, as with one envelope.
        const timeoutMs = opts.timeoutMs ?? options.timeoutMs ?? 2_000;
        await subscribedWithin(timeoutMs);
        const id = opts.id ?? crypto.randomUUID();
        const replies = commands.map((command, i) =>
          send({ command }, batchItemId(id, i), timeoutMs, opts.requestId),
        );
        for (const r of replies) r.catch(() => {}); // awaited together below
        return Promise.all(replies);
      }
      const reply = await roundTrip({ commands }, opts);
      if (!reply.results || reply.results.length !== commands.length)
        throw new Error(`engine answered batch ${reply.id} with ${reply.results?.length ?? "no"} results`);
      return reply.results;
    },
    newOrderId: (marketId) =>
      options.shardMap ? shardedOrderId(options.shardMap, marketId) : crypto.randomUUID(),
    async close() {
      const unsubscribe = await subscribed?.catch(() => null);
      await unsubscribe?.();
    },
  };
}

/**
 * The replies of a command fanned out to every matching shard, as one: the shards' common code,
 * or OK when they differ (a shard that has not yet received the user says USER_NOT_FOUND and holds
 * none of their orders); the cancelled ids shard by shard (m0 first), each shard's in its order.
 */
export function joinReplies(id: string, replies: CommandReply[]): CommandReply {
  const codes = new Set(replies.map((r) => r.code));
  const first = replies[0] as CommandReply;
  return {
    id,
    code: codes.size === 1 ? first.code : codes.has("OK") ? "OK" : first.code,
    duplicate: replies.every((r) => r.duplicate),
    order: null,
    lastSeq: Math.max(0, ...replies.map((r) => r.lastSeq)),
    cancelled: replies.flatMap((r) => r.cancelled ?? []),
  };
}
