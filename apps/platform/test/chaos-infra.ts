/**
 * PRIVATE infrastructure for the chaos test: a redis-server, a Postgres cluster (initdb/pg_ctl) and
 * a Kafka broker (scripts/kafka.sh), each on free ports with its own directory under the test's
 * temp dir, each stoppable, killable and restartable. Never the machine's shared services.
 */
import { chmodSync, chownSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Subprocess, spawn, spawnSync } from "bun";
import { freePort, repoRoot } from "./crash-cluster.ts";

const sleep = (ms: number) => Bun.sleep(ms);

async function until(what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (
      await Promise.resolve()
        .then(ok)
        .catch(() => false)
    )
      return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const answers = (port: number) =>
  Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }).then(
    (s) => {
      s.end();
      return true;
    },
    () => false,
  );

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  start(options: { aof: boolean }): Promise<void>;
  /** SIGTERM (Redis writes its AOF and exits). */
  stop(): Promise<void>;
  kill9(): Promise<void>;
  /** Deletes the data directory (a Redis host replaced, nothing kept). */
  wipe(): void;
  readonly pid: number | undefined;
}

export async function privateRedis(dir: string): Promise<PrivateRedis> {
  const port = await freePort();
  const data = join(dir, "redis");
  mkdirSync(data, { recursive: true });
  let child: Subprocess | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    async start({ aof }) {
      mkdirSync(data, { recursive: true });
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", data, "--save", ""];
      if (aof) args.push("--appendonly", "yes", "--appendfsync", "everysec");
      else args.push("--appendonly", "no");
      child = spawn(["redis-server", ...args], { stdout: "ignore", stderr: "ignore" });
      await until("private redis", () => answers(port), 20_000);
    },
    async stop() {
      child?.kill("SIGTERM");
      await child?.exited;
    },
    async kill9() {
      child?.kill("SIGKILL");
      await child?.exited;
    },
    wipe() {
      rmSync(data, { recursive: true, force: true });
    },
  };
}

export interface PrivatePostgres {
  readonly adminUrl: string;
  /** pg_ctl restart -m fast. */
  restartFast(): Promise<void>;
  destroy(): Promise<void>;
}

/** initdb + pg_ctl as the postgres user when run as root (initdb refuses root), trust auth. */
export async function privatePostgres(dir: string): Promise<PrivatePostgres> {
  const bin = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/local/bin"].find(
    (d) => spawnSync(["test", "-x", join(d, "pg_ctl")]).exitCode === 0,
  );
  if (!bin) throw new Error("pg_ctl not found (apt-get install postgresql)");
  const port = await freePort();
  const base = join(dir, "pg");
  const data = join(base, "data");
  mkdirSync(base, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o755); // the postgres user must reach its directory
    const pw = spawnSync(["id", "-u", "postgres"]).stdout.toString().trim();
    const gr = spawnSync(["id", "-g", "postgres"]).stdout.toString().trim();
    chownSync(base, Number(pw), Number(gr));
  }
  const run = (args: string[]) => {
    const cmd = asRoot ? ["runuser", "-u", "postgres", "--", ...args] : args;
    const r = spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${args.join(" ")}: ${r.stderr.toString()}${r.stdout.toString()}`);
  };
  run([join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const opts = `-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const ctl = (action: string[]) =>
    run([
      join(bin, "pg_ctl"),
      "-D",
      data,
      "-l",
      join(base, "server.log"),
      "-o",
      opts,
      "-w",
      "-t",
      "60",
      ...action,
    ]);
  ctl(["start"]);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restartFast() {
      ctl(["restart", "-m", "fast"]);
    },
    async destroy() {
      try {
        ctl(["stop", "-m", "immediate"]);
      } catch {
        // already down
      }
    },
  };
}

export interface PrivateKafka {
  readonly brokers: string;
  start(): Promise<void>;
  /** SIGTERM through scripts/kafka.sh stop (a controlled shutdown). */
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

/** One KRaft broker from scripts/kafka.sh on free ports with its own data directory. */
export async function privateKafka(dir: string): Promise<PrivateKafka> {
  const port = await freePort();
  const controller = await freePort();
  const data = join(dir, "kafka");
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controller),
    KAFKA_DATA_DIR: data,
    KAFKA_START_TIMEOUT_S: "180",
  };
  const script = async (action: string) => {
    const p = spawn(["bash", join(repoRoot, "scripts/kafka.sh"), action], {
      env,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
    if (code !== 0) throw new Error(`kafka.sh ${action} failed (${code}): ${err}`);
  };
  return {
    brokers: `127.0.0.1:${port}`,
    start: () => script("start"),
    stop: () => script("stop"),
    async kill9() {
      const pid = Number(await Bun.file(join(data, "kafka.pid")).text());
      process.kill(pid, "SIGKILL");
      await until("kafka gone", async () => !(await answers(port)), 10_000);
      await sleep(200);
    },
  };
}

export interface PrivateKafkaCluster {
  /** Bootstrap list, every node. */
  readonly brokers: string;
  readonly nodeIds: number[];
  /** scripts/kafka.sh cluster-start: starts every node that is not running (a killed one again). */
  start(): Promise<void>;
  stop(): Promise<void>;
  kill9(nodeId: number): Promise<void>;
}

/** A 3-node KRaft cluster (scripts/kafka.sh cluster-start) on free ports with its own directory. */
export async function privateKafkaCluster(dir: string, nodes = 3): Promise<PrivateKafkaCluster> {
  const ports: number[] = [];
  const controllers: number[] = [];
  for (let i = 0; i < nodes; i++) {
    ports.push(await freePort());
    controllers.push(await freePort());
  }
  const data = join(dir, "kafka-cluster");
  const env = {
    ...process.env,
    KAFKA_CLUSTER_DIR: data,
    KAFKA_CLUSTER_PORTS: ports.join(","),
    KAFKA_CLUSTER_CONTROLLER_PORTS: controllers.join(","),
    KAFKA_START_TIMEOUT_S: "180",
  };
  const script = async (action: string) => {
    const p = spawn(["bash", join(repoRoot, "scripts/kafka.sh"), action], {
      env,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
    if (code !== 0) throw new Error(`kafka.sh ${action} failed (${code}): ${err}`);
  };
  return {
    brokers: ports.map((p) => `127.0.0.1:${p}`).join(","),
    nodeIds: ports.map((_, i) => i + 1),
    start: () => script("cluster-start"),
    stop: () => script("cluster-stop"),
    async kill9(nodeId) {
      const pid = Number(await Bun.file(join(data, `node-${nodeId}`, "kafka.pid")).text());
      process.kill(pid, "SIGKILL");
      await until(`kafka node ${nodeId} gone`, async () => !(await answers(ports[nodeId - 1])), 10_000);
    },
  };
}
