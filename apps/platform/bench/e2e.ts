/**
 * `npm run bench:e2e`: orders/s and latency through HTTP → engine → durable log → reply, with the
 * server in its own process(es) and the load from separate wrk processes (apps/platform/bench/load.lua:
 * several users on several markets; limits near the touch, marketable orders, cancels of own orders).
 * No client ever runs in a server's process; the wrk processes' own CPU is reported as `loadgen`.
 *   - echo: a Bun.serve + Hono echo of the same body, same load generator (the ceiling of any route)
 *   - embedded: `npm start`'s single process (in-process queue, file journal, PGlite)
 *   - distributed: api, engine, persister and stream processes over a private redis-server, a fresh
 *     database on the machine's Postgres and a unique topic on the machine's Kafka; each process's
 *     CPU ms per 1 000 orders from /proc/<pid>/stat (Kafka's and Postgres' include other tenants)
 *   - cluster: `npm run cluster` (scripts/cluster.ts: N matching and M risk shard processes, the
 *     persister over every shard topic, the stream and K API replicas on one port) on a private
 *     redis-server, a fresh database and unique topics as distributed; one run per --shards entry
 *     (--risk: risk shards, default = matching shards; --api: API replicas, default 2); CPU per
 *     1 000 orders per shard process (match.<k>, risk.<k>), api summed over the replicas
 *   - batch: POST /orders/batch (20 orders per request) and DELETE /orders/batch, embedded; `null`
 *     with `batchUnavailable` when the server answers 404
 * A concurrency sweep per mode (--connections, default 16,64,256). After each mode the persister's
 * catch-up time (engine log end → Postgres) is measured.
 * Flags: --seconds N (per phase, default 10), --warmup N (default 2), --connections list,
 * --modes embedded,distributed,cluster, --shards 1,2 (cluster mode: one cluster per entry), --risk N,
 * --api N, --generators N (wrk processes, default 2), --users N per generator
 * (default 32), --markets N (default 8), --quick (short phases, one concurrency unless --connections:
 * the npm test smoke), --json (one JSON object on the last line of stdout; progress goes to stderr),
 * --server-root DIR (run the servers of another checkout, e.g. a worktree of an older commit, with
 * this load generator: before/after in one session), --server-env K=V,… (extra env for the servers,
 * A/B flags), --profile DIR (CPU profiles of every server process, markdown and .cpuprofile, and
 * of the embedded storage worker, written when they stop; summarise with profile-summary.ts),
 * --orders-only (no echo ceiling, no batch phase: what `npm run bench:metrics` repeats).
 * Needs wrk (apt-get install wrk), redis-server, Postgres on 127.0.0.1:5432 and Kafka (scripts/kafka.sh).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createKafkaLog } from "@ox/bus";
import type { LogRecord } from "@ox/contracts/pipeline";
import { type Subprocess, spawn } from "bun";
import pg from "pg";
import type * as ClusterKit from "../test/crash-cluster.ts";
import { freePort, repoRoot } from "../test/crash-cluster.ts";
import {
  type BenchResult,
  coresUsed,
  cpuDelta,
  listenerPids,
  loadavg,
  type Phase,
  type PidSource,
  per1000,
  processTree,
  runWrk,
  sampleCpu,
  shapeProblems,
  type WrkMode,
} from "./lib.ts";

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
    "server-root": { type: "string" },
    "server-env": { type: "string", default: "" },
    profile: { type: "string" },
    "orders-only": { type: "boolean", default: false },
    shards: { type: "string", default: "1,2" },
    risk: { type: "string" },
    api: { type: "string", default: "2" },
  },
});
const quick = flags.quick;
const seconds = Number(flags.seconds ?? (quick ? 1 : 10));
const warmup = Number(flags.warmup ?? (quick ? 0 : 2)); // wrk takes whole seconds
const sweep = (flags.connections ?? (quick ? "16" : "16,64,256")).split(",").map(Number);
const modes = flags.modes.split(",").map((m) => m.trim());
for (const m of modes)
  if (m !== "embedded" && m !== "distributed" && m !== "cluster")
    throw new Error(`--modes: unknown mode ${m}`);
const positive = (name: string, raw: string) => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > 64) throw new Error(`--${name}: 1..64, got ${raw}`);
  return n;
};
/** Cluster mode's topologies, one run each: matching shards × risk shards × API replicas. */
const clusterShapes = flags.shards.split(",").map((raw) => {
  const shards = positive("shards", raw.trim());
  return {
    shards,
    risk: flags.risk === undefined ? shards : positive("risk", flags.risk),
    api: positive("api", flags.api),
  };
});
const generators = Number(flags.generators);
const usersPerGenerator = Number(flags.users ?? (quick ? 4 : 32));
const marketCount = Number(flags.markets ?? (quick ? 2 : 8));
const serverEnv = Object.fromEntries(
  flags["server-env"]
    .split(",")
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);
// --profile DIR: every server process writes CPU profiles into DIR on exit: Bun's of its main
// thread (markdown, and .cpuprofile for apps/platform/bench/profile-summary.ts), and the embedded
// storage worker's own (worker.*.cpuprofile, persister-worker.ts).
if (flags.profile) {
  serverEnv.BUN_OPTIONS = `--cpu-prof --cpu-prof-md --cpu-prof-dir=${flags.profile}`;
  serverEnv.OX_WORKER_CPU_PROF_DIR = flags.profile;
}
/** The checkout whose servers run (this one by default); the load generator is always this one's. */
const serverRoot = resolve(flags["server-root"] ?? repoRoot);
for (const f of [
  "apps/platform/bench/embedded-server.ts",
  "apps/platform/test/crash-cluster.ts",
  ...(modes.includes("cluster") ? ["scripts/cluster.ts"] : []),
])
  if (!existsSync(join(serverRoot, f))) throw new Error(`--server-root ${serverRoot}: no ${f}`);
const ADMIN = "+919200000001";
const JWT_SECRET = "bench-secret-bench-secret-bench-secret-01";
const BATCH_SIZE = 20;
/** Progress and the human summary go to stderr, so stdout holds nothing but --json's object. */
const say = (line: string) => console.error(line);

function gitCommit(dir: string): string | null {
  const r = Bun.spawnSync(["git", "-C", dir, "rev-parse", "--short", "HEAD"], { stderr: "ignore" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : null;
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
      void proc.stderr.pipeTo(new WritableStream()).catch(() => {});
      return m[1] as string;
    }
  }
  throw new Error(`${what} did not start: ${text}${await new Response(proc.stderr).text()}`);
}

/** A bun process running `script` (a path under `root`) from `root`. */
function spawnBun(root: string, script: string, env: Record<string, string>) {
  return spawn([process.execPath, join(root, script)], {
    cwd: root,
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

// ------------------------------------------------------------------- shared services' processes

let kafkaPidCache: number[] | undefined;
/** The Kafka broker: whoever listens on the first KAFKA_BROKERS port (a shared broker: other tenants too). */
function kafkaPids(): number[] {
  if (!kafkaPidCache?.length) {
    const first = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",")[0] ?? "";
    kafkaPidCache = listenerPids(Number(first.split(":")[1] ?? 9092)).slice(0, 1);
  }
  return kafkaPidCache;
}

/** Every process of the Postgres server (postmaster by its port, then its children): all tenants. */
function postgresServerPids(databaseUrl: string): PidSource {
  let postmaster: number | undefined;
  return () => {
    postmaster ??= listenerPids(Number(new URL(databaseUrl).port || 5432))[0];
    return postmaster ? processTree(postmaster) : [];
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
  const proc = spawnBun(serverRoot, "apps/platform/bench/embedded-server.ts", {
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
    // serverMain: the main thread alone (HTTP, engine, journal); the rest of `server` is the
    // storage worker (PGlite and the persister, where the server has one) and the runtime's helpers.
    cpuSources: { server: () => [proc.pid], serverMain: () => [`${proc.pid}/task/${proc.pid}`] },
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
  // The cluster kit of the server checkout: its mains, its migrations, its env.
  const kit = (await import(join(serverRoot, "apps/platform/test/crash-cluster.ts"))) as typeof ClusterKit;
  const cluster = await kit.startCluster({ dir, runId, jwtSecret: JWT_SECRET, adminPhone: ADMIN });
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
        kafka: kafkaPids,
        postgres: async () =>
          (
            await pgAdmin.query(
              "select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
              [dbName],
            )
          ).rows.map((r) => Number(r.pid)),
        postgresServer: postgresServerPids(cluster.databaseUrl),
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

interface ClusterShape {
  shards: number;
  risk: number;
  api: number;
}

/** Exits of cluster processes that scripts/cluster.ts restarted during the run (each is a note). */
const clusterRestarts: string[] = [];

/**
 * `npm run cluster -- --shards N --risk M --api K` of the server checkout, on the distributed
 * mode's private redis-server, fresh database and unique topics (the cluster kit makes them; the
 * script starts every process). Its banner lists each child's pid: their CPU is read by name.
 */
async function startClusterMode(
  dir: string,
  shape: ClusterShape,
): Promise<{ target: Target; stop(): Promise<void> }> {
  const runId = `bench${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const kit = (await import(join(serverRoot, "apps/platform/test/crash-cluster.ts"))) as typeof ClusterKit;
  const cluster = await kit.startCluster({ dir, runId, jwtSecret: JWT_SECRET, adminPhone: ADMIN });
  const pids = new Map<string, number>();
  let script: Subprocess<"ignore", "pipe", "pipe"> | undefined;
  const killChildren = () => {
    for (const pid of pids.values())
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
  };
  try {
    const port = await freePort();
    script = spawn(
      [
        process.execPath,
        join(serverRoot, "scripts/cluster.ts"),
        "--shards",
        String(shape.shards),
        "--risk",
        String(shape.risk),
        "--api",
        String(shape.api),
        // The APIs and the stream at warn, as in distributed mode (no access log line per request);
        // the shards and the persister at info, as there.
        "--http-log-level",
        "warn",
      ],
      {
        cwd: serverRoot,
        env: {
          ...cluster.env,
          LOG_LEVEL: "info",
          ACCESS_TOKEN_TTL_SEC: "86400",
          TRUSTED_PROXIES: "1",
          RATE_LIMITS: "off",
          // Snapshots at production cadence, as distributed mode's engine.
          SNAPSHOT_EVERY_COMMANDS: "100000",
          SNAPSHOT_EVERY_MS: "60000",
          PORT: String(port),
          STREAM_PORT: String(await freePort()),
          DATA_DIR: join(dir, "data"),
          ...serverEnv,
        },
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const proc = script;
    let stderr = "";
    void (async () => {
      const decoder = new TextDecoder();
      const errReader = proc.stderr.getReader();
      for (;;) {
        const { done, value } = await errReader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        stderr = (stderr + text).slice(-8_000);
        for (const line of text.split("\n"))
          if (line.includes("restarting")) {
            clusterRestarts.push(`cluster ${shape.shards}x${shape.risk}x${shape.api}: ${line.trim()}`);
            say(`  ${line.trim()}`);
          }
      }
    })().catch(() => {});
    // The banner (stdout) ends with "Ctrl-C stops every process."; its Pids line names every child.
    let banner = "";
    const reader = proc.stdout.getReader();
    const decoder = new TextDecoder();
    // A cluster that never prints its banner: give up after 5 minutes (the loaded machine's worst).
    const giveUp = setTimeout(() => void reader.cancel().catch(() => {}), 300_000);
    while (!banner.includes("Ctrl-C stops")) {
      const { done, value } = await reader.read();
      if (done) break;
      banner += decoder.decode(value, { stream: true });
    }
    clearTimeout(giveUp);
    reader.releaseLock();
    void proc.stdout.pipeTo(new WritableStream()).catch(() => {});
    for (const m of (/Pids +(.*)/.exec(banner)?.[1] ?? "").matchAll(/(\S+)=(\d+)/g))
      pids.set(m[1] as string, Number(m[2]));
    if (!banner.includes("Ctrl-C stops"))
      throw new Error(`npm run cluster did not start: ${banner}\n${stderr}`);
    say(`  pids ${[...pids].map(([name, pid]) => `${name}=${pid}`).join(" ")}`);
    const shardIds = [
      ...Array.from({ length: shape.shards }, (_, k) => `m${k}`),
      ...Array.from({ length: shape.risk }, (_, k) => `r${k}`),
    ];
    for (const name of ["persister", "stream", ...shardIds.map((id) => `engine-${id}`)])
      if (!pids.has(name)) throw new Error(`the cluster's banner has no pid of ${name}: ${banner}`);
    const seeded = await seed(`http://127.0.0.1:${port}`, dir, `cluster${shape.shards}`);
    const pgAdmin = new pg.Client({ connectionString: cluster.databaseUrl });
    await pgAdmin.connect();
    const dbName = new URL(cluster.databaseUrl).pathname.slice(1);
    const logs = await Promise.all(
      shardIds.map(async (id) => ({
        name: `persister:${cluster.topic}.${id}:0`,
        log: await createKafkaLog<LogRecord>({
          brokers: cluster.env.KAFKA_BROKERS?.split(",") ?? [],
          topic: `${cluster.topic}.${id}`,
          clientId: `${runId}-bench-${id}`,
        }),
      })),
    );
    const named = (name: string) => () => {
      const pid = pids.get(name);
      return pid ? [pid] : [];
    };
    const cpuSources: Record<string, PidSource> = {
      api: () => [...pids].filter(([name]) => name.startsWith("api-")).map(([, pid]) => pid),
    };
    for (const id of shardIds)
      cpuSources[`${id[0] === "m" ? "match" : "risk"}.${id.slice(1)}`] = named(`engine-${id}`);
    Object.assign(cpuSources, {
      persister: named("persister"),
      stream: named("stream"),
      // scripts/cluster.ts itself: it copies every child's output into its log file.
      supervisor: () => [proc.pid],
      redis: () => (cluster.redisPid ? [cluster.redisPid] : []),
      kafka: kafkaPids,
      postgres: async () =>
        (
          await pgAdmin.query(
            "select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
            [dbName],
          )
        ).rows.map((r) => Number(r.pid)),
      postgresServer: postgresServerPids(cluster.databaseUrl),
    } satisfies Record<string, PidSource>);
    const target: Target = {
      ...seeded,
      cpuSources,
      persisterCatchUpMs: () =>
        waitForCatchUp(async () => {
          const r = await pgAdmin.query('select name, "offset" from consumer_offsets where name = any($1)', [
            logs.map((l) => l.name),
          ]);
          const done = new Map(r.rows.map((row) => [String(row.name), Number(row.offset)]));
          let lag = 0;
          for (const l of logs) lag += (await l.log.endOffset()) - (done.get(l.name) ?? 0);
          return lag;
        }),
    };
    return {
      target,
      async stop() {
        // Ctrl-C's path: the script stops the APIs, the stream and persister, then the shards.
        proc.kill("SIGTERM");
        await Promise.race([proc.exited, Bun.sleep(60_000)]);
        proc.kill("SIGKILL");
        killChildren();
        await Promise.all(logs.map((l) => l.log.close().catch(() => {})));
        await pgAdmin.end().catch(() => {});
        await cluster.close();
      },
    };
  } catch (err) {
    script?.kill("SIGKILL");
    killChildren();
    await cluster.close();
    throw err;
  }
}

// --------------------------------------------------------------------------------------- phases

async function orderPhase(
  mode: Phase["mode"],
  target: Target,
  connections: number,
  wrkMode: WrkMode,
  phaseSeconds = seconds,
  topology?: ClusterShape,
) {
  const run = (secs: number) =>
    runWrk({ url: target.base, mode: wrkMode, connections, seconds: secs, configs: target.configs });
  if (warmup > 0) await run(warmup);
  const load1 = loadavg()[0] as number;
  const before = await sampleCpu(target.cpuSources);
  const { generatorPids: _, ...m } = await run(phaseSeconds);
  const after = await sampleCpu(target.cpuSources);
  const items = m.perSec * m.durationSec * m.itemsPerRequest;
  const cpu = cpuDelta(before, after);
  cpu.loadgen = m.loadgenCpuMs;
  const phase: Phase = {
    mode,
    ...topology,
    connections,
    ...m,
    cpuMsPer1000: per1000(cpu, items),
    cpuCores: coresUsed(cpu, m.durationSec),
    load1,
  };
  say(
    `  ${(wrkMode === "batch" ? `${mode}-batch` : topology ? `cluster ${topology.shards}x${topology.risk}x${topology.api}` : mode).padEnd(14)} c=${String(connections).padStart(3)}  ${String(m.perSec).padStart(6)} req/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  p99.9 ${m.p999Ms} ms  errors ${m.errors}  rejected ${m.rejected}  load ${load1}  cpu ms/1000 ${JSON.stringify(phase.cpuMsPer1000)}  cores ${JSON.stringify(phase.cpuCores)}`,
  );
  return phase;
}

const dir = mkdtempSync(join(tmpdir(), "ox-bench-e2e-"));
const notes = [
  "perSec counts answered order-path requests: 2xx plus the engine's business refusals (404 no such open order, 409, 422), shown as rejected; errors are 5xx, other 4xx and socket errors",
  "the load generators are separate wrk processes (C, one thread each); their CPU is cpuMsPer1000.loadgen and it comes out of the same cores as the servers'",
  "embedded: server is the one process (HTTP, engine, journal, persister, PGlite), all its threads; serverMain is its main thread alone (HTTP, engine, journal; PGlite and the persister too on servers without the storage worker)",
  "distributed: redis is a private redis-server started for this run (only this run's load)",
  "distributed: kafka is the machine's shared broker (one JVM): its CPU includes every other tenant's topics and clients during the phase",
  "distributed: postgres is the backends connected to this run's database only; postgresServer is every process of the shared Postgres server (postmaster, WAL writer, checkpointer, every tenant's backends), so it includes other load",
  "cluster: scripts/cluster.ts (npm run cluster) on a private redis-server, a fresh database and unique topics; api is the sum of its API replicas (one port, SO_REUSEPORT), match.<k> / risk.<k> each shard process, supervisor the script itself (it copies the children's output to their log files); kafka, postgres and postgresServer as in distributed mode; persisterCatchUpMs['cluster NxMxK'] waits for every shard topic",
  "cpuCores is the cores each process group used on average during the phase (CPU ms / wall ms): on a loaded machine it shows how much CPU the servers got",
  "batch: ordersPerSec counts the orders and cancels carried (20 per POST, up to 20 per DELETE); its cpuMsPer1000 is per 1 000 of those",
  "loadavg is /proc/loadavg (1, 5, 15 min) at the start and the end; on a shared 2-core machine a load above 2 means the servers did not get the cores to themselves",
];
const result: BenchResult = {
  echo: null,
  phases: [],
  batch: null,
  persisterCatchUpMs: {},
  loadavg: { start: loadavg(), end: [] },
  server: { root: serverRoot, commit: gitCommit(serverRoot) },
  settings: {
    seconds,
    warmup,
    connections: sweep,
    modes,
    ...(modes.includes("cluster") && { cluster: clusterShapes }),
    generators,
    usersPerGenerator,
    markets: marketCount,
    serverEnv,
    benchCommit: gitCommit(repoRoot),
  },
  notes,
};
let batchReason = flags["orders-only"]
  ? "--orders-only"
  : modes.includes("embedded")
    ? "not measured"
    : "the batch phase runs in embedded mode, which this run left out";
const batchConnections = sweep.includes(64) ? 64 : (sweep[0] as number);
let exitCode = 0;
try {
  say(
    `e2e bench: servers from ${serverRoot} (${result.server.commit}), ${seconds}s phases (+${warmup}s warm-up), connections ${sweep.join("/")}, ${generators} wrk processes, load ${loadavg().join(" ")}`,
  );
  // The ceiling: Bun.serve + Hono echo of one order body, same load generator, 64 connections.
  if (!flags["orders-only"]) {
    const echo = spawnBun(repoRoot, "apps/platform/bench/echo-server.ts", {});
    try {
      const url = await readyLine(echo, "echo server");
      const conf = join(dir, "echo.conf");
      writeFileSync(conf, "market m\n");
      const configs = Array.from({ length: generators }, () => conf);
      const connections = batchConnections;
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
        `  echo           c=${String(connections).padStart(3)}  ${String(m.perSec).padStart(6)} req/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  load ${load1}`,
      );
    } finally {
      echo.kill("SIGKILL");
    }
  }

  // One run per mode; cluster mode one run per topology (--shards).
  const runs: { mode: Phase["mode"]; shape?: ClusterShape; key: string }[] = (
    modes as Phase["mode"][]
  ).flatMap((mode): { mode: Phase["mode"]; shape?: ClusterShape; key: string }[] =>
    mode === "cluster"
      ? clusterShapes.map((shape) => ({
          mode,
          shape,
          key: `cluster ${shape.shards}x${shape.risk}x${shape.api}`,
        }))
      : [{ mode, key: mode }],
  );
  for (const { mode, shape, key } of runs) {
    say(`  starting ${key} …`);
    const started =
      mode === "cluster" && shape
        ? await startClusterMode(join(dir, key.replaceAll(" ", "-")), shape)
        : mode === "distributed"
          ? await startDistributed(join(dir, "distributed"))
          : await startEmbedded(dir);
    try {
      for (const connections of sweep)
        result.phases.push(await orderPhase(mode, started.target, connections, "orders", seconds, shape));
      result.persisterCatchUpMs[key] = await started.target.persisterCatchUpMs();
      say(`  ${key}: persister caught up ${result.persisterCatchUpMs[key]} ms after the last phase`);
      if (mode === "embedded" && !flags["orders-only"]) {
        const probe = await started.target.admin.call("POST", "/orders/batch", { orders: [] });
        if (probe.status === 404) {
          batchReason = `POST /api/v1/orders/batch answered 404 on ${result.server.commit ?? serverRoot}: no batch endpoint`;
          say(`  batch: ${batchReason}`);
        } else {
          // A 20-order batch can take over a second on a loaded machine, so a 1 s smoke phase may
          // complete none: the quick run gives the batch phase at least 3 s.
          const b = await orderPhase(
            mode,
            started.target,
            batchConnections,
            "batch",
            quick ? Math.max(seconds, 3) : seconds,
          );
          result.batch = {
            mode,
            ordersPerSec: Math.round(b.perSec * b.itemsPerRequest),
            p50Ms: b.p50Ms,
            p99Ms: b.p99Ms,
            errors: b.errors,
            connections: batchConnections,
            cpuMsPer1000: b.cpuMsPer1000,
            cpuCores: b.cpuCores,
          };
          say(
            `  batch (${BATCH_SIZE} per POST, c=${batchConnections}): ${result.batch.ordersPerSec} orders/s, p99 ${b.p99Ms} ms`,
          );
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
if (!result.batch) result.batchUnavailable = batchReason;
for (const r of clusterRestarts)
  notes.push(
    `a cluster process exited and scripts/cluster.ts restarted it (its CPU after the restart is not counted): ${r}`,
  );
result.loadavg.end = loadavg();
const cores = availableParallelism();
const busiest = Math.max(result.loadavg.start[0] ?? 0, result.loadavg.end[0] ?? 0);
if (busiest > cores)
  notes.push(
    `the 1-minute load average reached ${busiest} on ${cores} cores: other work competed for the CPU, so these numbers measure contention as much as the servers`,
  );
say(`  load average: start ${result.loadavg.start.join(" ")}, end ${result.loadavg.end.join(" ")}`);
const problems = shapeProblems(result);
if (problems.length) {
  console.error(`bench:e2e result has the wrong shape: ${problems.join("; ")}`);
  exitCode = 1;
}
if (flags.json) console.log(JSON.stringify(result));
process.exit(exitCode);
