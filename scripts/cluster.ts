/**
 * `npm run cluster -- --shards N --risk M --api K`: the production topology on one machine
 * (README "Running the production topology"): N matching and M risk shard processes, the
 * persister over every shard topic, the stream, and K API replicas sharing one port (Bun.serve
 * reusePort: the kernel spreads connections, as a Service spreads them over pods), on the
 * machine's Postgres and Redis and the project's Kafka (scripts/kafka.sh).
 *
 * Honours PORT (3000), ADMIN_PHONES (a demo admin in development, as `npm start`), DATA_DIR
 * (./data: shard snapshots, logs, dev secrets), and REDIS_URL, DATABASE_URL (the machine's
 * Postgres, database `ox_cluster`, created and migrated once here), KAFKA_BROKERS, EVENT_TOPIC,
 * ENGINE_COMMAND_STREAM, SHARD_MAP (default: version 1, N × M, markets and users by hash). A
 * process that exits on its own is started again (as a supervisor would). `--http-log-level warn`
 * runs the API replicas and the stream at that level (no access log line per request: what
 * `npm run bench:e2e -- --modes cluster` uses); such a child is ready once it listens on its port. Ctrl-C (or SIGTERM)
 * stops the APIs, then the stream and the persister, then the shards, each with SIGTERM (SIGKILL
 * after 15 s), and exits once every child has exited.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureDevSecrets, parseApiEnv, secureDataDir } from "@ox/config";
import { transportDefaults } from "@ox/contracts/pipeline";
import { createDb } from "@ox/db";
import { checkShardMap, describeShardMap, type ShardMap, shardIds } from "@ox/engine/shards";
import { type Subprocess, spawn } from "bun";
import pg from "pg";
import { holdsSocket, socketInodes } from "../apps/platform/bench/lib.ts";

const root = resolve(import.meta.dir, "..");
const bun = process.execPath;
const { values: flags } = parseArgs({
  options: {
    shards: { type: "string", default: "2" },
    risk: { type: "string" },
    api: { type: "string", default: "2" },
    "http-log-level": { type: "string" },
  },
});
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const httpLogLevel = flags["http-log-level"];
if (httpLogLevel !== undefined && !LOG_LEVELS.includes(httpLogLevel)) {
  console.error(`--http-log-level must be one of ${LOG_LEVELS.join(", ")} (got ${httpLogLevel})`);
  process.exit(2);
}
/** At these levels a child never logs its (info) ready line: it is ready once it listens instead. */
const logsReadyLine = (level: string | undefined) =>
  !["fatal", "error", "warn", "silent"].includes(level ?? "info");
const count = (name: string, raw: string | undefined, fallback: number) => {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > 64) {
    console.error(`--${name} must be 1..64 (got ${raw})`);
    process.exit(2);
  }
  return n;
};
const N = count("shards", flags.shards, 2);
const M = count("risk", flags.risk, N);
const K = count("api", flags.api, 2);

const devMode = (process.env.NODE_ENV ?? "development") !== "production";
const DEMO_ADMIN_PHONE = "+919000000001"; // as `npm start`
if (devMode && !process.env.ADMIN_PHONES) process.env.ADMIN_PHONES = DEMO_ADMIN_PHONE;
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/ox_cluster";
if (!process.env.KAFKA_BROKERS) {
  // The project's single-node broker: used when one answers on 9092, started (and kept) otherwise.
  const r = spawnSync("bash", [join(root, "scripts/kafka.sh"), "start"], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error("could not start Kafka (scripts/kafka.sh start); set KAFKA_BROKERS");
    process.exit(2);
  }
}
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";

let map: ShardMap;
try {
  map = checkShardMap(
    process.env.SHARD_MAP
      ? (JSON.parse(process.env.SHARD_MAP) as ShardMap)
      : { version: 1, matchingShards: N, riskShards: M },
  );
} catch (err) {
  console.error(`SHARD_MAP: ${(err as Error).message}`);
  process.exit(2);
}
if (map.matchingShards !== N || map.riskShards !== M) {
  console.error(
    `SHARD_MAP has ${map.matchingShards} matching × ${map.riskShards} risk, the flags ${N} × ${M}`,
  );
  process.exit(2);
}

// The API's environment as the API parses it: one set of dev secrets for every replica and the
// stream (written once here, not raced by K processes starting at once).
const apiEnv = ensureDevSecrets(parseApiEnv({ ...process.env, REDIS_URL, DATABASE_URL, KAFKA_BROKERS }));
secureDataDir(apiEnv.DATA_DIR);
const dataDir = resolve(apiEnv.DATA_DIR);
const logDir = join(dataDir, "logs");
mkdirSync(logDir, { recursive: true, mode: 0o700 });

await ensureDatabase(DATABASE_URL);

const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  NODE_ENV: process.env.NODE_ENV ?? "development",
  REDIS_URL,
  DATABASE_URL,
  KAFKA_BROKERS,
  DATA_DIR: dataDir,
  SHARD_MAP: JSON.stringify(map),
  ENGINE_COMMAND_STREAM: process.env.ENGINE_COMMAND_STREAM ?? transportDefaults.commandStream,
  EVENT_TOPIC: process.env.EVENT_TOPIC ?? transportDefaults.eventTopic,
  JWT_SECRET: apiEnv.JWT_SECRET,
  PAYMENT_WEBHOOK_SECRET: apiEnv.PAYMENT_WEBHOOK_SECRET,
  ADMIN_PHONES: apiEnv.ADMIN_PHONES.join(","),
  DB_MIGRATE: "false",
  METRICS_PORT: "0",
};
const port = apiEnv.PORT;
const streamPort = Number(process.env.STREAM_PORT ?? port + 1);
const webDist = join(root, "apps/web/dist");

interface Child {
  name: string;
  main: string;
  env: Record<string, string>;
  ready: (line: string) => boolean;
  /** Ready once the process listens on this TCP port (a child whose log level hides its ready line). */
  readyPort?: number;
  proc?: Subprocess;
  log: WriteStream;
  restarts: number;
  stopping: boolean;
}
const children: Child[] = [];
let stopping = false;

function child(
  name: string,
  main: string,
  extra: Record<string, string>,
  readyLine: string,
  listenPort?: number,
): Child {
  const childEnv = { ...env, ...extra };
  const c: Child = {
    name,
    main,
    env: childEnv,
    ready: (line) => line.includes(readyLine),
    readyPort: listenPort !== undefined && !logsReadyLine(childEnv.LOG_LEVEL) ? listenPort : undefined,
    log: createWriteStream(join(logDir, `${name}.log`), { flags: "a", mode: 0o600 }),
    restarts: 0,
    stopping: false,
  };
  children.push(c);
  return c;
}

/** Starts a child; resolves once its ready line is logged (its stdout and stderr go to its log). */
function start(c: Child): Promise<void> {
  return new Promise((ok, fail) => {
    let ready = false;
    const proc = spawn([bun, join(root, c.main)], {
      cwd: root,
      env: c.env,
      stdout: "pipe",
      stderr: "pipe",
    });
    c.proc = proc;
    const pump = async (s: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      let buf = "";
      const reader = s.getReader();
      for (;;) {
        const { value: chunk, done } = await reader.read();
        if (done) break;
        c.log.write(chunk);
        if (ready) continue;
        buf += decoder.decode(chunk, { stream: true });
        if (c.ready(buf)) {
          ready = true;
          ok();
        }
        buf = buf.slice(-4_096);
      }
    };
    void pump(proc.stdout as ReadableStream<Uint8Array>);
    void pump(proc.stderr as ReadableStream<Uint8Array>);
    if (c.readyPort !== undefined) {
      const port = c.readyPort;
      void (async () => {
        while (!ready && proc.exitCode === null && proc.signalCode === null) {
          if (listensOn(proc.pid, port)) {
            ready = true;
            ok();
          } else await Bun.sleep(100);
        }
      })();
    }
    void proc.exited.then(async (code) => {
      if (!ready)
        fail(new Error(`${c.name} exited ${code} before it was ready (see ${logDir}/${c.name}.log)`));
      if (c.stopping || stopping || c.proc !== proc) return;
      // A supervisor's job: start it again (recovery from snapshot + its log does the rest).
      c.restarts++;
      console.error(`[cluster] ${c.name} exited ${code} on its own; restarting (${c.restarts})`);
      await Bun.sleep(Math.min(5_000, 500 * c.restarts));
      if (!stopping) await start(c).catch((err) => console.error(`[cluster] ${(err as Error).message}`));
    });
  });
}

async function stop(group: Child[]) {
  await Promise.all(
    group.map(async (c) => {
      c.stopping = true;
      const p = c.proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      p.kill("SIGTERM");
      const timer = setTimeout(() => p.kill("SIGKILL"), 15_000);
      await p.exited;
      clearTimeout(timer);
    }),
  );
}

const shards = shardIds(map).map((id) =>
  child(
    `engine-${id}`,
    "apps/engine/src/main.ts",
    { SHARD: id, ENGINE_CONSUMER: `engine-${id}` },
    "engine shard consuming",
  ),
);
const persister = child("persister", "apps/persister/src/main.ts", {}, "persister: started");
const stream = child(
  "stream",
  "apps/stream/src/main.ts",
  { STREAM_PORT: String(streamPort) },
  "stream: listening",
);
const apis = Array.from({ length: K }, (_, i) =>
  child(
    `api-${i}`,
    "apps/api/src/main.ts",
    {
      PORT: String(port),
      REUSE_PORT: "true",
      INSTANCE_ID: `api-${i}-${process.pid}`,
      ...(existsSync(join(webDist, "index.html")) && { WEB_DIST: webDist }),
      ...(httpLogLevel && { LOG_LEVEL: httpLogLevel }),
    },
    "api listening",
    port,
  ),
);

const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.error(`\n[cluster] ${signal}: stopping the APIs, the stream and persister, then the shards`);
  await stop(apis);
  await stop([stream, persister]);
  await stop(shards);
  for (const c of children) c.log.end();
  console.error("[cluster] stopped");
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

try {
  console.error(`[cluster] ${describeShardMap(map)}`);
  await Promise.all(shards.map(start));
  await Promise.all([start(persister), start(stream)]);
  await Promise.all(apis.map(start));
} catch (err) {
  console.error(`[cluster] ${(err as Error).message}`);
  await shutdown("start failed");
  process.exit(1);
}

const url = `http://127.0.0.1:${port}`;
console.log(
  [
    "",
    `  Opinion exchange, production topology on one machine: ${url}`,
    `  Shard map       ${JSON.stringify(map)}`,
    `                  ${describeShardMap(map)}`,
    `  Processes       ${N} matching + ${M} risk shards, persister, stream (:${streamPort}), ${K} API replicas on :${port}`,
    `  Pids            ${children.map((c) => `${c.name}=${c.proc?.pid}`).join(" ")}`,
    `  Postgres        ${DATABASE_URL.replace(/\/\/[^@]*@/, "//")}`,
    `  Redis / Kafka   ${REDIS_URL} / ${KAFKA_BROKERS} (topics ${env.EVENT_TOPIC}.<shard>)`,
    `  Admin phones    ${apiEnv.ADMIN_PHONES.join(", ") || "none (set ADMIN_PHONES)"}`,
    `  Logs            ${logDir}/<process>.log`,
    "  Ctrl-C stops every process.",
    "",
  ].join("\n"),
);

/** Whether process `pid` holds a listening TCP socket on `port` (/proc/net/tcp{,6} and its fds). */
function listensOn(pid: number, port: number): boolean {
  const inodes = socketInodes(port, true);
  return inodes.size > 0 && holdsSocket(pid, inodes);
}

/** The database exists (created on the machine's Postgres when missing) and is migrated, once. */
async function ensureDatabase(url: string) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } catch (err) {
    console.error(
      `Postgres at ${admin.host}: ${(err as Error).message} (bash scripts/ensure-services.sh starts it)`,
    );
    process.exit(2);
  } finally {
    await client.end().catch(() => {});
  }
  const db = await createDb({ url, migrate: true });
  await db.close();
}
