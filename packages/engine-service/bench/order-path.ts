/**
 * `npm run bench:order-path`: the distributed order path without HTTP, for A/B of the bus and the
 * engine service. The single engine process (apps/engine, of `--server-root`, default this
 * checkout) on a private redis-server and a fresh topic on the machine's Kafka; in this process,
 * `--connections` closed-loop clients (default 64) each send the standard workload's next command
 * through the production gateway (createQueueEngineGateway + the Redis stream queue and pub/sub of
 * `--client-root`, default this checkout: the API's side of the path) and wait for its reply.
 * Measured over `--commands` after `--warmup` (wall clock and /proc CPU, not seconds): commands/s,
 * round-trip p50/p99, and CPU ms per 1 000 commands of the engine, of this process (the client:
 * gateway, bus, workload) and of the private Redis. CPU per command is the figure to compare on a
 * loaded machine; one JSON line on stdout. Extra engine env: `--server-env K=V,…`.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "@ox/engine";
import { generate } from "@ox/engine/bench/workload";
import { spawn } from "bun";
import pino from "pino";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const num = (name: string, fallback: number) => Number(opt(name) ?? fallback);
const here = resolve(import.meta.dir, "../../..");
const serverRoot = resolve(opt("--server-root") ?? here);
const clientRoot = resolve(opt("--client-root") ?? here);
const connections = num("--connections", 64);
const measuredCount = num("--commands", 20_000);
const warmupCount = num("--warmup", 5_000);
const serverEnv = Object.fromEntries(
  (opt("--server-env") ?? "")
    .split(",")
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
const log = (msg: string) => process.stderr.write(`[order path] ${msg}\n`);
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
const TICK = 100; // USER_HZ
const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / TICK;
};
const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
const commit = (root: string) => {
  const r = Bun.spawnSync(["git", "-C", root, "rev-parse", "--short", "HEAD"]);
  return r.stdout.toString().trim();
};

// The client side of the path from --client-root (its bus and gateway).
const bus = (await import(join(clientRoot, "packages/bus/src/index.ts"))) as typeof import("@ox/bus");
const client = (await import(
  join(clientRoot, "packages/engine-client/src/index.ts")
)) as typeof import("@ox/engine-client");

log(`generating workload: warmup ${warmupCount}, measured ${measuredCount}`);
const w = generate(42, warmupCount, measuredCount, () => {});
const tape = (t: typeof w.measured): Command[] => {
  const out: Command[] = [];
  const chunk: Command[] = new Array(4096);
  for (let i = 0; i < t.count; i += 4096) {
    const n = t.fill(i, Math.min(t.count, i + 4096), chunk);
    for (let j = 0; j < n; j++) out.push(chunk[j] as Command);
  }
  return out;
};
const warmup = tape(w.warmup);
const measured = tape(w.measured);

const dir = mkdtempSync(join(tmpdir(), "ox-order-path-"));
const redisPort = await freePort();
const redis = spawn(["redis-server", "--port", String(redisPort), "--save", "", "--appendonly", "no"], {
  stdout: "ignore",
  stderr: "ignore",
});
const REDIS_URL = `redis://127.0.0.1:${redisPort}`;
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const logFile = join(dir, "engine.log");
writeFileSync(logFile, "");
const engine = spawn([process.execPath, join(serverRoot, "apps/engine/src/main.ts")], {
  cwd: serverRoot,
  env: {
    ...process.env,
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    DATA_DIR: dir,
    REDIS_URL,
    KAFKA_BROKERS,
    EVENT_TOPIC: `ox.order-path.${runId}.events`,
    METRICS_PORT: "0",
    ...serverEnv,
  },
  stdout: "pipe",
  stderr: "pipe",
});
for (const s of [engine.stdout, engine.stderr] as ReadableStream<Uint8Array>[])
  void (async () => {
    const reader = s.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      appendFileSync(logFile, value);
    }
  })();

const stopAll = async () => {
  engine.kill("SIGKILL");
  redis.kill("SIGKILL");
  await Promise.allSettled([engine.exited, redis.exited]);
  rmSync(dir, { recursive: true, force: true });
};

try {
  const deadline = Date.now() + 120_000;
  while (!readFileSync(logFile, "utf8").includes("engine consuming commands")) {
    if (engine.exitCode !== null || Date.now() > deadline)
      throw new Error(`engine did not start:\n${readFileSync(logFile, "utf8").slice(-2000)}`);
    await Bun.sleep(50);
  }
  const adapters = bus.createAdapters(
    { DATA_DIR: dir, REDIS_URL, KAFKA_BROKERS },
    { instanceId: `bench-${runId}`, logger: pino({ level: "warn" }) },
  );
  const queue = adapters.producerQueue();
  const pubsub = adapters.pubsub();
  const gateway = client.createQueueEngineGateway({
    queue,
    replies: pubsub as never,
    instanceId: `bench-${runId}`,
    timeoutMs: 60_000,
  });
  // Markets, users and deposits in order, 500 commands per batch envelope.
  for (let i = 0; i < w.setup.length; i += 500) await gateway.executeBatch(w.setup.slice(i, i + 500));

  /** `connections` closed loops over the commands, in tape order as each loop takes the next. */
  const drive = async (commands: Command[], latencies: number[] | null) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < commands.length) {
          const command = commands[next++] as Command;
          const started = performance.now();
          await gateway.execute(command, { id: randomUUID() });
          latencies?.push(performance.now() - started);
        }
      }),
    );
  };
  await drive(warmup, null);
  const load0 = loadavg();
  const cpu0 = { engine: cpuMs(engine.pid), client: selfCpuMs(), redis: cpuMs(redis.pid) };
  const t0 = performance.now();
  const latencies: number[] = [];
  await drive(measured, latencies);
  const wallMs = performance.now() - t0;
  const cpu = {
    engine: cpuMs(engine.pid) - cpu0.engine,
    client: selfCpuMs() - cpu0.client,
    redis: cpuMs(redis.pid) - cpu0.redis,
  };
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Math.round((latencies[Math.floor(p * (latencies.length - 1))] ?? 0) * 100) / 100;
  const per1000 = Object.fromEntries(
    Object.entries(cpu).map(([k, v]) => [k, Math.round((v * 1000) / measured.length)]),
  );
  const cores = Object.fromEntries(
    Object.entries(cpu).map(([k, v]) => [k, Math.round((v / wallMs) * 100) / 100]),
  );
  const result = {
    server: { root: serverRoot, commit: commit(serverRoot), env: serverEnv },
    client: { root: clientRoot, commit: commit(clientRoot) },
    connections,
    commands: measured.length,
    commandsPerSec: Math.round((measured.length * 1000) / wallMs),
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    cpuMsPer1000: per1000,
    cpuCores: cores,
    loadavg: { start: load0, end: loadavg() },
  };
  log(JSON.stringify(result));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await gateway.close();
  await Promise.allSettled([queue.close(), pubsub.close()]);
} finally {
  await stopAll();
}
process.exit(0);
