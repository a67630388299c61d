/**
 * `npm run bench:engine -- --shards N [--risk M] --processes`: the standard workload
 * (packages/engine/bench/workload.ts) through N matching × M risk shard PROCESSES (apps/engine with
 * SHARD set) on the machine's Redis and Kafka, beside the single engine process on the same tape in
 * the same run. Every command goes onto its shard's stream (routeCommand, as the API routes) with a
 * reply channel, and counts as done when its reply arrives (a cross-shard BUY: after its
 * reservation). Measured: commands/s over the measured phase (first send to last reply) and, from
 * /proc, each process's CPU seconds over that phase: commands per CPU-second for the whole
 * topology and per shard. The load generator runs in this process (on the same 2 cores). One JSON
 * line on stdout.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRedisPubSub, createRedisStreamQueue } from "@ox/bus";
import {
  type CommandReply,
  channels,
  type EngineQueryReply,
  type EngineStats,
  isReplyBatch,
  shardCommandStream,
  shardQueryChannel,
} from "@ox/contracts/pipeline";
import type { Command } from "@ox/engine";
import { generate } from "@ox/engine/bench/workload";
import { routeCommand, type ShardMap, shardIds } from "@ox/engine/shards";
import { type Subprocess, spawn } from "bun";
import Redis from "ioredis";

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const shards = arg("--shards", 2);
const risk = arg("--risk", shards);
const measuredCount = arg("--commands", 60_000);
const warmupCount = arg("--warmup", 20_000);
const seed = arg("--seed", 42);
const window = arg("--window", 4_000);
const runs = arg("--runs", 1);
/**
 * `--snapshot-every N`: every process snapshots per N inputs (SNAPSHOT_EVERY_COMMANDS; a shard counts
 * its inputs, the single engine its commands, one input each). Default: none in the run, so the
 * A/B compares processing with processing: at 100 000 the shards (1.3-2.6 inputs per command)
 * snapshotted during the measured phase and the single engine (80 000 commands) never did.
 */
const snapshotEvery = arg("--snapshot-every", 1_000_000_000);
/** `--profile <dir>`: each process under Bun's sampling profiler, a markdown profile per process in <dir>. */
/**
 * `--compare <checkout>`: the sharded topology also from another checkout of the repository (its
 * apps/engine/src/main.ts), in the same run: an A/B of two shard-process versions under one load.
 */
const compareRoot = args.includes("--compare") ? args[args.indexOf("--compare") + 1] : null;
const profileDir = args.includes("--profile") ? args[args.indexOf("--profile") + 1] : null;
/** `--profile-format cpuprofile`: Chrome .cpuprofile files instead of markdown (for a script to sum). */
const profileMd = !(
  args.includes("--profile-format") && args[args.indexOf("--profile-format") + 1] === "cpuprofile"
);
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
const log = (msg: string) => process.stderr.write(`[shard processes] ${msg}\n`);
const repoRoot = join(import.meta.dir, "../../..");
const MAIN = join(repoRoot, "apps/engine/src/main.ts");
const TICK = 100; // /proc clock ticks per second (USER_HZ)

log(`generating seed=${seed} warmup=${warmupCount} measured=${measuredCount}`);
const w = generate(seed, warmupCount, measuredCount, () => {});
const tapeCommands = (tape: typeof w.measured): Command[] => {
  const out: Command[] = [];
  const batch: Command[] = new Array(4096);
  for (let i = 0; i < tape.count; i += 4096) {
    const n = tape.fill(i, Math.min(tape.count, i + 4096), batch);
    for (let j = 0; j < n; j++) out.push(batch[j]);
  }
  return out;
};
const setup = w.setup;
const warmup = tapeCommands(w.warmup);
const measured = tapeCommands(w.measured);

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / TICK; // utime, stime
}

interface Proc {
  name: string;
  child: Subprocess;
  logFile: string;
}

interface Topology {
  procs: Proc[];
  /** The stream a command goes to. */
  streamOf(c: Command): string;
}

async function startProc(name: string, env: Record<string, string>, ready: string, dir: string, main = MAIN) {
  const logFile = join(dir, `${name}.log`);
  writeFileSync(logFile, "");
  const prof = profileDir
    ? profileMd
      ? ["--cpu-prof-md", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}-${Date.now()}.md`]
      : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`]
    : [];
  const child = spawn([process.execPath, ...prof, main], {
    cwd: join(main, "../../../.."),
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  for (const s of [child.stdout, child.stderr] as ReadableStream<Uint8Array>[])
    void (async () => {
      const reader = s.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        appendFileSync(logFile, value);
      }
    })();
  const deadline = Date.now() + 90_000;
  while (!readFileSync(logFile, "utf8").includes(ready)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`${name} did not start:\n${readFileSync(logFile, "utf8").slice(-2000)}`);
    await Bun.sleep(50);
  }
  return { name, child, logFile };
}

async function run(kind: "single" | "sharded", main = MAIN) {
  const dir = mkdtempSync(join(tmpdir(), `ox-bench-${kind}-`));
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const stream = `ox:bench:${runId}:commands`;
  // This run's pub/sub channels under a prefix of their own: a test or another bench on the same
  // Redis never answers this run's queries.
  const namespace = `oxb-${runId}:`;
  const base = {
    REDIS_NAMESPACE: namespace,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    DATA_DIR: dir,
    REDIS_URL,
    KAFKA_BROKERS,
    ENGINE_COMMAND_STREAM: stream,
    EVENT_TOPIC: `ox.bench.${runId}.events`,
    METRICS_PORT: "0",
    METRICS: "off",
    SNAPSHOT_EVERY_COMMANDS: String(snapshotEvery),
    SNAPSHOT_EVERY_MS: snapshotEvery >= 1_000_000_000 ? "86400000" : "60000",
  };
  const map: ShardMap = { version: 1, matchingShards: shards, riskShards: risk };
  let topo: Topology;
  if (kind === "single") {
    const p = await startProc("engine", { ...base, LOG_LEVEL: "info" }, "engine consuming commands", dir);
    topo = { procs: [p], streamOf: () => stream };
  } else {
    const procs = await Promise.all(
      shardIds(map).map((id) =>
        startProc(
          id,
          {
            ...base,
            LOG_LEVEL: "info",
            SHARD_MAP: JSON.stringify(map),
            SHARD: id,
            ENGINE_CONSUMER: `engine-${id}`,
          },
          "engine shard consuming",
          dir,
          main,
        ),
      ),
    );
    const orderMarket = new Map<string, string>();
    topo = {
      procs,
      streamOf(c) {
        if (c.type === "PLACE_ORDER") orderMarket.set(c.orderId, c.marketId);
        return shardCommandStream(
          stream,
          routeCommand(map, c, (o) => orderMarket.get(o)),
        );
      },
    };
  }
  const pubsub = createRedisPubSub<unknown>(REDIS_URL, { prefix: namespace });
  const replyTo = `ox:bench:${runId}:replies`;
  let replied = 0;
  const codes: Record<string, number> = {};
  const unsub = await pubsub.subscribe(replyTo, (m) => {
    // One message per batch per reply channel (CommandReplyBatch), or a lone reply (an older shard).
    for (const reply of isReplyBatch(m) ? m.replies : [m as CommandReply]) {
      replied++;
      codes[reply.code] = (codes[reply.code] ?? 0) + 1;
    }
  });
  const queues = new Map<string, ReturnType<typeof createRedisStreamQueue<unknown>>>();
  const queue = (s: string) => {
    let q = queues.get(s);
    if (!q) {
      q = createRedisStreamQueue<unknown>({ url: REDIS_URL, stream: s, group: "engine", consumer: "bench" });
      queues.set(s, q);
    }
    return q;
  };
  let sent = 0;
  /** Send in order, at most `window` unanswered; resolves when every reply is in. */
  const feed = async (commands: Command[], settle: boolean) => {
    for (let i = 0; i < commands.length; ) {
      while (sent - replied >= window) await Bun.sleep(1);
      const n = Math.min(commands.length - i, 500, window - (sent - replied));
      const sends: Promise<string>[] = [];
      for (let j = 0; j < n; j++) {
        const c = commands[i + j];
        sends.push(queue(topo.streamOf(c)).send({ id: randomUUID(), replyTo, command: c }));
      }
      sent += n;
      i += n;
      await Promise.all(sends);
      // Setup is settled step by step: a user's USER must reach the matching shards before orders.
      if (settle) while (replied < sent) await Bun.sleep(1);
    }
    while (replied < sent) await Bun.sleep(2);
  };
  // Each process's stats (its live query): log records (one per group commit) and inputs applied.
  const queryReplies = `ox:bench:${runId}:queries`;
  const waiting = new Map<string, (r: EngineQueryReply) => void>();
  const unsubQueries = await pubsub.subscribe(queryReplies, (m) => {
    const r = m as EngineQueryReply;
    waiting.get(r.id)?.(r);
    waiting.delete(r.id);
  });
  const statsOf = (p: Proc) =>
    new Promise<EngineStats>((resolve, reject) => {
      const qid = randomUUID();
      const timer = setTimeout(() => reject(new Error(`${p.name}: no stats answer`)), 10_000);
      waiting.set(qid, (r) => {
        clearTimeout(timer);
        resolve(r.result as EngineStats);
      });
      const channel = kind === "single" ? channels.queries : shardQueryChannel(p.name);
      void pubsub.publish(channel, { id: qid, replyTo: queryReplies, kind: "stats", args: [] });
    });
  await feed(setup, true);
  await feed(warmup, false);
  for (const k of Object.keys(codes)) delete codes[k];
  const stats0 = await Promise.all(topo.procs.map(statsOf));
  const cpu0 = topo.procs.map((p) => cpuSeconds(p.child.pid));
  const t0 = performance.now();
  await feed(measured, false);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = topo.procs.map((p, i) => cpuSeconds(p.child.pid) - cpu0[i]);
  const stats1 = await Promise.all(topo.procs.map(statsOf));
  await unsubQueries();
  const totalCpu = cpu.reduce((a, b) => a + b, 0);
  const perProcess = Object.fromEntries(
    topo.procs.map((p, i) => {
      const batches = stats1[i].logOffset - stats0[i].logOffset;
      const inputs = stats1[i].commandsApplied - stats0[i].commandsApplied;
      return [
        p.name,
        {
          cpuSeconds: Math.round(cpu[i] * 100) / 100,
          /** Log records appended (one per group commit, more for a large one) and inputs applied. */
          logRecords: batches,
          inputs,
          inputsPerLogRecord: batches > 0 ? Math.round((inputs / batches) * 10) / 10 : 0,
        },
      ];
    }),
  );
  // A profiled process writes its profile on a clean exit (SIGTERM: the service's own shutdown).
  for (const p of topo.procs) p.child.kill(profileDir ? "SIGTERM" : "SIGKILL");
  await Promise.all(topo.procs.map((p) => p.child.exited));
  await unsub();
  await pubsub.close();
  await Promise.allSettled([...queues.values()].map((q) => q.close()));
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${stream}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
  const result = {
    commandsPerSec: Math.round(measured.length / wallS),
    perCpuSecond: Math.round(measured.length / totalCpu),
    cpuSeconds: Math.round(totalCpu * 100) / 100,
    wallSeconds: Math.round(wallS * 100) / 100,
    processes: perProcess,
    codes: { ...codes },
  };
  log(`${kind}: ${JSON.stringify(result)}`);
  return result;
}

type RunResult = Awaited<ReturnType<typeof run>>;
/** The run of median CPU per command, with every run's commands per CPU-second beside it. */
const median = (rs: RunResult[]) => {
  const sorted = [...rs].sort((a, b) => a.perCpuSecond - b.perCpuSecond);
  return { ...sorted[Math.floor(sorted.length / 2)], runs: rs.map((r) => r.perCpuSecond) };
};
// `--runs R`: R rounds of single, compare, sharded, in turn (a load that drifts hits each alike);
// with --compare every other round runs sharded before compare (ABBA: neither side always last).
const rounds: { single: RunResult; compare: RunResult | null; sharded: RunResult }[] = [];
for (let r = 0; r < runs; r++) {
  if (runs > 1) log(`round ${r + 1}/${runs}`);
  const single = await run("single");
  const other = () => (compareRoot ? run("sharded", join(compareRoot, "apps/engine/src/main.ts")) : null);
  let compare: RunResult | null;
  let sharded: RunResult;
  if (r % 2 === 0) {
    compare = await other();
    sharded = await run("sharded");
  } else {
    sharded = await run("sharded");
    compare = await other();
  }
  rounds.push({ single, compare, sharded });
}
const single = median(rounds.map((r) => r.single));
const sharded = median(rounds.map((r) => r.sharded));
const compare = compareRoot ? median(rounds.map((r) => r.compare as RunResult)) : null;
process.stdout.write(
  `${JSON.stringify({
    topology: `${shards} matching × ${risk} risk`,
    processes: true,
    note: "each shard its own process on Redis + Kafka, every command answered (a cross-shard BUY after its reservation); the load generator shares the machine",
    commands: measured.length,
    window,
    runs,
    single,
    sharded,
    cpuPerCommandVsSingle: Math.round((single.perCpuSecond / sharded.perCpuSecond) * 1000) / 1000,
    ...(compare && {
      compare: { root: compareRoot, ...compare },
      compareCpuPerCommandVsSingle: Math.round((single.perCpuSecond / compare.perCpuSecond) * 1000) / 1000,
    }),
  })}\n`,
);
process.exit(0);
