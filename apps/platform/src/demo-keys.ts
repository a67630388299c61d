import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { login } from "@ox/bot";
import { ApiError, type Client, type ClientOptions, createClient } from "@ox/client";
import type { RateTier } from "@ox/contracts";
import { createApiKeysRepo, type Db } from "@ox/db";

export interface DemoKeyOptions {
  baseUrl: string;
  dataDir: string;
  /** Who the program trades as; logged in once (console OTP) to create its key. */
  phone: string;
  /** Names the key file (`<name>.key` in the data directory) and the key. */
  name: string;
  /** Given to the account when the key is made (a market maker's quotes outgrow `standard`). */
  tier?: RateTier;
  db: Db;
  fetch?: ClientOptions["fetch"];
}

/**
 * A client that signs with an API key of the demo account, as programs should: the key is kept in
 * the data directory (0600) and reused at the next start; when it is missing or no longer accepted
 * (revoked, another server key), the platform logs in once, creates a new key and signs out.
 */
export async function demoKeyClient(o: DemoKeyOptions): Promise<Client> {
  const file = join(o.dataDir, `${o.name}.key`);
  if (existsSync(file)) {
    const apiKey = JSON.parse(readFileSync(file, "utf8")) as { id: string; secret: string };
    const client = createClient({ baseUrl: o.baseUrl, apiKey, fetch: o.fetch });
    try {
      await client.auth.me();
      return client;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
  }
  const session = createClient({ baseUrl: o.baseUrl, keepCookies: true, fetch: o.fetch });
  const user = await login(session, o.phone);
  // Before the account's first signed-in request reads (and caches) its tier.
  if (o.tier)
    await createApiKeysRepo(o.db).setTier({
      userId: user.id,
      tier: o.tier,
      actorId: user.id,
      now: Date.now(),
    });
  const { key, secret } = await session.keys.create({
    body: { name: `demo ${o.name}`, scopes: ["read", "trade", "wallet"] },
  });
  await session.auth.logout();
  writeFileSync(file, JSON.stringify({ id: key.id, secret }), { mode: 0o600 });
  return createClient({ baseUrl: o.baseUrl, apiKey: { id: key.id, secret }, fetch: o.fetch });
}
