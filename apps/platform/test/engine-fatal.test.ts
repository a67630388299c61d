/**
 * Issue 9: when the engine died in embedded mode the process kept serving and answered 202 forever.
 * Here `npm start`'s entry point runs with a file-size limit (`ulimit -f`, SIGXFSZ ignored so the
 * write fails with EFBIG instead of killing the process): once the journal reaches it, a journal
 * write fails, which no retry on that file handle can fix. The process must exit non-zero (its
 * supervisor restarts it; recovery settles the torn tail). Accounts live on the machine's Postgres
 * (DATABASE_URL) so that only the journal, not PGlite, meets the limit.
 */
import { afterAll, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { ensureWebBuild } from "../src/web-build.ts";
import { freePort } from "./crash-cluster.ts";
import { loginUser } from "./crash-load.ts";

const repoRoot = resolve(import.meta.dir, "../../..");
const bun = join(repoRoot, "node_modules/.bin/bun");
const work = mkdtempSync(join(tmpdir(), "ox-fatal-"));
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = `ox_fatal_${Date.now().toString(36)}`;

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
afterAll(async () => {
  await admin(`drop database if exists "${dbName}" with (force)`);
  rmSync(work, { recursive: true, force: true });
});

test("a journal write that fails for good stops the embedded process with a non-zero exit", async () => {
  ensureWebBuild(); // not under the file-size limit below
  await admin(`create database "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const port = await freePort();
  const { REDIS_URL: _r, KAFKA_BROKERS: _k, DATABASE_URL: _d, ...rest } = process.env;
  // 96 KiB (dash counts 512-byte blocks): the start's few records fit; a few hundred orders do not.
  const child = spawn(
    "sh",
    [
      "-c",
      'trap "" XFSZ; ulimit -f 192; exec "$0" "$@"',
      bun,
      "apps/platform/src/main.ts",
      "--no-bot",
      "--no-demo",
    ],
    {
      cwd: repoRoot,
      env: {
        ...rest,
        NODE_ENV: "development",
        PORT: String(port),
        DATA_DIR: join(work, "data"),
        DATABASE_URL: url.toString(),
        ADMIN_PHONES: "+919300000021",
        RATE_LIMITS: "off",
        LOG_LEVEL: "warn",
        BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  try {
    for (let i = 0; i < 600 && !out.includes("Opinion exchange is running"); i++) {
      if (child.exitCode !== null) throw new Error(`exited before serving:\n${out}`);
      await Bun.sleep(100);
    }
    expect(out).toContain("Opinion exchange is running");
    const base = `http://127.0.0.1:${port}`;
    const user = await loginUser(() => base, "+919300000021");
    const created = await user.call("POST", "/admin/markets", {
      title: "Journal limit market",
      description: "d",
      category: "test",
      rules: "r",
      closeAt: Date.now() + 86_400_000,
    });
    expect(created.status).toBe(201);
    const marketId: string = created.json.market.id;

    // Place and cancel until the journal is full; then the process must go, not answer 202s.
    const statuses: number[] = [];
    let code: number | null | undefined;
    for (let i = 0; i < 2_000 && code === undefined; i++) {
      const placed = await user
        .call("POST", "/orders", {
          marketId,
          outcome: "YES",
          side: "BUY",
          type: "LIMIT",
          pricePaise: 100,
          quantity: 1,
        })
        .catch(() => ({ status: 0, json: null }));
      statuses.push(placed.status);
      if (placed.status === 201 && placed.json?.order?.id)
        await user.call("DELETE", `/orders/${placed.json.order.id}`).catch(() => null);
      code = await Promise.race([exited, Bun.sleep(0).then(() => undefined)]);
      if (statuses.length > 20 && statuses.slice(-20).every((s) => s !== 201)) break; // serving 202s, never exiting
    }
    code ??= await Promise.race([exited, Bun.sleep(15_000).then(() => undefined)]);
    expect(statuses).toContain(201);
    expect({ code, exited: code !== undefined }).toEqual({ code: 1, exited: true });
    expect(out).toContain("JournalFailedError");
    expect(out).toContain("the engine stopped on a fatal error; exiting");
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}, 180_000);
