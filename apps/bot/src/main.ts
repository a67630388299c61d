/**
 * The market-making bot as its own program, against any deployment:
 *   bun apps/bot/src/main.ts --url http://localhost:3000 --phone +919999900001
 * In production give it an API key of the bot account (read, trade and wallet scopes):
 *   OX_API_KEY=ak_… OX_API_SECRET=… bun apps/bot/src/main.ts --url https://…
 * Without one it logs in by phone (console OTP, development) or uses BOT_COOKIE.
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

const logger = pino({ name: "bot", redact: ["cookie", "*.cookie", "secret", "*.secret"] });
const { OX_API_KEY, OX_API_SECRET, BOT_COOKIE } = process.env;
const apiKey = OX_API_KEY && OX_API_SECRET ? { id: OX_API_KEY, secret: OX_API_SECRET } : undefined;
const api = apiKey
  ? createClient({ baseUrl: values.url ?? "", apiKey })
  : createClient({ baseUrl: values.url ?? "", cookie: BOT_COOKIE, keepCookies: true });
if (!apiKey && !api.cookie) await login(api, values.phone ?? "");
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
