/**
 * Issue 14: the demo's market maker trades on an API key the platform makes for it, not on a
 * phone login: every request it sends is signed (OX-ACCESS-* headers, no cookie), the key is kept
 * in the data directory and reused, and a key no longer accepted is replaced by a new one.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { login } from "@ox/bot";
import { createClient } from "@ox/client";
import { demoKeyClient } from "../src/demo-keys.ts";
import { type EmbeddedPlatform, startEmbeddedPlatform } from "./embedded-kit.ts";

const ADMIN = "+919200000078";
const BOT = "+919200000079";
const NOISE = "+919200000080";
let kit: EmbeddedPlatform | undefined;
afterAll(async () => {
  await kit?.stop();
});

test("the demo bot signs with a key the platform made, kept and replaced when revoked", async () => {
  kit = await startEmbeddedPlatform("ox-demo-keys-", ADMIN);
  const { platform, dir } = kit;
  const baseUrl = kit.baseUrl;
  const sent: Headers[] = [];
  const recording: typeof fetch = Object.assign(
    (input: RequestInfo | URL, init?: RequestInit) => {
      sent.push(new Headers(init?.headers));
      return fetch(input, init);
    },
    { preconnect: fetch.preconnect },
  );
  const make = () =>
    demoKeyClient({
      baseUrl,
      dataDir: dir,
      phone: BOT,
      name: "bot",
      tier: "market_maker",
      db: platform.seed.db,
      fetch: recording,
    });

  const bot = await make();
  const file = join(dir, "bot.key");
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const saved = JSON.parse(readFileSync(file, "utf8")) as { id: string; secret: string };
  expect(saved.id).toMatch(/^ak_/);
  sent.length = 0;
  const me = await bot.auth.me();
  await bot.portfolio.get();
  expect(sent.map((h) => [h.get("ox-access-key"), h.has("cookie")])).toEqual([
    [saved.id, false],
    [saved.id, false],
  ]);

  // The platform gave the account the market maker's tier, as an admin sees it.
  const admin = createClient({ baseUrl, keepCookies: true });
  await login(admin, ADMIN);
  const seen = await admin.admin.userKeys({ params: { id: me.user.id } });
  expect(seen.tier).toBe("market_maker");
  expect(seen.keys.map((k) => [k.id, k.revokedAt])).toEqual([[saved.id, null]]);

  // A restart reuses the kept key (no new key, no login).
  await make();
  expect((await admin.admin.userKeys({ params: { id: me.user.id } })).keys).toHaveLength(1);

  // A kept key the server no longer accepts (revoked, or made under another server key): a new one.
  const noiseFile = join(dir, "noise.key");
  writeFileSync(noiseFile, JSON.stringify({ id: "ak_gone", secret: "stale" }), { mode: 0o600 });
  const noise = await demoKeyClient({
    baseUrl,
    dataDir: dir,
    phone: NOISE,
    name: "noise",
    db: platform.seed.db,
  });
  await noise.portfolio.get();
  const renewed = JSON.parse(readFileSync(noiseFile, "utf8")) as { id: string };
  expect(renewed.id).toMatch(/^ak_[0-9a-f]{32}$/);
});
