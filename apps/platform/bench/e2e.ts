/**
 * `npm run bench:e2e`: orders/s and latency through HTTP → engine → durable log → reply, with the
 * server in its own process(es) and the load from separate wrk processes (apps/platform/bench/load.lua:
 * several users on several markets; limits near the touch, marketable orders, cancels of own orders).
 *   - echo: a Bun.serve + Hono echo of the same body, same load generator (the ceiling of any route)
 *   - embedded: `npm start`'s single process (in-process queue, file journal, PGlite)
 *   - distributed: api, engine, persister and stream processes over a private redis-server, a fresh
 *     database on the machine's Postgres and a unique topic on the project's Kafka; each process's
 *     CPU ms per 1 000 orders from /proc/<pid>/stat (Kafka's and Postgres' include other tenants)
 *   - batch: POST /orders/batch (20 orders per request) and DELETE /orders/batch, embedded
 * A concurrency sweep per mode (--connections, default 16,64,256). After each mode the persister's
 * catch-up time (engine log end → Postgres) is measured.
 * Flags: --seconds N (per phase, default 10), --warmup N (default 2), --connections list,
 * --modes embedded,distributed, --generators N (wrk processes, default 2), --users N per generator
 * (default 32), --markets N (default 8), --quick (short phases, one concurrency: the npm test smoke),
 * --json (one JSON object on the last line), --server-env K=V,… (extra env for the servers, A/B flags),
 * --profile DIR (CPU profiles of every server process, markdown, written when they stop),
 * --orders-only (no echo ceiling, no batch phase: what `npm run bench:metrics` repeats).
 * Needs wrk (apt-get install wrk), redis-server, Postgres on 127.0.0.1:5432 and Kafka (scripts/kafka.sh).
 */
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createKafkaLog } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import { type Subprocess, spawn } from "bun";
import pg from "pg";
import { type Cluster, freePort, repoRoot, startCluster } from "../test/crash-cluster.ts";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string" },
    warmup: { type: "string" },
    connections: { type: "string" },
    modes: { type: "string", default: "embedded,distributed" },
    generators: { type: "string", default: "2" },
    users: { type: "string" },
    markets: { type: "string" },
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    "server-env": { type: "string", default: "" },
    profile: { type: "string" },
    "orders-only": { type: "boolean", default: false },
  },
});
const quick = flags.quick;
const seconds = Number(flags.seconds ?? (quick ? 1 : 10));
const warmup = Number(flags.warmup ?? (quick ? 0 : 2)); // wrk takes whole seconds
const sweep = (flags.connections ?? (quick ? "16" : "16,64,256")).split(",").map(Number);
const modes = flags.modes.split(",").map((m) => m.trim());
const generators = Number(flags.generators);
const usersPerGenerator = Number(flags.users ?? (quick ? 4 : 32));
const marketCount = Number(flags.markets ?? (quick ? 2 : 8));
const serverEnv = Object.fromEntries(
  flags["server-env"]
    .split(",")
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);
// --profile DIR: every server process writes a CPU profile (Bun's --cpu-prof-md) into DIR on exit.
if (flags.profile) serverEnv.BUN_OPTIONS = `--cpu-prof-md --cpu-prof-dir=${flags.profile}`;
const ADMIN = "+919200000001";
const JWT_SECRET = "bench-secret-bench-secret-bench-secret-01";
const LOAD_SCRIPT = join(import.meta.dir, "load.lua");
const say = (line: string) => {
  if (!flags.json) console.log(line);
};
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------- wrk

interface WrkOut {
  durationUs: number;
  requests: number;
  status: Record<string, number>;
  errors: { connect: number; read: number; write: number; timeout: number };
  /** [percent, microseconds] points of the generator's latency distribution. */
  quantilesUs: [number, number][];
}

export interface Measured {
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  errors: number;
  rejected: number;
  requests: number;
  byStatus: Record<string, number>;
  /** CPU the load generators used, so it is visible what they took from the 2 cores. */
  loadgenCpuMs: number;
  durationSec: number;
}

/** Runs `generators` wrk processes (one thread each) sharing `connections`, merges their results exactly. */
async function runWrk(opts: {
  url: string;
  mode: "orders" | "batch" | "echo";
  connections: number;
  seconds: number;
  configs: string[];
}): Promise<Measured> {
  const count = Math.min(opts.configs.length, opts.connections);
  const procs: Subprocess<"ignore", "pipe", "pipe">[] = [];
  for (let g = 0; g < count; g++) {
    const conns = Math.floor(opts.connections / count) + (g < opts.connections % count ? 1 : 0);
    procs.push(
      spawn(
        [
          "wrk",
          "-t1",
          `-c${conns}`,
          `-d${Math.max(1, Math.round(opts.seconds))}s`,
          "--timeout",
          "10s",
          "-s",
          LOAD_SCRIPT,
          opts.url,
          "--",
          opts.configs[g] as string,
          opts.mode,
          `g${g}`,
        ],
        { stdout: "pipe", stderr: "pipe" },
      ),
    );
  }
  const outs: WrkOut[] = [];
  let loadgenCpuUs = 0;
  for (const p of procs) {
    const text = await new Response(p.stdout).text();
    await p.exited;
    const usage = p.resourceUsage();
    if (usage) loadgenCpuUs += Number(usage.cpuTime.user + usage.cpuTime.system);
    const line = text.split("\n").find((l) => l.startsWith("WRKJSON "));
    if (!line) throw new Error(`wrk printed no result: ${text} ${await new Response(p.stderr).text()}`);
    outs.push(JSON.parse(line.slice("WRKJSON ".length)) as WrkOut);
  }
  const byStatus: Record<string, number> = {};
  // Each generator's quantile points become weighted samples (its share of requests between points).
  const samples: [value: number, weight: number][] = [];
  let socketErrors = 0;
  let durationUs = 0;
  for (const o of outs) {
    for (const [s, n] of Object.entries(o.status)) byStatus[s] = (byStatus[s] ?? 0) + n;
    let prev = 0;
    for (const [q, v] of o.quantilesUs) {
      samples.push([v, ((q - prev) / 100) * o.requests]);
      prev = q;
    }
    socketErrors += o.errors.connect + o.errors.read + o.errors.write + o.errors.timeout;
    durationUs = Math.max(durationUs, o.durationUs);
  }
  let ok = 0;
  let rejected = 0;
  let bad = 0;
  for (const [s, n] of Object.entries(byStatus)) {
    const status = Number(s);
    if (status >= 200 && status < 300) ok += n;
    // Business answers of the engine (no such open order, insufficient funds, position limit).
    else if (status === 404 || status === 409 || status === 422) rejected += n;
    else bad += n;
  }
  const sorted = samples.sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  const at = (q: number) => {
    const want = q * total - 1e-9;
    let seen = 0;
    for (const [v, n] of sorted) {
      seen += n;
      if (seen >= want) return round(v / 1_000);
    }
    return 0;
  };
  const durationSec = durationUs / 1e6;
  return {
    perSec: Math.round((ok + rejected) / durationSec),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    p999Ms: at(0.999),
    errors: bad + socketErrors,
    rejected,
    requests: ok + rejected + bad,
    byStatus,
    loadgenCpuMs: Math.round(loadgenCpuUs / 1_000),
    durationSec: round(durationSec),
  };
}

// ------------------------------------------------------------------------------------ /proc CPU

const TICK_MS = 10; // USER_HZ is 100 on Linux
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
  } catch {
    return 0; // exited
  }
}

/** Named groups of pids (a group's pid list is re-read at each sample: Postgres backends come and go). */
type PidSource = () => Promise<number[]> | number[];
async function sampleCpu(sources: Record<string, PidSource>) {
  const out: Record<string, Map<number, number>> = {};
  for (const [name, src] of Object.entries(sources)) {
    out[name] = new Map((await src()).map((pid) => [pid, cpuMsOf(pid)]));
  }
  return out;
}
function cpuDelta(before: Record<string, Map<number, number>>, after: Record<string, Map<number, number>>) {
  const out: Record<string, number> = {};
  for (const [name, pids] of Object.entries(after)) {
    let ms = 0;
    for (const [pid, now] of pids) ms += now - (before[name]?.get(pid) ?? 0);
    out[name] = ms;
  }
  return out;
}

let kafkaPidCache: number[] | undefined;
function kafkaPid(): number[] {
  kafkaPidCache ??= findKafkaPid();
  return kafkaPidCache;
}
function findKafkaPid(): number[] {
  // The broker is whoever listens on 9092 (scripts/kafka.sh's, or a shared one): find its socket inode.
  const port = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",")[0]?.split(":")[1] ?? "9092";
  const hexPort = Number(port).toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A") inodes.add(cols[9] as string);
    }
  }
  if (inodes.size === 0) return [];
  const glob = new Bun.Glob("[0-9]*/fd/*");
  for (const fd of glob.scanSync({ cwd: "/proc", onlyFiles: false })) {
    try {
      const target = readlinkSync(`/proc/${fd}`);
      const inode = target.match(/^socket:\[(\d+)\]$/)?.[1];
      if (inode && inodes.has(inode)) return [Number(fd.split("/")[0])];
    } catch {}
  }
  return [];
}

// ------------------------------------------------------------------------------------- servers

async function readyLine(proc: Subprocess<"ignore", "pipe", "pipe">, what: string): Promise<string> {
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
    const m = text.match(/ready (\S+)/);
    if (m) {
      reader.releaseLock();
      void proc.stdout.pipeTo(new WritableStream()).catch(() => {});
      return m[1] as string;
    }
  }
  throw new Error(`${what} did not start: ${text}${await new Response(proc.stderr).text()}`);
}

function spawnBun(script: string, env: Record<string, string>) {
  return spawn([process.execPath, join(import.meta.dir, script)], {
    cwd: repoRoot,
    env: { ...process.env, ...env } as Record<string, string>,
    stdout: "pipe",
    stderr: "pipe",
  });
}

/** A parsed answer, read loosely: the bench only picks a few fields it knows are there. */
type Json = Record<string, Record<string, unknown> & { id?: string }> & {
  devOtp?: string;
  persisterLag?: number;
};
interface HttpUser {
  readonly cookie: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }>;
}

let loginCount = 0;
/**
 * Console-OTP login. Each user comes from its own address (X-Forwarded-For, the servers run with
 * TRUSTED_PROXIES=1), so the per-address OTP limit does not stop the bench from creating its users.
 */
async function login(base: string, phone: string): Promise<HttpUser> {
  const n = ++loginCount;
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  let cookie = "";
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        "x-forwarded-for": ip,
        ...(body !== undefined && { "content-type": "application/json" }),
        ...(cookie && { cookie }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(";")[0] ?? "";
      if (pair.startsWith("ox_session=")) cookie = pair;
    }
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json };
  };
  const otp = await call("POST", "/auth/otp", { phone });
  if (otp.status !== 200) throw new Error(`otp for ${phone}: ${otp.status} ${JSON.stringify(otp.json)}`);
  const verified = await call("POST", "/auth/verify", { phone, otp: otp.json.devOtp });
  if (verified.status !== 200)
    throw new Error(`verify ${phone}: ${verified.status} ${JSON.stringify(verified.json)}`);
  return {
    call,
    get cookie() {
      return cookie;
    },
  };
}

interface Target {
  base: string;
  admin: HttpUser;
  configs: string[];
  cpuSources: Record<string, PidSource>;
  /** Milliseconds until Postgres has every record the engine logged (polled). */
  persisterCatchUpMs(): Promise<number | null>;
}

/** Markets, funded users and one wrk config file per generator. */
async function seed(
  base: string,
  dir: string,
  tag: string,
): Promise<Omit<Target, "cpuSources" | "persisterCatchUpMs">> {
  const admin = await login(base, ADMIN);
  const markets: string[] = [];
  for (let i = 0; i < marketCount; i++) {
    const created = await admin.call("POST", "/admin/markets", {
      title: `Bench market ${tag} ${i} ${Date.now()}`,
      category: "bench",
      closeAt: Date.now() + 86_400_000,
    });
    if (created.status !== 201)
      throw new Error(`create market: ${created.status} ${JSON.stringify(created.json)}`);
    markets.push(String(created.json.market?.id));
  }
  const configs: string[] = [];
  let phone = 0;
  for (let g = 0; g < generators; g++) {
    const lines = markets.map((m) => `market ${m}`);
    await Promise.all(
      Array.from({ length: usersPerGenerator }, async () => {
        const u = await login(base, `+9193${String(++phone).padStart(8, "0")}`);
        for (let d = 0; d < 3; d++) {
          const r = await u.call("POST", "/wallet/deposits", { amountPaise: 10_000_000 });
          if (r.status >= 300) throw new Error(`deposit: ${r.status} ${JSON.stringify(r.json)}`);
        }
        lines.push(`user ${u.cookie}`);
      }),
    );
    const file = join(dir, `${tag}-g${g}.conf`);
    writeFileSync(file, `${lines.join("\n")}\n`);
    configs.push(file);
  }
  // Users exist in the engine once their deposit went through it; markets once the book answers.
  for (const m of markets) {
    for (let i = 0; i < 100 && (await admin.call("GET", `/markets/${m}/orderbook`)).status !== 200; i++)
      await Bun.sleep(100);
  }
  return { base, admin, configs };
}

async function waitForCatchUp(lag: () => Promise<number>): Promise<number | null> {
  const t0 = performance.now();
  while (performance.now() - t0 < 120_000) {
    if ((await lag().catch(() => 1)) <= 0) return Math.round(performance.now() - t0);
    await Bun.sleep(50);
  }
  return null;
}

async function startEmbedded(dir: string): Promise<{ target: Target; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = spawnBun("embedded-server.ts", {
    PORT: String(port),
    DATA_DIR: join(dir, "embedded"),
    ADMIN_PHONES: ADMIN,
    JWT_SECRET,
    LOG_LEVEL: "warn",
    NODE_ENV: "development",
    DATABASE_URL: "",
    REDIS_URL: "",
    KAFKA_BROKERS: "",
    ACCESS_TOKEN_TTL_SEC: "86400",
    TRUSTED_PROXIES: "1",
    RATE_LIMITS: "off",
    ...serverEnv,
  });
  const url = await readyLine(proc, "embedded server");
  const base = url.replace("localhost", "127.0.0.1");
  const seeded = await seed(base, dir, "embedded");
  const target: Target = {
    ...seeded,
    cpuSources: { server: () => [proc.pid] },
    persisterCatchUpMs: () =>
      waitForCatchUp(async () => {
        const r = await seeded.admin.call("GET", "/admin/stats");
        return r.json?.persisterLag ?? 1;
      }),
  };
  return {
    target,
    async stop() {
      proc.kill("SIGTERM");
      await Promise.race([proc.exited, Bun.sleep(30_000)]);
      proc.kill("SIGKILL");
    },
  };
}

async function startDistributed(dir: string): Promise<{ target: Target; stop(): Promise<void> }> {
  const runId = `bench${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const cluster: Cluster = await startCluster({ dir, runId, jwtSecret: JWT_SECRET, adminPhone: ADMIN });
  try {
    const quiet = {
      LOG_LEVEL: "warn",
      ACCESS_TOKEN_TTL_SEC: "86400",
      TRUSTED_PROXIES: "1",
      RATE_LIMITS: "off",
      ...serverEnv,
    };
    // Snapshots at production cadence (the crash test's cluster snapshots every 400 commands).
    const engineEnv = { SNAPSHOT_EVERY_COMMANDS: "100000", SNAPSHOT_EVERY_MS: "60000", ...serverEnv };
    await cluster.add("persister", serverEnv);
    await cluster.add("engine", engineEnv);
    await cluster.add("api", quiet);
    await cluster.add("stream", quiet);
    const seeded = await seed(cluster.proc("api").baseUrl ?? "", dir, "distributed");
    const pgAdmin = new pg.Client({ connectionString: cluster.databaseUrl });
    await pgAdmin.connect();
    const dbName = new URL(cluster.databaseUrl).pathname.slice(1);
    const log = await createKafkaLog<LogRecord>({
      brokers: cluster.env.KAFKA_BROKERS?.split(",") ?? [],
      topic: cluster.topic,
      clientId: `${runId}-bench`,
    });
    const pidOf = (role: "api" | "engine" | "persister" | "stream") => () => {
      const pid = cluster.proc(role).pid;
      return pid ? [pid] : [];
    };
    const target: Target = {
      ...seeded,
      cpuSources: {
        api: pidOf("api"),
        engine: pidOf("engine"),
        persister: pidOf("persister"),
        stream: pidOf("stream"),
        redis: () => (cluster.redisPid ? [cluster.redisPid] : []),
        kafka: kafkaPid,
        postgres: async () =>
          (
            await pgAdmin.query(
              "select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
              [dbName],
            )
          ).rows.map((r) => Number(r.pid)),
      },
      persisterCatchUpMs: () =>
        waitForCatchUp(async () => {
          const end = await log.endOffset();
          const r = await pgAdmin.query('select coalesce(max("offset"), 0) as o from consumer_offsets');
          return end - Number(r.rows[0]?.o ?? 0);
        }),
    };
    return {
      target,
      async stop() {
        // Graceful stops (SIGTERM), so profiles get written; close() kills what is left.
        if (flags.profile)
          for (const role of ["api", "stream", "engine", "persister"] as const)
            await cluster.proc(role).stop();
        await log.close().catch(() => {});
        await pgAdmin.end().catch(() => {});
        await cluster.close();
      },
    };
  } catch (err) {
    await cluster.close();
    throw err;
  }
}

// --------------------------------------------------------------------------------------- phases

interface PhaseResult extends Measured {
  mode: string;
  connections: number;
  cpuMsPer1000: Record<string, number>;
  load1: number;
}

async function orderPhase(mode: string, target: Target, connections: number, wrkMode: "orders" | "batch") {
  if (warmup > 0)
    await runWrk({ url: target.base, mode: wrkMode, connections, seconds: warmup, configs: target.configs });
  const load1 = loadavg()[0] as number;
  const before = await sampleCpu(target.cpuSources);
  const m = await runWrk({ url: target.base, mode: wrkMode, connections, seconds, configs: target.configs });
  const after = await sampleCpu(target.cpuSources);
  const orders = (m.perSec * m.durationSec * (wrkMode === "batch" ? 20 : 1)) / 1_000;
  const cpu = cpuDelta(before, after);
  cpu.loadgen = m.loadgenCpuMs;
  const cpuMsPer1000 = Object.fromEntries(
    Object.entries(cpu).map(([k, v]) => [k, orders > 0 ? round(v / orders, 1) : 0]),
  );
  const phase: PhaseResult = { mode, connections, ...m, cpuMsPer1000, load1 };
  say(
    `  ${mode.padEnd(11)} c=${String(connections).padStart(3)}  ${String(m.perSec).padStart(6)}/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  p99.9 ${m.p999Ms} ms  errors ${m.errors}  rejected ${m.rejected}  load ${load1}  cpu/1000 ${JSON.stringify(cpuMsPer1000)}`,
  );
  return phase;
}

const dir = mkdtempSync(join(tmpdir(), "ox-bench-e2e-"));
const result: {
  loadavg: { start: number[]; end?: number[] };
  settings: Record<string, unknown>;
  echo?: { perSec: number; p50Ms: number; p99Ms: number; p999Ms: number; errors: number; load1: number };
  phases: PhaseResult[];
  persisterCatchUpMs: Record<string, number | null>;
  batch?: {
    mode: string;
    ordersPerSec: number;
    p99Ms: number;
    p50Ms?: number;
    errors?: number;
    available: boolean;
  };
} = {
  loadavg: { start: loadavg() },
  settings: {
    seconds,
    warmup,
    connections: sweep,
    generators,
    usersPerGenerator,
    markets: marketCount,
    serverEnv,
  },
  phases: [],
  persisterCatchUpMs: {},
};
let exitCode = 0;
try {
  say(
    `e2e bench: ${seconds}s phases (+${warmup}s warm-up), connections ${sweep.join("/")}, ${generators} wrk processes, load ${loadavg().join(" ")}`,
  );
  // The ceiling: Bun.serve + Hono echo of one order body, same load generator, 64 connections.
  if (!flags["orders-only"]) {
    const echo = spawnBun("echo-server.ts", {});
    try {
      const url = await readyLine(echo, "echo server");
      const conf = join(dir, "echo.conf");
      writeFileSync(conf, "market m\n");
      const configs = Array.from({ length: generators }, () => conf);
      const connections = sweep.includes(64) ? 64 : (sweep[0] as number);
      if (warmup > 0) await runWrk({ url, mode: "echo", connections, seconds: warmup, configs });
      const load1 = loadavg()[0] as number;
      const m = await runWrk({ url, mode: "echo", connections, seconds, configs });
      result.echo = {
        perSec: m.perSec,
        p50Ms: m.p50Ms,
        p99Ms: m.p99Ms,
        p999Ms: m.p999Ms,
        errors: m.errors,
        load1,
      };
      say(
        `  echo        c=${connections}  ${m.perSec}/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  load ${load1}`,
      );
    } finally {
      echo.kill("SIGKILL");
    }
  }

  for (const mode of modes) {
    const started =
      mode === "distributed" ? await startDistributed(join(dir, "distributed")) : await startEmbedded(dir);
    try {
      for (const connections of sweep)
        result.phases.push(await orderPhase(mode, started.target, connections, "orders"));
      result.persisterCatchUpMs[mode] = await started.target.persisterCatchUpMs();
      say(`  ${mode} persister caught up ${result.persisterCatchUpMs[mode]} ms after the last phase`);
      if (mode === "embedded" && !flags["orders-only"]) {
        const probe = await started.target.admin.call("POST", "/orders/batch", { orders: [] });
        if (probe.status === 404) {
          result.batch = { mode, ordersPerSec: 0, p99Ms: 0, available: false };
          say("  batch: POST /orders/batch not available");
        } else {
          const connections = sweep.includes(64) ? 64 : (sweep[0] as number);
          const b = await orderPhase("embedded-batch", started.target, connections, "batch");
          result.batch = {
            mode,
            ordersPerSec: b.perSec * 20,
            p50Ms: b.p50Ms,
            p99Ms: b.p99Ms,
            errors: b.errors,
            available: true,
          };
          say(`  batch (20 per request, c=${connections}): ${result.batch.ordersPerSec} orders/s`);
        }
      }
    } finally {
      await started.stop();
    }
  }
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
result.loadavg.end = loadavg();
if (flags.json) console.log(JSON.stringify(result));
process.exit(exitCode);
