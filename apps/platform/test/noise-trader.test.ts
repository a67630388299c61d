/**
 * The demo's noise trader (issue 13): beside the market maker, against the embedded platform over
 * HTTP, it takes the quotes so the markets show trades, volume and candles; stop() stops it.
 */
import { afterAll, expect, test } from "bun:test";
import { createMarketMaker, createNoiseTrader, login } from "@ox/bot";
import { createClient } from "@ox/client";
import { createLogger } from "@ox/logger";
import { type EmbeddedPlatform, startEmbeddedPlatform } from "./embedded-kit.ts";

const ADMIN = "+919200000087";
let kit: EmbeddedPlatform | undefined;
afterAll(async () => {
  await kit?.stop();
});

test("the noise trader trades against the market maker: trades, volume, candles; stop() stops", async () => {
  kit = await startEmbeddedPlatform("ox-noise-", ADMIN);
  const logger = createLogger({ level: "warn" });
  const base = kit.baseUrl;
  const client = async (phone: string) => {
    const api = createClient({ baseUrl: base, keepCookies: true });
    await login(api, phone);
    return api;
  };
  const admin = await client(ADMIN);
  const { market } = await admin.admin.createMarket({
    body: { title: "Will the noise trader trade?", category: "tech", closeAt: Date.now() + 3_600_000 },
  });

  const maker = createMarketMaker({ api: await client("+919200000088"), logger, levels: 2, qty: 20 });
  await maker.round();
  const noise = createNoiseTrader({ api: await client("+919200000089"), logger, seed: 3, maxQty: 3 });
  for (let i = 0; i < 8; i++) await noise.round();
  expect(noise.rounds).toBe(8);
  expect(noise.filled).toBeGreaterThan(0);

  // The trades reach the persister's tables: the market's volume and its candles.
  let trades: { qty: number }[] = [];
  let volume = 0;
  for (let i = 0; i < 100 && (trades.length === 0 || volume === 0); i++) {
    trades = (await admin.markets.trades({ params: { id: market.id } })).trades;
    volume = (await admin.markets.get({ params: { id: market.id } })).market.volumeQty;
    if (trades.length === 0 || volume === 0) await Bun.sleep(100);
  }
  expect(trades.length).toBeGreaterThan(0);
  expect(volume).toBeGreaterThan(0);
  expect(trades.every((t) => t.qty >= 1 && t.qty <= 3)).toBe(true);
  const { candles } = await admin.markets.candles({ params: { id: market.id }, query: { interval: "1m" } });
  expect(candles.reduce((s, c) => s + c.volume, 0)).toBeGreaterThan(0);

  // start() runs rounds by itself (a burst back to back); stop() ends them.
  const loop = createNoiseTrader({ api: await client("+919200000090"), logger, burst: 2, intervalMs: 50 });
  loop.start();
  for (let i = 0; i < 200 && loop.rounds < 3; i++) await Bun.sleep(50);
  expect(loop.rounds).toBeGreaterThanOrEqual(3);
  loop.stop();
  await Bun.sleep(300); // a round in flight when stop() was called may still finish
  const stoppedAt = loop.rounds;
  await Bun.sleep(500);
  expect(loop.rounds).toBe(stoppedAt);
}, 120_000);
