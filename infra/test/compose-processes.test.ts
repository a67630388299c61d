/**
 * docker-compose.yml proven without a Docker engine: every app service's COMMAND (through the image's
 * ENTRYPOINT, read from the Dockerfile) is started as a local process with exactly the ENVIRONMENT
 * that `docker-compose config` resolves for it from an env file (the .env.example with this run's
 * database, topic, stream and admin phone), nothing inherited but PATH and HOME. Compose hostnames map
 * to 127.0.0.1 (the machine's Postgres with a fresh database, the project's Kafka with a unique topic,
 * a private Redis started with the compose redis service's own command, AOF included), container ports
 * to free private ports, named volumes to temporary directories, /app to the checkout. Services start in
 * depends_on order (migrate must exit 0; healthchecks are the compose ones, run locally), every api
 * replica is started, and the end-to-end trading scenario runs against them. Then SIGTERM: each
 * process drains and exits 0.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type DbHandle } from "@ox/db";
import { TEST_PG_ADMIN_URL } from "@ox/db/testing";
import { type Subprocess, spawn } from "bun";
import pg from "pg";
import { freePort } from "../../apps/platform/test/crash-cluster.ts";
import { runTradingScenario, SCENARIO_ADMIN } from "../../apps/platform/test/e2e-scenario.ts";
import { composeConfig, parseDockerfile, repoRoot } from "./kit.ts";

const runId = `cmp${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "ox-compose-"));
const dbName = `ox_compose_${runId}`;
const kafka = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
const children: { name: string; child: Subprocess; log: string }[] = [];
let redis: Subprocess | undefined;
let handle: DbHandle | undefined;
let dbCreated = false;

afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGKILL");
  await Promise.allSettled(children.map((c) => c.child.exited));
  redis?.kill("SIGKILL");
  await handle?.close();
  if (dbCreated) {
    const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`drop database if exists "${dbName}" with (force)`).finally(() => admin.end());
  }
  if (!process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
});

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (
      await Promise.resolve()
        .then(ok)
        .catch(() => false)
    )
      return;
    await Bun.sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const logsTail = () =>
  children
    .map((c) => `--- ${c.name}\n${readFileSync(c.log, "utf8").split("\n").slice(-15).join("\n")}`)
    .join("\n");

test("docker-compose.yml's services, run as local processes with their compose environment, trade end to end", async () => {
  // This run's deployment inputs: the example env file with our database, names and admin.
  const pgUrl = new URL(TEST_PG_ADMIN_URL);
  const envFile = join(dir, "compose.env");
  const overrides: Record<string, string> = {
    POSTGRES_USER: decodeURIComponent(pgUrl.username) || "postgres",
    POSTGRES_PASSWORD: decodeURIComponent(pgUrl.password) || "trust-auth-ignores-this",
    POSTGRES_DB: dbName,
    EVENT_TOPIC: `ox.compose.${runId}`,
    ENGINE_COMMAND_STREAM: `ox:commands:${runId}`,
    ADMIN_PHONES: SCENARIO_ADMIN,
  };
  let envText = readFileSync(join(repoRoot, ".env.example"), "utf8");
  for (const [key, value] of Object.entries(overrides)) {
    expect(envText).toMatch(new RegExp(`^${key}=`, "m")); // only variables the example declares
    envText = envText.replace(new RegExp(`^${key}=.*$`, "m"), `${key}=${value}`);
  }
  writeFileSync(envFile, envText);
  const { services } = composeConfig(envFile);
  const entrypoint = JSON.parse(
    parseDockerfile(readFileSync(join(repoRoot, "Dockerfile"), "utf8"))
      .stages.at(-1)
      ?.instructions.find((i) => i.op === "ENTRYPOINT")?.args ?? "[]",
  ) as string[];

  // Dependencies: a fresh database on the machine's Postgres; a private Redis from the compose command.
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database "${dbName}"`).finally(() => admin.end());
  dbCreated = true;
  const redisPort = await freePort();
  const hosts: Record<string, string> = {
    "postgres:5432": `${pgUrl.hostname}:${pgUrl.port || 5432}`,
    "redis:6379": `127.0.0.1:${redisPort}`,
    "kafka:9092": kafka,
  };
  /** A compose value as this machine sees it: hosts, volumes, the image's /app, container ports. */
  const localize = (value: string, volumes: Record<string, string>, ports: Record<string, string>) => {
    let v = value;
    for (const [from, to] of Object.entries(hosts)) v = v.replaceAll(from, to);
    for (const [target, local] of Object.entries(volumes))
      if (v === target || v.startsWith(`${target}/`)) v = local + v.slice(target.length);
    if (v.startsWith("/app/")) v = join(repoRoot, v.slice("/app/".length));
    v = v.replace(/127\.0\.0\.1:(\d+)/, (m, p) => (ports[p] ? `127.0.0.1:${ports[p]}` : m));
    if (ports[v]) v = ports[v] as string;
    if (v === "0.0.0.0") v = "127.0.0.1";
    return v;
  };
  const volumesOf = (name: string) =>
    Object.fromEntries(
      (services[name].volumes ?? []).map((m: any) => {
        // docker-compose v1 prints "source:target[:mode]"; the long form has the fields.
        const [source, target] = typeof m === "string" ? m.split(":") : [m.source, m.target];
        const local = join(dir, "volumes", String(source).replace(/[^a-zA-Z0-9_.-]/g, "_"));
        mkdirSync(local, { recursive: true });
        return [target, local];
      }),
    ) as Record<string, string>;

  const redisVolumes = volumesOf("redis");
  const redisCmd = (services.redis.command as string[]).map((a) => localize(a, redisVolumes, {}));
  redis = spawn([...redisCmd, "--port", String(redisPort), "--bind", "127.0.0.1"], {
    stdout: "ignore",
    stderr: "ignore",
  });
  const redisCli = (...args: string[]) =>
    Bun.spawnSync(["redis-cli", "-p", String(redisPort), ...args])
      .stdout.toString()
      .trim();
  await waitFor("redis", () => redisCli("ping") === "PONG");
  expect(redisCli("config", "get", "appendonly")).toBe("appendonly\nyes");
  expect(redisCli("config", "get", "appendfsync")).toBe("appendfsync\neverysec");

  // The app services: those built from this repository's Dockerfile.
  const apps = Object.keys(services).filter((n) => services[n].build);
  expect(apps.sort()).toEqual(["api", "engine", "migrate", "persister", "stream"]);
  const running: Record<string, { ports: Record<string, string>; exited: Promise<number> }[]> = {};

  const startReplica = async (name: string, index: number) => {
    const s = services[name];
    const ports: Record<string, string> = {};
    for (const p of (s.expose ?? []) as string[]) ports[String(p)] = String(await freePort());
    const volumes = volumesOf(name);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      BUN: process.execPath,
    };
    for (const [k, v] of Object.entries(s.environment as Record<string, string>)) {
      const local = localize(String(v), volumes, ports);
      // Every reference to another compose service was mapped to this machine.
      expect({ k, local }).not.toEqual({ k, local: expect.stringMatching(/\b(postgres|redis|kafka):\d/) });
      env[k] = local;
    }
    const cmd = [...entrypoint, ...(s.command as string[])].map((a) => localize(a, volumes, ports));
    const log = join(dir, `${name}-${index}.log`);
    writeFileSync(log, "");
    const child = spawn(cmd, { cwd: repoRoot, env, stdout: Bun.file(log), stderr: Bun.file(`${log}.err`) });
    children.push({ name: `${name}-${index}`, child, log });
    running[name] = [...(running[name] ?? []), { ports, exited: child.exited }];
    return { ports, child };
  };
  const healthy = async (name: string) => {
    const probe = (services[name].healthcheck?.test ?? []) as string[];
    if (probe[0] !== "CMD") return;
    for (const replica of running[name] ?? []) {
      const cmd = probe.slice(1).map((a) => localize(a, {}, replica.ports));
      await waitFor(`${name} healthcheck (${cmd.join(" ")})`, async () => {
        const p = spawn(cmd, {
          cwd: repoRoot,
          env: { PATH: process.env.PATH ?? "", BUN: process.execPath },
          stderr: "ignore",
        });
        return (await p.exited) === 0;
      });
    }
  };

  // depends_on order: a service starts when what it depends on is completed or healthy.
  const started = new Map<string, Promise<void>>();
  const start = (name: string): Promise<void> => {
    const existing = started.get(name);
    if (existing) return existing;
    const go = (async () => {
      for (const [dep, cond] of Object.entries(
        (services[name].depends_on ?? {}) as Record<string, { condition: string }>,
      )) {
        if (!apps.includes(dep)) continue; // Postgres, Redis, Kafka: already up here
        await start(dep);
        if (cond.condition === "service_completed_successfully") {
          const codes = await Promise.all((running[dep] ?? []).map((r) => r.exited));
          expect({ dep, codes }).toEqual({ dep, codes: codes.map(() => 0) });
        } else if (cond.condition === "service_healthy") await healthy(dep);
      }
      const replicas = Number(services[name].deploy?.replicas ?? 1);
      await Promise.all(Array.from({ length: replicas }, (_, i) => startReplica(name, i)));
      if (services[name].healthcheck) await healthy(name);
    })();
    started.set(name, go);
    return go;
  };
  try {
    await Promise.all(apps.map(start));
    expect(running.api?.length).toBe(2);
    // Engine and persister have no HTTP probe: their start lines say they are consuming.
    const logOf = (n: string) => readFileSync(join(dir, `${n}-0.log`), "utf8");
    await waitFor("engine consuming", () => logOf("engine").includes("engine consuming commands"));
    await waitFor("persister started", () => logOf("persister").includes("persister: started"));

    handle = await createDb({
      url: localize(services.persister.environment.DATABASE_URL, {}, {}),
      migrate: false,
    });
    const apiBases = (running.api ?? []).map((r) => `http://127.0.0.1:${r.ports["3000"]}`);
    let turn = 0;
    const result = await runTradingScenario({
      base: () => apiBases[turn++ % apiBases.length] as string,
      streamBase: `http://127.0.0.1:${running.stream?.[0]?.ports["3001"]}`,
      db: handle.db,
      redisUrl: `redis://127.0.0.1:${redisPort}`,
      persisterName: `persister:${overrides.EVENT_TOPIC}:0`,
      runId,
    });
    console.log(JSON.stringify({ composeProcesses: result, processes: children.map((c) => c.name) }));

    // Compose stops with SIGTERM (stop_grace_period 30 s): every long-running process drains and exits 0.
    const longRunning = children.filter((c) => !c.name.startsWith("migrate"));
    for (const c of longRunning) c.child.kill("SIGTERM");
    const codes = await Promise.all(longRunning.map(async (c) => [c.name, await c.child.exited]));
    expect(Object.fromEntries(codes)).toEqual(Object.fromEntries(longRunning.map((c) => [c.name, 0])));
  } catch (err) {
    console.error(logsTail());
    throw err;
  }
}, 180_000);
