/**
 * The embedded platform (`npm start`'s process, no web build) on a fresh data directory and a free
 * port, for tests that drive it over HTTP. `stop()` stops it and removes the directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@ox/bus/testing";
import { ensureDevSecrets, parseApiEnv } from "@ox/config";
import { createLogger } from "@ox/logger";
import { startPlatform } from "../src/platform.ts";

export type EmbeddedPlatform = Awaited<ReturnType<typeof startEmbeddedPlatform>>;

export async function startEmbeddedPlatform(dirPrefix: string, adminPhone: string) {
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  const port = await freePort();
  const env = ensureDevSecrets(
    parseApiEnv({
      ...process.env,
      PORT: String(port),
      DATA_DIR: dir,
      ADMIN_PHONES: adminPhone,
      NODE_ENV: "development",
      LOG_LEVEL: "warn",
      DATABASE_URL: "",
      REDIS_URL: "",
      KAFKA_BROKERS: "",
    }),
  );
  const platform = await startPlatform({
    env,
    logger: createLogger({ level: "warn" }),
    webDist: join(dir, "no-web"),
  });
  return {
    platform,
    dir,
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await platform.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
