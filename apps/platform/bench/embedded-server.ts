/**
 * The embedded platform (`npm start` without the bot, the demo markets or the web app) in its own
 * process, for bench:e2e's load generators. Configured by the environment like `npm start`.
 * Prints "ready <url>" once listening; SIGTERM drains (engine snapshot, persister catch-up) and exits.
 */
import { join } from "node:path";
import { ensureDevSecrets, parseApiEnv } from "@ox/config";
import { createLogger } from "@ox/logger";
import { startPlatform } from "../src/platform.ts";

const env = ensureDevSecrets(parseApiEnv());
const logger = createLogger({ level: env.LOG_LEVEL });
const platform = await startPlatform({ env, logger, webDist: join(env.DATA_DIR, "no-web") });
console.log(`ready ${platform.url}`);
let stopping = false;
process.on("SIGTERM", async () => {
  if (stopping) return;
  stopping = true;
  await platform.stop();
  process.exit(0);
});
