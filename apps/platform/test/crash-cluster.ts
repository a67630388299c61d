/**
 * The distributed deployment as child processes for the crash test and the e2e bench: a private
 * redis-server (pub/sub channels are global to a Redis server, so a private one is the only way to
 * keep other runs' engines from answering our queries), a fresh Postgres database, a unique Kafka
 * topic, and the four processes (docs/architecture.md#processes) started from their own mains, killable and restartable.
 */

import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort } from "@ox/bus/testing";
import { createDb, type DbHandle } from "@ox/db";
import { TEST_PG_ADMIN_URL } from "@ox/db/testing";
import { type Subprocess, spawn } from "bun";
import pg from "pg";

export const repoRoot = resolve(import.meta.dir, "../../..");
const bun = process.execPath;

export type Role = "engine" | "persister" | "api" | "stream";
const MAIN: Record<Role, string> = {
  engine: "apps/engine/src/main.ts",
  persister: "apps/persister/src/main.ts",
  api: "apps/api/src/main.ts",
  stream: "apps/stream/src/main.ts",
};

/** A line each main logs once it serves; "listening" roles are probed over HTTP instead. */
export { freePort };

const READY_LINE: Partial<Record<Role, string>> = {
  engine: "engine consuming commands",
  persister: "persister: started",
};

export interface Proc {
  readonly role: Role;
  readonly name: string;
  readonly port?: number;
  readonly baseUrl?: string;
  /** Where this process serves GET /metrics (the API on its own port, the others on METRICS_PORT). */
  readonly metricsUrl: string;
  readonly pid: number | undefined;
  /** Exits the test did not cause (a fatal error, e.g. a Kafka outage); each was restarted. */
  readonly unplannedExits: number;
  start(): Promise<void>;
  kill9(): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Sends a signal without expecting an exit (SIGSTOP / SIGCONT). */
  signal(name: "SIGSTOP" | "SIGCONT"): void;
}

export interface Cluster {
  readonly dir: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly topic: string;
  /** The private redis-server's pid (the e2e bench reads its CPU time). */
  readonly redisPid: number | undefined;
  readonly db: DbHandle;
  readonly env: Record<string, string>;
  proc(role: Role, index?: number): Proc;
  add(role: Role, extraEnv?: Record<string, string>): Promise<Proc>;
  close(): Promise<void>;
}

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (
      await Promise.resolve()
        .then(ok)
        .catch(() => false)
    )
      return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startCluster(options: {
  dir: string;
  runId: string;
  jwtSecret: string;
  adminPhone: string;
  /** A Redis the caller runs (and may restart); default: a private one started and killed here. */
  redisUrl?: string;
  /** Postgres superuser URL to create the database on; default TEST_PG_ADMIN_URL. */
  pgAdminUrl?: string;
  /** Kafka bootstrap list; default KAFKA_BROKERS or 127.0.0.1:9092. */
  kafkaBrokers?: string;
  extraEnv?: Record<string, string>;
}): Promise<Cluster> {
  const { dir, runId } = options;
  const pgAdminUrl = options.pgAdminUrl ?? TEST_PG_ADMIN_URL;
  mkdirSync(dir, { recursive: true });
  // Redis: a private server on a free port, no persistence needed (it is never killed here).
  let redis: Subprocess | undefined;
  let redisUrl = options.redisUrl;
  if (!redisUrl) {
    const redisPort = await freePort();
    redis = spawn(
      [
        "redis-server",
        "--port",
        String(redisPort),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      {
        stdout: "ignore",
        stderr: "ignore",
      },
    );
    redisUrl = `redis://127.0.0.1:${redisPort}`;
    await waitFor(
      "redis",
      async () =>
        await Bun.connect({ hostname: "127.0.0.1", port: redisPort, socket: { data() {} } }).then((s) => {
          s.end();
          return true;
        }),
    );
  }

  // Postgres: a fresh database, migrated once here so N processes do not race the migrator.
  const dbName = `ox_crash_${runId.replace(/[^a-z0-9]/g, "_")}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`create database "${dbName}"`);
  await admin.end();
  const url = new URL(pgAdminUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const db = await createDb({ url: databaseUrl });

  const topic = `ox.crash.${runId}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "development",
    LOG_LEVEL: "info",
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    DB_MIGRATE: "false",
    KAFKA_BROKERS: options.kafkaBrokers ?? process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
    EVENT_TOPIC: topic,
    ENGINE_COMMAND_STREAM: `ox:commands:${runId}`,
    JWT_SECRET: options.jwtSecret,
    PAYMENT_WEBHOOK_SECRET: "crash-test-webhook-secret",
    ADMIN_PHONES: options.adminPhone,
    SMS_PROVIDER: "console",
    DATA_DIR: join(dir, "data"),
    // Snapshots often, so restarts recover from snapshot + log tail, not only from the log.
    SNAPSHOT_EVERY_COMMANDS: "400",
    SNAPSHOT_EVERY_MS: "5000",
    ...options.extraEnv,
    // Rate-limit buckets of this cluster only (other runs share the machine's Redis and 127.0.0.1).
    RATE_LIMIT_PREFIX: `rl:${runId}`,
  };

  const procs: Proc[] = [];
  const counts: Record<Role, number> = { engine: 0, persister: 0, api: 0, stream: 0 };

  const makeProc = async (role: Role, extraEnv: Record<string, string>): Promise<Proc> => {
    const name = `${role}-${counts[role]++}`;
    const port = role === "api" || role === "stream" ? await freePort() : undefined;
    const metricsPort = role === "api" ? port : await freePort();
    const logFile = join(dir, `${name}.log`);
    writeFileSync(logFile, "");
    const ownEnv = {
      ...env,
      ...extraEnv,
      ...(role === "api" && { PORT: String(port) }),
      ...(role === "stream" && { STREAM_PORT: String(port) }),
      ...(role !== "api" && { METRICS_PORT: String(metricsPort) }),
    };
    let child: Subprocess | undefined;
    let logStart = 0;
    let unplannedExits = 0;
    let expectExit = false;
    // Like a supervisor (systemd, Kubernetes): a process that dies on its own is started again.
    const supervise = (running: Subprocess) => {
      void running.exited.then(async () => {
        if (expectExit || child !== running) return;
        unplannedExits++;
        appendFileSync(
          logFile,
          `\n[crash-cluster] ${name} exited ${running.exitCode} on its own; restarting\n`,
        );
        await Bun.sleep(500);
        if (!expectExit && child === running) await proc.start().catch(() => {});
      });
    };
    const proc: Proc = {
      role,
      name,
      port,
      baseUrl: port ? `http://127.0.0.1:${port}` : undefined,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      get pid() {
        return child?.pid;
      },
      get unplannedExits() {
        return unplannedExits;
      },
      async start() {
        expectExit = false;
        logStart = readFileSync(logFile).length;
        child = spawn([bun, join(repoRoot, MAIN[role])], {
          cwd: repoRoot,
          env: ownEnv,
          stdout: "pipe",
          stderr: "pipe",
        });
        const pump = async (stream: ReadableStream<Uint8Array> | undefined) => {
          if (!stream) return;
          const reader = stream.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            appendFileSync(logFile, value);
          }
        };
        void pump(child.stdout as ReadableStream<Uint8Array>);
        void pump(child.stderr as ReadableStream<Uint8Array>);
        const line = READY_LINE[role];
        const running = child;
        supervise(running);
        await waitFor(`${name} ready`, async () => {
          // Died while starting: the supervisor starts it again; keep waiting for that one.
          if (running.exitCode !== null) return false;
          if (line) return readFileSync(logFile, "utf8").slice(logStart).includes(line);
          const probe = role === "api" ? "/api/v1/openapi.json" : "/socket.io/?EIO=4&transport=polling";
          return (await fetch(`${proc.baseUrl}${probe}`)).status < 500;
        });
      },
      signal(name) {
        child?.kill(name);
      },
      async kill9() {
        expectExit = true;
        child?.kill("SIGKILL");
        await child?.exited;
      },
      async stop() {
        expectExit = true;
        if (!child || child.exitCode !== null) return child?.exitCode ?? null;
        child.kill("SIGTERM");
        return await child.exited;
      },
    };
    procs.push(proc);
    return proc;
  };

  return {
    dir,
    databaseUrl,
    redisUrl,
    topic,
    redisPid: redis?.pid,
    db,
    env,
    proc(role, index = 0) {
      const found = procs.filter((p) => p.role === role)[index];
      if (!found) throw new Error(`no ${role} #${index}`);
      return found;
    },
    async add(role, extraEnv = {}) {
      const p = await makeProc(role, extraEnv);
      await p.start();
      return p;
    },
    async close() {
      await Promise.allSettled(procs.map((p) => p.kill9()));
      redis?.kill("SIGKILL");
      await db.close();
      const c = new pg.Client({ connectionString: pgAdminUrl });
      await c.connect();
      await c.query(`drop database if exists "${dbName}" with (force)`).finally(() => c.end());
    },
  };
}
