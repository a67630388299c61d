/**
 * `npm start`: the whole exchange in one process on embedded defaults (docs/operations.md#commands).
 * Flags: --no-bot (no market maker, no noise trader), --no-noise (market maker only), --noise-seed N
 * (the noise trader's choices), --no-demo (no demo markets on first start).
 */
import { parseArgs } from "node:util";
import { createMarketMaker, createNoiseTrader } from "@ox/bot";
import { type Env, EnvError, ensureDevSecrets, parseApiEnv, secureDataDir } from "@ox/config";
import type { RateTier } from "@ox/contracts";
import { createLogger } from "@ox/logger";
import { demoKeyClient } from "./demo-keys.ts";
import { seedDemoMarkets } from "./demo-markets.ts";
import { startPlatform } from "./platform.ts";
import { ensureWebBuild, WEB_DIST } from "./web-build.ts";

/** The admin a person logs in as, when ADMIN_PHONES does not name the admins. */
const DEMO_ADMIN_PHONE = "+919000000001";
const BOT_PHONE = "+919000000002";
const NOISE_PHONE = "+919000000003";

const { values: flags } = parseArgs({
  options: {
    "no-bot": { type: "boolean", default: false },
    "no-noise": { type: "boolean", default: false },
    "noise-seed": { type: "string", default: "7" },
    "no-demo": { type: "boolean", default: false },
  },
});

const began = Date.now();
const devMode = (process.env.NODE_ENV ?? "development") !== "production";
const demoAdmin = devMode && !process.env.ADMIN_PHONES;
if (demoAdmin) process.env.ADMIN_PHONES = DEMO_ADMIN_PHONE;

let env: Env;
try {
  const parsed = parseApiEnv();
  // Before the dev secrets are written into it: the directory is 0700 and its files 0600.
  secureDataDir(parsed.DATA_DIR);
  env = ensureDevSecrets(parsed);
} catch (err) {
  if (err instanceof EnvError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
const logger = createLogger({ level: env.LOG_LEVEL });

ensureWebBuild(() => console.error("Building the web app (first start, or its sources changed)…"));

const platform = await startPlatform({ env, logger, webDist: WEB_DIST });
const startedMs = Date.now() - began;
// A dead engine must not leave the API answering 202 forever: exit non-zero for the supervisor;
// recovery (snapshot + journal) does the rest at the next start.
platform.done.catch((err) => {
  logger.fatal({ err }, "the engine stopped on a fatal error; exiting");
  process.exit(1);
});

/** The demo's programs trade on API keys the platform makes for them (src/demo-keys.ts). */
const demoClient = (phone: string, name: string, tier?: RateTier) =>
  demoKeyClient({
    baseUrl: platform.url,
    dataDir: platform.dataDir,
    phone,
    name,
    tier,
    db: platform.seed.db,
  });

let bot: ReturnType<typeof createMarketMaker> | undefined;
let noise: ReturnType<typeof createNoiseTrader> | undefined;
let noiseStart: ReturnType<typeof setTimeout> | undefined;
if (devMode && !flags["no-demo"]) {
  const created = await seedDemoMarkets(platform.seed, Date.now(), env.ADMIN_PHONES);
  if (created > 0) logger.info({ created }, "seeded demo markets");
}
if (devMode && env.SMS_PROVIDER === "console" && !flags["no-bot"]) {
  const botApi = await demoClient(BOT_PHONE, "bot", "market_maker");
  bot = createMarketMaker({ api: botApi, logger: logger.child({ process: "bot" }) });
  bot.start();
  if (!flags["no-noise"]) {
    // Takes the market maker's quotes now and then, so a newcomer sees trades, volume and a chart.
    // A first burst once the quotes are up gives the markets some history at once.
    noise = createNoiseTrader({
      api: await demoClient(NOISE_PHONE, "noise"),
      logger: logger.child({ process: "noise-trader" }),
      seed: Number(flags["noise-seed"]) || 7,
      intervalMs: 3_000,
      burst: 15,
    });
    noiseStart = setTimeout(() => noise?.start(), 3_000);
  }
}

const line = "─".repeat(64);
console.log(
  [
    line,
    "  Opinion exchange is running",
    `  Open            ${platform.url}`,
    `  API docs        ${platform.url}/docs`,
    `  Admin phones    ${env.ADMIN_PHONES.length ? env.ADMIN_PHONES.join(", ") : "none (set ADMIN_PHONES)"}${demoAdmin ? "  (demo admin; ADMIN_PHONES replaces it)" : ""}`,
    `  Listening on    ${platform.host}:${new URL(platform.url).port}${platform.host === "127.0.0.1" ? "  (this machine only; HOST=0.0.0.0 to open it to the network)" : ""}`,
    `  OTPs            ${env.SMS_PROVIDER === "console" ? "shown on the login page (devOtp) and in this log as 'console SMS'" : "sent by SMS"}`,
    `  Data            ${platform.dataDir}  (queue ${platform.adapters.queue}, log ${platform.adapters.log})`,
    `  Market maker    ${bot ? "on (--no-bot to stop it)" : "off"}`,
    `  Noise trader    ${noise ? "on, a small trade every 3 s (--no-noise to stop it)" : "off"}`,
    `  Started in      ${startedMs} ms`,
    "  Stop            Ctrl-C",
    line,
  ].join("\n"),
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down: draining, snapshotting, closing");
  bot?.stop();
  clearTimeout(noiseStart);
  noise?.stop();
  try {
    await platform.stop();
    console.log("Stopped cleanly.");
    process.exit(0);
  } catch (err) {
    logger.error({ err }, "shutdown failed");
    process.exit(1);
  }
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
