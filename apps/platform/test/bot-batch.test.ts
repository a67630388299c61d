/**
 * The market-making bot quotes through the batch endpoints: against the embedded platform over
 * HTTP, a round places its quotes with POST /orders/batch (never one POST /orders per quote), and
 * a later round cancels the quotes it no longer wants with DELETE /orders/batch.
 */
import { afterAll, expect, test } from "bun:test";
import { createMarketMaker, login } from "@ox/bot";
import { createClient } from "@ox/client";
import { createLogger } from "@ox/logger";
import { type EmbeddedPlatform, startEmbeddedPlatform } from "./embedded-kit.ts";

const ADMIN = "+919200000077";
let kit: EmbeddedPlatform | undefined;
afterAll(async () => {
  await kit?.stop();
});

test("the bot places and cancels its quotes in batches", async () => {
  kit = await startEmbeddedPlatform("ox-bot-batch-", ADMIN);
  const logger = createLogger({ level: "warn" });
  const base = kit.baseUrl;
  const admin = createClient({ baseUrl: base, keepCookies: true });
  await login(admin, ADMIN);
  for (const title of ["Will the bot batch its quotes?", "Will it batch across markets?"])
    await admin.admin.createMarket({ body: { title, category: "tech", closeAt: Date.now() + 3_600_000 } });

  const requests: string[] = [];
  const recording: typeof fetch = Object.assign(
    (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      requests.push(`${init?.method ?? "GET"} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
    { preconnect: fetch.preconnect },
  );
  const api = createClient({ baseUrl: base, fetch: recording, keepCookies: true });
  await login(api, "+919200000078");
  const bot = createMarketMaker({ api, logger, levels: 3, qty: 5 });
  const writes = () => requests.filter((r) => r.includes("/orders/batch"));
  await bot.round();
  const open = async () => (await api.orders.list({ query: { status: "open" } })).orders.map((o) => o.id);
  const first = await open();
  expect(first.length).toBe(12); // three levels on each outcome of two markets
  // Both markets' quotes in one request (one engine round trip).
  expect(writes()).toEqual(["POST /api/v1/orders/batch"]);
  expect(requests).not.toContain("POST /api/v1/orders");

  // Rounds drift the fair price: stale quotes are cancelled in one batch request, new ones placed
  // in another; never more than one of each per round, whatever the number of markets.
  for (let i = 0; i < 10 && (await open()).every((id) => first.includes(id)); i++) {
    const before = writes().length;
    await bot.round();
    const round = writes().slice(before);
    expect(round.filter((r) => r.startsWith("DELETE")).length).toBeLessThanOrEqual(1);
    expect(round.filter((r) => r.startsWith("POST")).length).toBeLessThanOrEqual(1);
  }
  expect((await open()).some((id) => !first.includes(id))).toBe(true);
  expect(requests).toContain("DELETE /api/v1/orders/batch");
  expect(requests.some((r) => /^DELETE \/api\/v1\/orders\/(?!batch)/.test(r))).toBe(false);
});
