/**
 * The market-making bot as its own program, against any deployment:
 *   bun apps/bot/src/main.ts --url http://localhost:3000 --phone +919999900001
 * In production pass BOT_COOKIE (a session cookie of the bot account) instead of relying on the
 * console OTP.
 */
import { parseArgs } from "node:util";
import { createClient } from "@ox/client";
import pino from "pino";
import { createMarketMaker } from "./market-maker.ts";
import { login } from "./session.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.BOT_URL ?? "http://localhost:3000" },
    phone: { type: "string", default: process.env.BOT_PHONE ?? "+919999900001" },
    interval: { type: "string", default: "2000" },
    qty: { type: "string", default: "50" },
  },
});

const logger = pino({ name: "bot", redact: ["cookie", "*.cookie"] });
const api = createClient({ baseUrl: values.url ?? "", cookie: process.env.BOT_COOKIE, keepCookies: true });
if (!api.cookie) await login(api, values.phone ?? "");
const bot = createMarketMaker({
  api,
  logger,
  intervalMs: Number.parseInt(values.interval ?? "2000", 10),
  qty: Number.parseInt(values.qty ?? "50", 10),
});
logger.info({ url: values.url }, "market maker running; Ctrl-C to stop");
bot.start();
process.on("SIGINT", () => {
  bot.stop();
  process.exit(0);
});
