/**
 * No Docker engine runs here, so the image is checked for what can be checked without one: the
 * Dockerfile's structure (multi-stage, Bun runtime, production dependencies only, web build baked in,
 * non-root user, entrypoint script), the build context (.dockerignore keeps state, secrets and
 * node_modules out; everything the Dockerfile copies exists), and the entrypoint script itself, run
 * for every process kind: as a dry run (the command it would exec) and for real (migrate, health).
 */
import { describe, expect, test } from "bun:test";
import { accessSync, constants, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TEST_PG_ADMIN_URL } from "@ox/db/testing";
import pg from "pg";
import { parseDockerfile, repoRoot } from "./kit.ts";

const dockerfile = parseDockerfile(readFileSync(join(repoRoot, "Dockerfile"), "utf8"));
const stages = dockerfile.stages;
const final = stages.at(-1);
const entrypoint = join(repoRoot, "infra/docker/entrypoint.sh");
const KINDS: Record<string, string> = {
  api: "apps/api/src/main.ts",
  engine: "apps/engine/src/main.ts",
  persister: "apps/persister/src/main.ts",
  stream: "apps/stream/src/main.ts",
  migrate: "scripts/migrate.ts",
  platform: "apps/platform/src/main.ts",
};

function run(args: string[], env: Record<string, string> = {}) {
  const r = Bun.spawnSync(["sh", entrypoint, ...args], {
    cwd: "/",
    env: { PATH: process.env.PATH ?? "", BUN: process.execPath, ...env },
  });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

describe("Dockerfile", () => {
  test("is multi-stage and ends on the oven/bun runtime", () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(new Set(stages.map((s) => s.name)).size).toBe(stages.length);
    expect(final?.from).toMatch(/^oven\/bun:/);
    // Every COPY --from names an earlier stage.
    stages.forEach((stage, i) => {
      for (const c of stage.instructions.filter((x) => x.op === "COPY")) {
        const from = /--from=(\S+)/.exec(c.args)?.[1];
        if (from) expect(stages.slice(0, i).map((s) => s.name)).toContain(from);
      }
    });
  });

  test("installs production dependencies only into what the runtime copies", () => {
    const prod = stages.find((s) => s.instructions.some((x) => /npm ci\b.*--omit=dev/.test(x.args)));
    expect(prod).toBeDefined();
    const nodeModules = final?.instructions.filter((x) => x.op === "COPY" && /node_modules/.test(x.args));
    expect(nodeModules?.length).toBeGreaterThan(0);
    for (const c of nodeModules ?? []) expect(c.args).toContain(`--from=${prod?.name}`);
    // Sources come from the production stage too, so no nested dev node_modules slip in.
    for (const c of final?.instructions.filter(
      (x) => x.op === "COPY" && /\/src\/(apps|packages)\//.test(x.args),
    ) ?? [])
      expect(c.args).toContain(`--from=${prod?.name}`);
  });

  test("bakes the web build in", () => {
    const build = stages.find((s) => s.instructions.some((x) => /npm run build -w @ox\/web/.test(x.args)));
    expect(build).toBeDefined();
    // The production stage takes apps/ (with dist) from the build and refuses to go on without it;
    // the runtime takes apps/ from the production stage.
    const prod = stages.find((s) =>
      s.instructions.some((x) => /test -f apps\/web\/dist\/index.html/.test(x.args)),
    );
    expect(
      prod?.instructions.some((x) => x.op === "COPY" && x.args === `--from=${build?.name} /src/apps/ apps/`),
    ).toBe(true);
    expect(
      final?.instructions.some(
        (x) => x.op === "COPY" && x.args === `--from=${prod?.name} --chown=bun:bun /src/apps/ apps/`,
      ),
    ).toBe(true);
    expect(final?.instructions.find((x) => x.op === "ENV")?.args).toContain("WEB_DIST=/app/apps/web/dist");
  });

  test("copies every workspace's package.json before installing (a new workspace must be added)", () => {
    const build = stages[0];
    const copied = build?.instructions.filter((x) => x.op === "COPY").map((x) => x.args) ?? [];
    for (const app of readdirSync(join(repoRoot, "apps"))) {
      if (!existsSync(join(repoRoot, "apps", app, "package.json"))) continue;
      expect(copied).toContain(`apps/${app}/package.json apps/${app}/`);
    }
    expect(copied).toContain("packages/ packages/");
    expect(copied).toContain("package.json package-lock.json ./");
  });

  test("runs as a non-root user, with the entrypoint script that dispatches process kinds", () => {
    const ops = final?.instructions ?? [];
    const users = ops.filter((x) => x.op === "USER").map((x) => x.args.trim());
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1) as string;
    expect(["root", "0", "0:0"]).not.toContain(user);
    const userAt = ops.findIndex((x) => x.op === "USER");
    const entryAt = ops.findIndex((x) => x.op === "ENTRYPOINT");
    expect(entryAt).toBeGreaterThan(userAt);
    const exec = JSON.parse(ops[entryAt]?.args ?? "[]") as string[];
    expect(exec).toEqual(["/app/infra/docker/entrypoint.sh"]);
    const script = join(repoRoot, (exec[0] as string).replace(/^\/app\//, ""));
    accessSync(script, constants.X_OK);
    expect(ops.some((x) => x.op === "WORKDIR" && x.args.trim() === "/app")).toBe(true);
  });
});

describe(".dockerignore", () => {
  const lines = readFileSync(join(repoRoot, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  test("keeps dependencies, local state and secrets out of the build context", () => {
    for (const must of [".git", "**/node_modules", "**/data", ".kafka", ".env", ".env.*", "**/dist"])
      expect(lines).toContain(must);
  });
  test("keeps in everything the build stages copy from the context", () => {
    for (const stage of stages)
      for (const c of stage.instructions.filter((x) => x.op === "COPY" && !x.args.includes("--from"))) {
        const parts = c.args.split(/\s+/).filter((p) => !p.startsWith("--"));
        for (const src of parts.slice(0, -1)) {
          if (src === ".") continue;
          expect(existsSync(join(repoRoot, src))).toBe(true);
          expect(lines).not.toContain(src.replace(/\/$/, ""));
        }
      }
  });
});

describe("entrypoint.sh", () => {
  test("--help lists every process kind", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    for (const kind of [...Object.keys(KINDS), "health"])
      expect(r.out).toMatch(new RegExp(`^  ${kind} `, "m"));
  });

  test("dispatches each kind to its main, which exists", () => {
    for (const [kind, main] of Object.entries(KINDS)) {
      const r = run([kind, "--dry-run", "--flag"]);
      expect(r.code).toBe(0);
      expect(r.out.trim()).toBe(`${process.execPath} ${main} --flag`);
      expect(existsSync(join(repoRoot, main))).toBe(true);
      expect(run([kind], { ENTRYPOINT_DRY_RUN: "1" }).out.trim()).toBe(`${process.execPath} ${main}`);
    }
  });

  test("refuses an unknown or missing kind with exit 2", () => {
    const unknown = run(["matcher"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown process kind 'matcher'");
    expect(run([]).code).toBe(2);
  });

  test("migrate runs for real: the schema appears in an empty database, and a second run is a no-op", async () => {
    const name = `ox_migrate_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 6)}`;
    const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const url = new URL(TEST_PG_ADMIN_URL);
    url.pathname = `/${name}`;
    try {
      expect(run(["migrate"], {}).code).toBe(2); // no DATABASE_URL
      for (let i = 0; i < 2; i++) {
        const r = run(["migrate"], { DATABASE_URL: url.toString() });
        expect(r.err).toBe("");
        expect(r.code).toBe(0);
        expect(r.out).toContain("migrations applied");
      }
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      const tables = await c.query(
        "select count(*)::int as n from information_schema.tables where table_name in ('users','trades','consumer_offsets')",
      );
      await c.end();
      expect(tables.rows[0].n).toBe(3);
    } finally {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  }, 60_000);

  test("health exits 0 on 200 and 1 on anything else (the compose healthcheck)", async () => {
    let status = 200;
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("x", { status }) });
    try {
      const url = `http://127.0.0.1:${server.port}/api/v1/health`;
      // spawnSync would block the event loop this server answers on.
      const probe = async () =>
        await Bun.spawn(["sh", entrypoint, "health", url], {
          env: { PATH: process.env.PATH ?? "", BUN: process.execPath },
          stderr: "ignore",
        }).exited;
      expect(await probe()).toBe(0);
      status = 503;
      expect(await probe()).toBe(1);
    } finally {
      server.stop(true);
    }
  });
});
