import Redis from "ioredis";
import { jsonCodec } from "./codec.ts";
import { defaultLogger, type Logger } from "./logger.ts";
import type { Codec, CommandQueue, Delivery } from "./ports.ts";

export interface RedisStreamQueueOptions<T> {
  url: string;
  stream: string;
  /** One group per stream: acked entries are deleted (XDEL), so the stream holds only unacked ones. */
  group: string;
  consumer: string;
  /** Entries pending this long at any consumer are claimed (XAUTOCLAIM) by this one. */
  claimIdleMs?: number;
  /** How often receive() looks for idle entries; default half of claimIdleMs, at most 5 s. */
  claimIntervalMs?: number;
  /** Non-blocking commands reject after this long (a stalled Redis); default 5 s. */
  commandTimeoutMs?: number;
  /**
   * An ack is written with the next blocking read when that read is issued in the same event-loop
   * turn (the single engine's loop: release, then receive), in one socket write, instead of on its
   * own; it then resolves when that read returns. Without a read by the next turn it goes alone.
   * Default false: each ack is written at once.
   */
  foldAcksIntoReads?: boolean;
  codec?: Codec<T>;
  logger?: Logger;
}

/**
 * The Redis stream queue, and a PUBLISH that rides on its reads: with foldAcksIntoReads the
 * publishes of one event-loop turn go first in the next blocking read's write, before its acks
 * (the single engine's loop: replies and events, ack, read: one socket write per batch instead of
 * two); without a read by the next turn they go alone on the command connection. Without
 * foldAcksIntoReads, at once. `channel` is the channel on Redis (any namespace prefix applied).
 */
export interface RedisStreamQueue<T> extends CommandQueue<T> {
  publish(channel: string, text: string): Promise<void>;
}

type RawEntry = [id: string, fields: string[] | null];
type XReadReply = [stream: string, entries: RawEntry[]][] | null;

const FIELD = "b";

/** XACK + XDEL of the same ids, atomic as MULTI was, so XLEN stays the depth. */
const ACK_SCRIPT = `redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))`;
/** unpack() takes at most a few thousand values: larger acks go in slices. */
const ACK_SLICE = 1_000;
/**
 * XADD of several bodies, in order, one entry each (the stream is as if each had its own XADD);
 * per body its entry id, or "!" and the error. pcall: one failing XADD does not hide the others'.
 */
const SEND_SCRIPT = `local ids = {}
for i = 1, #ARGV do
  local r = redis.pcall('XADD', KEYS[1], '*', '${FIELD}', ARGV[i])
  if type(r) == 'table' and r.err then ids[i] = '!' .. r.err else ids[i] = r end
end
return ids`;
/** Bodies per SEND_SCRIPT call: a few hundred KiB of arguments at most. */
const SEND_SLICE = 256;

/**
 * CommandQueue on a Redis stream and consumer group. Send is XADD (durable as far as Redis is:
 * run it with appendonly yes / fsync everysec in production). Ack is XACK + XDEL in one MULTI, so
 * XLEN is the depth and the stream never needs MAXLEN trimming that could drop unacked commands.
 */
export function createRedisStreamQueue<T>(options: RedisStreamQueueOptions<T>): RedisStreamQueue<T> {
  const { stream, group, consumer } = options;
  const codec = options.codec ?? jsonCodec<T>();
  const log = (options.logger ?? defaultLogger).child({ stream, group, consumer });
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const claimIntervalMs = options.claimIntervalMs ?? Math.min(claimIdleMs / 2, 5_000);
  // A stalled Redis (paused, overloaded) must not hang callers: commands time out and reject.
  // Auto-pipelining: the XADDs of concurrent sends (an API instance's requests) leave in one write
  // per event-loop turn, and queue behind the pipeline in flight, instead of one write each.
  const redis = new Redis(options.url, {
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    enableAutoPipelining: true,
  });
  redis.on("error", (err) => log.debug({ err }, "redis connection error")); // ioredis reconnects
  let blocking: Redis | undefined; // XREADGROUP BLOCK holds its connection; commands use `redis`
  let backlogCursor = "0";
  let backlogDone = false;
  let claimCursor = "0-0";
  let lastClaimAtMs = 0;
  let closed = false;
  /**
   * Acks not written yet: the next blocking read carries them in the same write (its connection
   * runs them before the XREADGROUP), else they go out on their own at the next event-loop turn.
   */
  let acksDue: { ids: string[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let ackTimer: ReturnType<typeof setImmediate> | null = null;
  const takeAcks = () => {
    const taken = acksDue;
    acksDue = [];
    if (ackTimer) clearImmediate(ackTimer);
    ackTimer = null;
    return taken;
  };
  /** Publishes not written yet: as acksDue, ahead of them in the next read's write. */
  let publishesDue: {
    channel: string;
    text: string;
    resolve: () => void;
    reject: (error: unknown) => void;
  }[] = [];
  let publishTimer: ReturnType<typeof setImmediate> | null = null;
  const takePublishes = () => {
    const taken = publishesDue;
    publishesDue = [];
    if (publishTimer) clearImmediate(publishTimer);
    publishTimer = null;
    return taken;
  };
  /** Publishes that no read took: on the command connection (auto-pipelined: one write), in order. */
  const flushPublishes = async () => {
    const taken = takePublishes();
    await Promise.all(
      taken.map((p) =>
        redis.publish(p.channel, p.text).then(
          () => p.resolve(),
          (error) => p.reject(error),
        ),
      ),
    );
  };
  const ackArgs = (ids: string[]) => {
    const slices: string[][] = [];
    for (let i = 0; i < ids.length; i += ACK_SLICE) slices.push(ids.slice(i, i + ACK_SLICE));
    return slices;
  };
  /**
   * Sends not written yet. The sends of one event-loop turn (an API instance's concurrent
   * requests) go out as one command, and while one is in flight the next turn's wait for it, as
   * auto-pipelining did with one XADD each: one command per write instead of one per envelope,
   * which is what costs the producer (an ioredis command, a timer, a reply each) and Redis.
   */
  let sendsDue: { text: string; resolve: (id: string) => void; reject: (error: unknown) => void }[] = [];
  let sendScheduled = false;
  /** The command in flight, if any; settles (never rejects) when its sends have their answers. */
  let sendInFlight: Promise<void> | null = null;
  const scheduleSends = () => {
    if (sendScheduled || sendInFlight) return;
    sendScheduled = true;
    setImmediate(() => {
      sendScheduled = false;
      if (!sendInFlight) runSends();
    });
  };
  const runSends = () => {
    const flight: Promise<void> = flushSends().finally(() => {
      if (sendInFlight === flight) sendInFlight = null;
      if (sendsDue.length > 0) scheduleSends();
    });
    sendInFlight = flight;
    return flight;
  };
  const sendSlice = async (slice: typeof sendsDue) => {
    if (slice.length === 1) {
      const only = slice[0] as (typeof slice)[0];
      return only.resolve((await redis.xadd(stream, "*", FIELD, only.text)) as string);
    }
    const ids = (await redis.eval(SEND_SCRIPT, 1, stream, ...slice.map((s) => s.text))) as string[];
    slice.forEach((s, i) => {
      const id = ids[i];
      if (typeof id === "string" && !id.startsWith("!")) s.resolve(id);
      else s.reject(new Error(typeof id === "string" ? id.slice(1) : "XADD answered nothing"));
    });
  };
  const flushSends = async () => {
    const taken = sendsDue;
    sendsDue = [];
    if (taken.length === 0) return;
    try {
      // XADD would re-create a lost stream by itself but not the group: make sure of both.
      await ensureGroup();
      const slices: (typeof taken)[] = [];
      for (let i = 0; i < taken.length; i += SEND_SLICE) slices.push(taken.slice(i, i + SEND_SLICE));
      await Promise.all(
        slices.map((slice) =>
          sendSlice(slice).catch((error) => {
            for (const s of slice) s.reject(error);
          }),
        ),
      );
    } catch (error) {
      for (const s of taken) s.reject(error); // no-op for those already settled
    }
  };
  const settleAcks = (taken: typeof acksDue, error: unknown) => {
    for (const a of taken) error ? a.reject(error) : a.resolve();
  };
  /** Acks that no read took: on the command connection, as before. */
  const flushAcks = async () => {
    const taken = takeAcks();
    if (taken.length === 0) return;
    try {
      await withGroup(async () => {
        const pipeline = redis.pipeline();
        for (const slice of ackArgs(taken.flatMap((a) => a.ids)))
          pipeline.eval(ACK_SCRIPT, 1, stream, group, ...slice);
        const replies = await pipeline.exec();
        const failed = replies?.find(([error]) => error)?.[0];
        if (failed) throw failed;
      });
      settleAcks(taken, null);
    } catch (error) {
      settleAcks(taken, error);
    }
  };

  /**
   * The group (and the stream, MKSTREAM) exist. Asked again whenever Redis answers NOGROUP: a Redis
   * restarted without persistence, or with an AOF older than the group, has lost them.
   */
  let groupReady: Promise<void> | null = null;
  const ensureGroup = () => {
    groupReady ??= redis
      .xgroup("CREATE", stream, group, "0", "MKSTREAM")
      .then(
        () => undefined,
        (error: Error) => {
          if (!String(error.message).startsWith("BUSYGROUP")) throw error;
        },
      )
      .catch((error) => {
        groupReady = null; // Redis down: the next call tries again
        throw error;
      });
    return groupReady;
  };
  ensureGroup().catch(() => {}); // early, but a failure here is retried by the first call

  /** Runs `op`; on NOGROUP re-creates the group, starts reading from the beginning again, retries once. */
  const withGroup = async <R>(op: () => Promise<R>): Promise<R> => {
    await ensureGroup();
    try {
      return await op();
    } catch (error) {
      if (!String((error as Error)?.message).startsWith("NOGROUP")) throw error;
      log.warn("consumer group or stream is gone (Redis restarted empty?); re-creating it");
      groupReady = null;
      backlogCursor = "0";
      backlogDone = false;
      claimCursor = "0-0";
      await ensureGroup();
      return op();
    }
  };

  /** Decodes entries; ones deleted while pending (fields null) are acked away. */
  const toDeliveries = async (entries: RawEntry[], redelivered: boolean): Promise<Delivery<T>[]> => {
    const gone = entries.filter(([, fields]) => fields === null).map(([id]) => id);
    if (gone.length > 0) await redis.xack(stream, group, ...gone);
    const live = entries.filter(([, fields]) => fields !== null) as [string, string[]][];
    const counts = new Map<string, number>();
    if (redelivered && live.length > 0) {
      const pipeline = redis.pipeline();
      for (const [id] of live) pipeline.xpending(stream, group, id, id, 1, consumer);
      const replies = (await pipeline.exec()) ?? [];
      for (const [error, rows] of replies) {
        const row = !error && (rows as [string, string, number, number][])[0];
        if (row) counts.set(row[0], Number(row[3]));
      }
    }
    return live.map(([id, fields]) => ({
      id,
      body: codec.decode(fields[fields.indexOf(FIELD) + 1]),
      deliveries: counts.get(id) ?? (redelivered ? 2 : 1),
    }));
  };

  const readBacklog = async (max: number): Promise<Delivery<T>[]> => {
    const reply = (await redis.xreadgroup(
      "GROUP",
      group,
      consumer,
      "COUNT",
      max,
      "STREAMS",
      stream,
      backlogCursor,
    )) as XReadReply;
    const entries = reply?.[0]?.[1] ?? [];
    if (entries.length === 0) {
      backlogDone = true;
      return [];
    }
    backlogCursor = entries[entries.length - 1][0];
    return toDeliveries(entries, true);
  };

  const claimIdle = async (max: number): Promise<Delivery<T>[]> => {
    const now = Date.now();
    if (claimCursor === "0-0" && now - lastClaimAtMs < claimIntervalMs) return [];
    lastClaimAtMs = now;
    const [cursor, entries] = (await redis.xautoclaim(
      stream,
      group,
      consumer,
      claimIdleMs,
      claimCursor,
      "COUNT",
      max,
    )) as [string, RawEntry[], string[]];
    claimCursor = cursor;
    if (entries.length > 0)
      log.warn({ claimed: entries.length }, "claimed idle commands of another consumer");
    return toDeliveries(entries, true);
  };

  const readNew = async (max: number, blockMs: number): Promise<Delivery<T>[]> => {
    // The blocking read waits BLOCK ms by design: no command timeout on its connection.
    if (!blocking) {
      blocking = redis.duplicate({ commandTimeout: undefined, enableAutoPipelining: false });
      blocking.on("error", (err) => log.debug({ err }, "redis connection error")); // once, not per read
    }
    const args: (string | number)[] = ["GROUP", group, consumer, "COUNT", max];
    if (blockMs > 0) args.push("BLOCK", blockMs);
    // The publishes and acks due go first in the same write: one socket write per engine batch.
    const published = takePublishes();
    const taken = takeAcks();
    const settlePublishes = (replies: [Error | null, unknown][] | null, error: unknown) =>
      published.forEach((p, i) => {
        const failed = replies ? (replies[i]?.[0] ?? (replies[i] ? null : error)) : error;
        failed ? p.reject(failed) : p.resolve();
      });
    try {
      let reply: XReadReply;
      if (taken.length === 0 && published.length === 0) {
        reply = (await blocking.call("XREADGROUP", ...args, "STREAMS", stream, ">")) as XReadReply;
      } else {
        const pipeline = blocking.pipeline();
        for (const p of published) pipeline.publish(p.channel, p.text);
        for (const slice of ackArgs(taken.flatMap((a) => a.ids)))
          pipeline.eval(ACK_SCRIPT, 1, stream, group, ...slice);
        pipeline.call("XREADGROUP", ...args, "STREAMS", stream, ">");
        const replies = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
        const read = replies[replies.length - 1];
        const lost = read ? null : new Error("pipeline lost");
        settlePublishes(replies, lost);
        const ackFailed = replies.slice(published.length, -1).find(([error]) => error)?.[0];
        settleAcks(taken, ackFailed ?? lost);
        if (read?.[0]) throw read[0];
        reply = read?.[1] as XReadReply;
      }
      return toDeliveries(reply?.[0]?.[1] ?? [], false);
    } catch (error) {
      settlePublishes(null, error); // no-op for those already settled
      settleAcks(taken, error);
      if (closed) return []; // close() cut the blocked read
      throw error;
    }
  };

  return {
    send(body) {
      if (closed) return Promise.reject(new Error("queue is closed"));
      const text = codec.encode(body);
      return new Promise<string>((resolve, reject) => {
        sendsDue.push({ text, resolve, reject });
        scheduleSends();
      });
    },
    async receive(max, blockMs) {
      if (closed) throw new Error("queue is closed");
      return withGroup(async () => {
        if (!backlogDone) {
          const backlog = await readBacklog(max);
          if (backlog.length > 0) return backlog;
        }
        const claimed = await claimIdle(max);
        if (claimed.length > 0) return claimed;
        return readNew(max, blockMs);
      });
    },
    async ack(ids) {
      if (ids.length === 0) return;
      if (!options.foldAcksIntoReads)
        return withGroup(async () => {
          const replies = await redis
            .multi()
            .xack(stream, group, ...ids)
            .xdel(stream, ...ids)
            .exec();
          const failed = replies?.find(([error]) => error)?.[0];
          if (failed) throw failed;
        });
      return new Promise<void>((resolve, reject) => {
        acksDue.push({ ids, resolve, reject });
        ackTimer ??= setImmediate(() => void flushAcks());
      });
    },
    publish(channel, text) {
      if (!options.foldAcksIntoReads || closed) return redis.publish(channel, text).then(() => undefined);
      return new Promise<void>((resolve, reject) => {
        publishesDue.push({ channel, text, resolve, reject });
        publishTimer ??= setImmediate(() => void flushPublishes());
      });
    },
    async depth() {
      return withGroup(() => redis.xlen(stream));
    },
    async close() {
      if (closed) return;
      closed = true;
      // Sends and acks given before close() are written, as before.
      while (sendInFlight || sendsDue.length > 0) await (sendInFlight ?? runSends());
      await Promise.all([flushPublishes(), flushAcks()]);
      blocking?.disconnect();
      await groupReady?.catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
