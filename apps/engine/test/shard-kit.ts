/**
 * N matching × M risk shard processes (apps/engine/src/main.ts with SHARD set) on the machine's
 * Redis and Kafka under names of their own, a client that routes commands onto the shards' streams
 * (routeCommand, as the API does) and collects replies, and the audit over the shards' logs.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CommandQueue, createKafkaLog, createRedisPubSub, createRedisStreamQueue } from "@ox/bus";
import { KAFKA_BROKERS, REDIS_URL as MACHINE_REDIS_URL } from "@ox/bus/testing";
import {
  type CommandReply,
  channels,
  type EngineQueryReply,
  type EventBatch,
  isReplyBatch,
  peerInputOf,
  receiptOf,
  type ShardLogBatch,
  type ShardLogRecord,
  type ShardStreamEntry,
  shardCommandStream,
  shardEventTopic,
  shardQueryChannel,
} from "@ox/contracts/pipeline";
import { createFenceFilter } from "@ox/contracts/shard-fence";
import type { Command } from "@ox/engine";
import {
  auditCluster,
  type ClusterTotals,
  inFlightBetween,
  MatchingShard,
  RiskShard,
  routeCommand,
  type ShardMap,
  shardIds,
} from "@ox/engine/shards";
import { type Subprocess, spawn } from "bun";
import Redis from "ioredis";

const repoRoot = join(import.meta.dir, "../../..");
const MAIN = join(repoRoot, "apps/engine/src/main.ts");
const READY = "engine shard consuming";

export interface ShardProc {
  readonly id: string;
  readonly pid: number | undefined;
  readonly logFile: string;
  start(): Promise<void>;
  kill9(): Promise<void>;
  stop(): Promise<number | null>;
  /** Sends a signal to the running child (SIGSTOP/SIGCONT: a paused incarnation). */
  signal(sig: "SIGSTOP" | "SIGCONT"): void;
  /**
   * Starts a new incarnation while the current child lives on (paused, partitioned): resolves with
   * the old child once the new one consumes. The old one is killed at close() if still alive.
   */
  takeOver(): Promise<Subprocess | undefined>;
}

export interface ShardCluster {
  map: ShardMap;
  stream: string;
  topic: string;
  procs: Map<string, ShardProc>;
  /** Route and XADD a command; resolves with the envelope id. */
  send(command: Command, id?: string): Promise<string>;
  /** XADD a raw entry onto shard S's stream (a duplicate envelope, a redelivery). */
  push(shard: string, entry: ShardStreamEntry): Promise<void>;
  /** Event batches published on channels.events (every publisher on this Redis: filter). */
  eventBatches: EventBatch[];
  /** Replies by envelope id (every reply received, repeats included). */
  replies: Map<string, CommandReply[]>;
  reply(id: string, timeoutMs?: number): Promise<CommandReply>;
  query(shard: string, kind: string, args?: unknown[]): Promise<unknown>;
  /** Every shard's stream empty and every link's last sent seq applied by its receiver. */
  quiescent(): Promise<boolean>;
  /** Shard S's log, its batches' records in order, by the fence rule (@ox/contracts shard-fence.ts). */
  readLog(shard: string): Promise<ShardLogRecord[]>;
  /** Shard S's log as it is: the log records (batches of inputs) by offset. */
  readBatches(shard: string): Promise<ShardLogBatch[]>;
  streamLength(shard: string): Promise<number>;
  /** Deletes shard S's input stream and its group (Redis lost them). */
  dropStream(shard: string): Promise<void>;
  /** Every shard rebuilt from its whole log (each record re-applied and checked), then the audit. */
  audit(): Promise<{
    totals: ClusterTotals;
    logs: Map<string, ShardLogRecord[]>;
    shards: (MatchingShard | RiskShard)[];
  }>;
  close(): Promise<void>;
}

export async function startShardCluster(options: {
  dir: string;
  map: ShardMap;
  extraEnv?: Record<string, string>;
  /** A private Redis (fault tests restart it); default the machine's. */
  redisUrl?: string;
}): Promise<ShardCluster> {
  const { dir, map } = options;
  const REDIS_URL = options.redisUrl ?? MACHINE_REDIS_URL;
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const stream = `ox:test:${run}:commands`;
  const topic = `ox.test.${run}.events`;
  const redis = new Redis(REDIS_URL);
  redis.on("error", () => {}); // a fault test restarts its Redis; ioredis reconnects
  // Every pub/sub channel of this cluster (events, replies, each shard's queries) under a prefix
  // of its own: two clusters on one Redis (two test runs, a bench beside a test) never answer each
  // other's queries.
  const namespace = `oxt-${run}:`;
  const pubsub = createRedisPubSub<unknown>(REDIS_URL, { prefix: namespace });
  const replyTo = `ox:test:${run}:replies`;
  const queryReplyTo = `ox:test:${run}:query-replies`;
  const replies = new Map<string, CommandReply[]>();
  const queryWaiters = new Map<string, (r: EngineQueryReply) => void>();
  const eventBatches: EventBatch[] = [];
  const unsubs = [
    await pubsub.subscribe(channels.events, (m) => {
      eventBatches.push(m as EventBatch);
    }),
    await pubsub.subscribe(replyTo, (m) => {
      // A shard sends a batch's replies to one channel in one message (CommandReplyBatch).
      for (const r of isReplyBatch(m) ? m.replies : [m as CommandReply]) {
        let list = replies.get(r.id);
        if (list === undefined) {
          list = [];
          replies.set(r.id, list);
        }
        list.push(r);
      }
    }),
    await pubsub.subscribe(queryReplyTo, (m) => {
      const r = m as EngineQueryReply;
      queryWaiters.get(r.id)?.(r);
    }),
  ];
  const producers = new Map<string, CommandQueue<ShardStreamEntry>>();
  const producer = (shard: string) => {
    let q = producers.get(shard);
    if (q === undefined) {
      q = createRedisStreamQueue<ShardStreamEntry>({
        url: REDIS_URL,
        stream: shardCommandStream(stream, shard),
        group: "engine",
        consumer: "test-client",
      });
      producers.set(shard, q);
    }
    return q;
  };
  const orderMarket = new Map<string, string>();
  mkdirSync(dir, { recursive: true });

  const procs = new Map<string, ShardProc>();
  const oldIncarnations: Subprocess[] = [];
  for (const id of shardIds(map)) {
    const logFile = join(dir, `${id}.log`);
    writeFileSync(logFile, "");
    let child: Subprocess | undefined;
    let logStart = 0;
    const env = {
      ...process.env,
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      DATA_DIR: join(dir, "data"),
      REDIS_URL,
      REDIS_NAMESPACE: namespace,
      KAFKA_BROKERS: KAFKA_BROKERS.join(","),
      ENGINE_COMMAND_STREAM: stream,
      EVENT_TOPIC: topic,
      SHARD_MAP: JSON.stringify(map),
      SHARD: id,
      ENGINE_CONSUMER: `engine-${id}`,
      METRICS_PORT: "0",
      SHARD_ACK_EVERY_MS: "200",
      ...options.extraEnv,
    };
    const proc: ShardProc = {
      id,
      logFile,
      get pid() {
        return child?.pid;
      },
      async start() {
        logStart = readFileSync(logFile).length;
        child = spawn([process.execPath, MAIN], { cwd: repoRoot, env, stdout: "pipe", stderr: "pipe" });
        const pump = async (s: ReadableStream<Uint8Array>) => {
          const reader = s.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            appendFileSync(logFile, value);
          }
        };
        void pump(child.stdout as ReadableStream<Uint8Array>);
        void pump(child.stderr as ReadableStream<Uint8Array>);
        const running = child;
        const deadline = Date.now() + 60_000;
        while (!readFileSync(logFile, "utf8").slice(logStart).includes(READY)) {
          if (running.exitCode !== null)
            throw new Error(`${id} exited ${running.exitCode} while starting:\n${tail(logFile)}`);
          if (Date.now() > deadline) throw new Error(`${id} not ready in 60 s:\n${tail(logFile)}`);
          await Bun.sleep(25);
        }
      },
      async kill9() {
        child?.kill("SIGKILL");
        await child?.exited;
      },
      async stop() {
        if (!child || child.exitCode !== null) return child?.exitCode ?? null;
        child.kill("SIGTERM");
        return await child.exited;
      },
      signal(sig) {
        child?.kill(sig);
      },
      async takeOver() {
        const old = child;
        if (old) oldIncarnations.push(old);
        await proc.start();
        return old;
      },
    };
    procs.set(id, proc);
  }
  await Promise.all([...procs.values()].map((p) => p.start()));

  const readBatches = async (shard: string) => {
    const log = await createKafkaLog<ShardLogBatch>({
      brokers: KAFKA_BROKERS,
      topic: shardEventTopic(topic, shard),
      createTopic: { partitions: 1 },
    });
    try {
      const end = await log.endOffset();
      const out: ShardLogBatch[] = [];
      while (out.length < end) {
        const got = await log.read(out.length, 10_000);
        if (got.length === 0) throw new Error(`${shard}: log read stalled at ${out.length}/${end}`);
        for (const e of got) out.push(e.record);
      }
      return out;
    } finally {
      await log.close();
    }
  };
  // As every reader reads it: fences and a superseded incarnation's late log records skipped.
  const readLog = async (shard: string) => {
    const fence = createFenceFilter();
    return (await readBatches(shard)).filter((b) => fence.admit(b)).flatMap((b) => b.records);
  };

  const query = async (shard: string, kind: string, args: unknown[] = []) => {
    const id = randomUUID();
    const answer = new Promise<EngineQueryReply>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`query ${kind} to ${shard} timed out`)), 10_000);
      queryWaiters.set(id, (r) => {
        clearTimeout(t);
        resolve(r);
      });
    });
    await pubsub.publish(shardQueryChannel(shard), { id, replyTo: queryReplyTo, kind, args });
    const r = await answer.finally(() => queryWaiters.delete(id));
    if (!r.ok) throw new Error(`query ${kind} to ${shard}: ${r.error}`);
    return r.result;
  };

  return {
    map,
    stream,
    topic,
    procs,
    eventBatches,
    replies,
    async send(command, id = randomUUID()) {
      const c = command as { type: string; orderId?: string; marketId?: string };
      if (c.type === "PLACE_ORDER" && c.orderId && c.marketId) orderMarket.set(c.orderId, c.marketId);
      const shard = routeCommand(map, command, (o) => orderMarket.get(o));
      await producer(shard).send({ id, replyTo, command });
      return id;
    },
    async push(shard, entry) {
      await producer(shard).send(entry);
    },
    async reply(id, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = replies.get(id)?.[0];
        if (r) return r;
        if (Date.now() > deadline) throw new Error(`no reply for ${id} in ${timeoutMs} ms`);
        await Bun.sleep(10);
      }
    },
    query,
    async quiescent() {
      for (const s of shardIds(map)) if ((await redis.xlen(shardCommandStream(stream, s))) > 0) return false;
      const stats = new Map<
        string,
        { sent: Record<string, { seq: number }>; received: Record<string, number> }
      >();
      for (const s of shardIds(map)) stats.set(s, (await query(s, "stats")) as never);
      for (const [from, st] of stats)
        for (const [to, { seq }] of Object.entries(st.sent))
          if ((stats.get(to)?.received[from] ?? 0) !== seq) return false;
      return true;
    },
    readLog,
    readBatches,
    streamLength: (shard) => redis.xlen(shardCommandStream(stream, shard)),
    async dropStream(shard) {
      await redis.del(shardCommandStream(stream, shard));
    },
    async audit() {
      const logs = new Map<string, ShardLogRecord[]>();
      const shards: (MatchingShard | RiskShard)[] = [];
      const matching: MatchingShard[] = [];
      const risk: RiskShard[] = [];
      for (const id of shardIds(map)) {
        const records = await readLog(id);
        logs.set(id, records);
        const k = Number(id.slice(1));
        const s = id.startsWith("m") ? new MatchingShard(k, map) : new RiskShard(k, map);
        records.forEach((r, i) => {
          if (r.input.kind === "fence") return; // not there: readLog skips fences
          const step = s.apply(
            r.input.kind === "command"
              ? { kind: "command", index: i, cmd: r.input.command }
              : peerInputOf(r.input, id),
          );
          const out = s.links.drain();
          // The log counts the envelopes an input sent (`sent`); older logs hold them (`out`).
          const sentOk =
            r.out !== undefined
              ? JSON.stringify(out) === JSON.stringify(r.out)
              : out.length === (r.sent ?? 0);
          if (step.receipt !== receiptOf(r) || !sentOk)
            throw new Error(
              `${id}: the log's record ${i} does not replay (${step.receipt} vs ${receiptOf(r)})`,
            );
        });
        shards.push(s);
        if (s instanceof MatchingShard) matching.push(s);
        else risk.push(s);
      }
      const inFlight = inFlightBetween(shards);
      return { totals: auditCluster({ matching, risk, inFlight: () => inFlight }), logs, shards };
    },
    async close() {
      await Promise.allSettled([...procs.values()].map((p) => p.kill9()));
      for (const old of oldIncarnations) {
        old.kill("SIGCONT");
        old.kill("SIGKILL");
        await old.exited;
      }
      for (const u of unsubs) await u();
      await Promise.allSettled([...producers.values()].map((q) => q.close()));
      await pubsub.close();
      const keys = await redis.keys(`${stream}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

export function tail(file: string, lines = 30): string {
  return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}
