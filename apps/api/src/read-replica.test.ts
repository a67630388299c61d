/**
 * DATABASE_READ_URL against a REAL streaming replica: scripts/pg-replica.sh starts a private primary
 * and a `pg_basebackup -R` standby on free ports (never the machine's shared cluster), the API runs
 * with `db` on the primary and `readDb` on the standby. History reads (trades, candles, fills, ledger
 * transactions, admin lists) come from the replica; reads of one's own writes (the wallet balance, the
 * market an admin just created, the session user) from the primary. Then replay is paused
 * (pg_wal_replay_pause) to show what a user sees while the replica lags: own writes still exact, history
 * stale but consistent (an older prefix, never a torn page), and caught up once replay resumes.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "@ox/bus/testing";
import { createDb, type DbHandle, trades } from "@ox/db";
import pg from "pg";
import { type Client, createHarness, type QueueHarness, signIn } from "./test-harness.ts";

const script = resolve(import.meta.dir, "../../../scripts/pg-replica.sh");
// Directly under /tmp: the servers run as the postgres user, who cannot enter a root-only mkdtemp dir.
const dir = join(tmpdir(), `ox-replica-${process.pid}-${crypto.randomUUID().slice(0, 8)}`);
let ports: { PG_REPLICA_DIR: string; PG_PRIMARY_PORT: string; PG_STANDBY_PORT: string };
let h: QueueHarness | undefined;
let handle: DbHandle | undefined;
let standby: pg.Client | undefined;
let app: QueueHarness["app"];

const replicaScript = (action: string) => {
  const r = Bun.spawnSync(["bash", script, action], { env: { ...process.env, ...ports } });
  if (r.exitCode !== 0) throw new Error(`pg-replica.sh ${action}: ${r.stderr.toString()}`);
};

async function eventually<T>(what: string, check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw new Error(`${what}: ${(err as Error).message}`);
      await Bun.sleep(50);
    }
  }
}

beforeAll(async () => {
  ports = {
    PG_REPLICA_DIR: dir,
    PG_PRIMARY_PORT: String(await freePort()),
    PG_STANDBY_PORT: String(await freePort()),
  };
  replicaScript("start");
  replicaScript("start"); // idempotent: the running pair is reused
  const url = (port: string) => `postgres://postgres@127.0.0.1:${port}/postgres`;
  handle = await createDb({ url: url(ports.PG_PRIMARY_PORT), readUrl: url(ports.PG_STANDBY_PORT) });
  standby = new pg.Client({ connectionString: url(ports.PG_STANDBY_PORT) });
  await standby.connect();
  h = await createHarness({ db: handle });
  app = h.app; // every route, the trading ones on an in-process reader of the harness's engine
}, 120_000);

afterAll(async () => {
  await standby?.end();
  await h?.close(); // closes the primary and replica pools it was given
  replicaScript("stop");
}, 60_000);

const get = async (c: Client, path: string) => {
  const r = await app.request(`http://localhost/api/v1${path}`, { headers: { cookie: c.cookie } });
  expect(r.status).toBe(200);
  return (await r.json()) as any;
};
let seq = 1_000;
const trade = (marketId: string, maker: string, taker: string, yesPricePaise: number) => ({
  seq: ++seq,
  marketId,
  kind: "TRANSFER" as const,
  qty: 1,
  yesPricePaise,
  makerOrderId: `o-m-${seq}`,
  makerUserId: maker,
  makerOutcome: "YES" as const,
  makerSide: "SELL" as const,
  makerPricePaise: yesPricePaise,
  makerFeePaise: 0,
  takerOrderId: `o-t-${seq}`,
  takerUserId: taker,
  takerOutcome: "YES" as const,
  takerSide: "BUY" as const,
  takerPricePaise: yesPricePaise,
  takerFeePaise: 0,
  ts: 1_700_000_000_000 + seq,
});

test("history reads go to the streaming replica, own-write reads to the primary; while the replica lags, own writes stay exact and history is stale but consistent", async () => {
  if (!h || !handle || !standby) throw new Error("setup failed");
  expect((await standby.query("select pg_is_in_recovery() as r")).rows[0].r).toBe(true);
  const admin = await signIn(h, "+919999900000");
  const alice = await signIn(h);
  const created = await app.request("http://localhost/api/v1/admin/markets", {
    method: "POST",
    headers: { cookie: admin.cookie, "content-type": "application/json" },
    body: JSON.stringify({
      title: "Replica market",
      description: "d",
      category: "test",
      rules: "r",
      closeAt: Date.now() + 86_400_000,
    }),
  });
  expect(created.status).toBe(201);
  const marketId: string = ((await created.json()) as { market: { id: string } }).market.id;
  expect((await get(admin, `/markets/${marketId}`)).market.id).toBe(marketId); // primary: read own write

  // Caught up: history from the replica equals the primary.
  expect((await alice.call("POST", "/api/v1/wallet/deposits", { amountPaise: 10_000 })).status).toBe(201);
  await handle.db.insert(trades).values([trade(marketId, admin.userId, alice.userId, 600)]);
  await eventually("replica caught up", async () => {
    expect(
      (await get(alice, `/markets/${marketId}/trades`)).trades.map((t: { seq: number }) => t.seq),
    ).toEqual([seq]);
    expect((await get(alice, "/wallet/transactions")).entries.length).toBe(2); // bonus + deposit
    expect((await get(alice, "/portfolio/fills")).fills.length).toBe(1);
    expect((await get(admin, "/admin/users?q=")).users.map((u: { id: string }) => u.id)).toContain(
      alice.userId,
    );
  });
  const before = {
    trades: await get(alice, `/markets/${marketId}/trades`),
    candles: await get(alice, `/markets/${marketId}/candles?interval=1m`),
    transactions: (await get(alice, "/wallet/transactions")).entries,
    fills: await get(alice, "/portfolio/fills"),
  };
  expect(before.candles.candles.length).toBe(1);

  // The replica lags: replay paused. Everything below is written to the primary only.
  await standby.query("select pg_wal_replay_pause()");
  await eventually("replay paused", async () =>
    expect((await standby?.query("select pg_get_wal_replay_pause_state() as s"))?.rows[0].s).toBe("paused"),
  );
  expect((await alice.call("POST", "/api/v1/wallet/deposits", { amountPaise: 5_000 })).status).toBe(201);
  await handle.db.insert(trades).values([trade(marketId, admin.userId, alice.userId, 650)]);
  const bob = await signIn(h);
  await Bun.sleep(300); // time enough for a running replica to have shown all of it

  // Own writes: exact. The balance beside the history comes from the primary; so do the session user
  // (GET /me) and the market row.
  const wallet = await get(alice, "/wallet/transactions");
  expect(wallet.balancePaise).toBe(1_500 + 10_000 + 5_000);
  expect((await get(bob, "/me")).user.id).toBe(bob.userId);
  expect((await get(alice, `/markets/${marketId}`)).market.id).toBe(marketId);
  // History: the replica's older state, exactly as before the pause (stale, not torn).
  expect(wallet.entries).toEqual(before.transactions);
  expect(await get(alice, `/markets/${marketId}/trades`)).toEqual(before.trades);
  expect(await get(alice, `/markets/${marketId}/candles?interval=1m`)).toEqual(before.candles);
  expect(await get(alice, "/portfolio/fills")).toEqual(before.fills);
  expect((await get(admin, "/admin/users?q=")).users.map((u: { id: string }) => u.id)).not.toContain(
    bob.userId,
  );
  // The primary has it all: this is lag, not loss.
  expect((await handle.db.select().from(trades)).length).toBe(2);

  // Replay resumes: history catches up by itself.
  await standby.query("select pg_wal_replay_resume()");
  await eventually("replica caught up after resume", async () => {
    expect((await get(alice, `/markets/${marketId}/trades`)).trades.length).toBe(2);
    expect((await get(alice, "/wallet/transactions")).entries.length).toBe(3);
    expect((await get(alice, "/portfolio/fills")).fills.length).toBe(2);
    expect((await get(admin, "/admin/users?q=")).users.map((u: { id: string }) => u.id)).toContain(
      bob.userId,
    );
  });
}, 60_000);
