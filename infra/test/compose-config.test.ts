/**
 * docker-compose.yml as Debian's docker-compose (v1) reads it: `config` resolves it against
 * .env.example, and the resolved file has what a one-machine deployment needs (two api replicas,
 * Redis with AOF, Kafka in KRaft mode, healthchecks, named volumes for every durable service, every
 * variable declared once in .env.example). compose-processes.test.ts then runs its commands.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeConfig, repoRoot, runCompose } from "./kit.ts";

const resolved = composeConfig(join(repoRoot, ".env.example"));
const services = resolved.services;
const APP = ["migrate", "engine", "persister", "api", "stream"];
const KINDS = ["api", "engine", "persister", "stream", "migrate", "platform"];

describe("docker-compose.yml", () => {
  test("docker-compose config accepts it and lists every service", () => {
    const r = runCompose(["--env-file", ".env.example", "-f", "docker-compose.yml", "config", "--services"]);
    expect(r.err).not.toMatch(/error|invalid/i);
    expect(r.code).toBe(0);
    expect(r.out.trim().split("\n").sort()).toEqual(
      [
        "api",
        "edge",
        "engine",
        "kafka",
        "migrate",
        "persister",
        "postgres",
        "prometheus",
        "redis",
        "stream",
      ].sort(),
    );
  }, 30_000);

  test("app services run the image's entrypoint with a known process kind; api has 2 replicas", () => {
    for (const name of APP) {
      const s = services[name];
      expect(s.build?.context).toBe(repoRoot);
      expect(s.command).toHaveLength(1);
      expect(KINDS).toContain(s.command[0]);
      expect(s.command[0]).toBe(name);
    }
    expect(services.api.deploy.replicas).toBe(2);
    expect(services.api.environment.DB_MIGRATE).toBe("false");
    expect(services.migrate.restart).toBe("no");
    expect(services.persister.depends_on.migrate.condition).toBe("service_completed_successfully");
    expect(services.api.depends_on.migrate.condition).toBe("service_completed_successfully");
  });

  test("Redis keeps an append-only file fsync'd every second; Kafka runs KRaft without ZooKeeper", () => {
    const cmd = services.redis.command.join(" ");
    expect(cmd).toContain("--appendonly yes");
    expect(cmd).toContain("--appendfsync everysec");
    expect(services.kafka.image).toMatch(/^apache\/kafka:/);
    expect(services.kafka.environment.KAFKA_PROCESS_ROLES).toBe("broker,controller");
    expect(JSON.stringify(services)).not.toMatch(/zookeeper/i);
    expect(services.kafka.environment.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe("false");
  });

  test("every durable service keeps its data on a named volume", () => {
    const named = Object.keys(resolved.volumes ?? {});
    const durable: Record<string, string> = {
      postgres: "/var/lib/postgresql/data",
      redis: "/data",
      kafka: "/var/lib/kafka/data",
      engine: "/data",
      prometheus: "/prometheus",
    };
    for (const [name, path] of Object.entries(durable)) {
      const mounts = (services[name].volumes ?? []) as (
        | string
        | { source: string; target: string; type: string }
      )[];
      const mount = mounts
        .map((m) =>
          typeof m === "string" ? { source: m.split(":")[0], target: m.split(":")[1], type: "volume" } : m,
        )
        .find((m) => m.target === path);
      expect({ name, type: mount?.type }).toEqual({ name, type: "volume" });
      expect(named).toContain(mount?.source as string);
    }
    expect(services.redis.command.join(" ")).toContain("--dir /data");
    expect(services.kafka.environment.KAFKA_LOG_DIRS).toBe("/var/lib/kafka/data");
    expect(services.engine.environment.DATA_DIR).toBe("/data");
  });

  test("healthchecks: the api's /health, the stream's handshake, each dependency's own probe", () => {
    const probe = (name: string) => (services[name].healthcheck?.test ?? []).join(" ");
    expect(probe("api")).toBe(
      "CMD /app/infra/docker/entrypoint.sh health http://127.0.0.1:3000/api/v1/health",
    );
    expect(probe("stream")).toContain("health http://127.0.0.1:3001/socket.io/");
    expect(probe("postgres")).toContain("pg_isready");
    expect(probe("redis")).toContain("redis-cli ping");
    expect(probe("kafka")).toContain("kafka-broker-api-versions.sh");
    expect(services.edge.depends_on.api.condition).toBe("service_healthy");
  });

  test("Prometheus reads infra/prometheus/prometheus.yml", () => {
    const mounts = (services.prometheus.volumes ?? []).map(
      (m: { source?: string; target?: string } | string) =>
        typeof m === "string" ? m : `${m.source}:${m.target}`,
    );
    expect(
      mounts.some((m: string) => m.startsWith(`${join(repoRoot, "infra/prometheus")}:/etc/prometheus`)),
    ).toBe(true);
    expect(services.prometheus.command).toContain("--config.file=/etc/prometheus/prometheus.yml");
  });

  test("every variable the compose file uses is declared in .env.example, and none is unused", () => {
    const text = readFileSync(join(repoRoot, "docker-compose.yml"), "utf8");
    const used = new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
    const declared = new Set(
      readFileSync(join(repoRoot, ".env.example"), "utf8")
        .split("\n")
        .map((l) => /^([A-Z0-9_]+)=/.exec(l)?.[1])
        .filter(Boolean),
    );
    expect([...used].filter((v) => !declared.has(v as string))).toEqual([]);
    expect([...declared].filter((v) => !used.has(v as string))).toEqual([]);
  });

  test("a missing secret is refused by name", () => {
    const envFile = join(tmpdir(), `ox-compose-no-secret-${process.pid}.env`);
    writeFileSync(
      envFile,
      readFileSync(join(repoRoot, ".env.example"), "utf8").replace(/^JWT_SECRET=.*$/m, "JWT_SECRET="),
    );
    try {
      const r = runCompose(["--env-file", envFile, "-f", "docker-compose.yml", "config"]);
      expect(r.code).not.toBe(0);
      expect(r.err).toContain("set JWT_SECRET in .env");
    } finally {
      rmSync(envFile, { force: true });
    }
  }, 30_000);
});
