/**
 * Issue 9: production must not start on the instant sandbox gateway (it conjures money). The refusal is
 * checked as an operator meets it: the real entry points exit with code 2 and say why.
 */
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repoRoot = resolve(import.meta.dir, "../../..");
const bun = join(repoRoot, "node_modules/.bin/bun");

const production = (dataDir: string) => ({
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  NODE_ENV: "production",
  DATA_DIR: dataDir,
  JWT_SECRET: "s".repeat(40),
  PAYMENT_WEBHOOK_SECRET: "w".repeat(20),
  SMS_PROVIDER: "twilio",
  TWILIO_ACCOUNT_SID: "AC1",
  TWILIO_AUTH_TOKEN: "t",
  TWILIO_FROM: "+15005550006",
  // Nothing listens there: a start that got past the check fails instead of touching shared services.
  REDIS_URL: "redis://127.0.0.1:1",
  DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
  ADMIN_PHONES: "+919999900000",
  PUBLIC_ORIGINS: "https://exchange.example.com",
});

for (const entry of ["apps/platform/src/main.ts", "apps/api/src/main.ts"]) {
  test(`${entry} in production refuses the sandbox gateway with exit code 2`, () => {
    const dir = mkdtempSync(join(tmpdir(), "ox-boot-"));
    try {
      for (const gateway of [undefined, "sandbox"]) {
        const env = { ...production(dir), ...(gateway && { PAYMENT_GATEWAY: gateway }) };
        const run = spawnSync(bun, [entry], { cwd: repoRoot, env, encoding: "utf8", timeout: 60_000 });
        expect(run.status).toBe(2);
        expect(run.stderr).toContain("PAYMENT_GATEWAY: sandbox confirms every deposit instantly");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
}
