/**
 * Issue 9: the data directory holds phones, PANs and sessions, but PGlite's files were 0666 & umask
 * and the journal 0644. After an embedded start (and a second one over a directory an older version
 * left world-readable), the directory and everything in it is 0700 / 0600.
 */
import { afterAll, expect, test } from "bun:test";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDevSecrets, parseApiEnv, secureDataDir } from "@ox/config";
import pino from "pino";
import { startPlatform } from "../src/platform.ts";
import { freePort } from "./crash-cluster.ts";

const work = mkdtempSync(join(tmpdir(), "ox-datadir-"));
const umaskBefore = process.umask();
afterAll(() => {
  process.umask(umaskBefore);
  rmSync(work, { recursive: true, force: true });
});

/** Every path under `dir` (itself included) whose mode is not 0700 (directory) or 0600 (file). */
function loose(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode !== 0o700) out.push(`${p} ${mode.toString(8)}`);
      for (const n of readdirSync(p)) walk(join(p, n));
    } else if (mode !== 0o600) out.push(`${p} ${mode.toString(8)}`);
  };
  walk(dir);
  return out;
}

async function start(dataDir: string) {
  const { DATABASE_URL: _d, REDIS_URL: _r, KAFKA_BROKERS: _k, ...rest } = process.env;
  const parsed = parseApiEnv({
    ...rest,
    NODE_ENV: "development",
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    ADMIN_PHONES: "+919300000009",
    SMS_PROVIDER: "console",
  });
  secureDataDir(parsed.DATA_DIR); // as apps/platform/src/main.ts, before the dev secrets
  const platform = await startPlatform({ env: ensureDevSecrets(parsed), logger: pino({ level: "silent" }) });
  // A login writes a user, a wallet, a session and outbox rows: PGlite and the journal both write.
  const otp = await fetch(`${platform.url}/api/v1/auth/otp`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ phone: "+919300000010" }),
  });
  expect(otp.status).toBe(200);
  return platform;
}

test("an embedded start leaves the data directory 0700 and every file in it 0600", async () => {
  process.umask(0o022); // the usual login umask: what npm start met before
  const dataDir = join(work, "fresh");
  const platform = await start(dataDir);
  try {
    const names = readdirSync(dataDir);
    expect(names).toEqual(expect.arrayContaining(["pg", "journal", "jwt-secret"]));
    expect(loose(dataDir)).toEqual([]);
  } finally {
    await platform.stop();
  }
  expect(loose(dataDir)).toEqual([]);
}, 120_000);

test("a directory an older start left world-readable is tightened at the next start", async () => {
  process.umask(0o022);
  const dataDir = join(work, "old");
  mkdirSync(join(dataDir, "journal"), { recursive: true, mode: 0o755 });
  chmodSync(dataDir, 0o755);
  writeFileSync(join(dataDir, "jwt-secret"), "x".repeat(40), { mode: 0o644 });
  writeFileSync(join(dataDir, "journal", "stray.log"), "", { mode: 0o666 });
  chmodSync(join(dataDir, "journal", "stray.log"), 0o666);
  expect(loose(dataDir).length).toBeGreaterThan(0);
  const platform = await start(dataDir);
  try {
    expect(loose(dataDir)).toEqual([]);
  } finally {
    await platform.stop();
  }
}, 120_000);
