/**
 * `npm run reconcile` on a sharded deployment starts each shard from its snapshot: 2 × 2 shard
 * processes (apps/engine/test/shard-kit.ts: the machine's Redis and Kafka under names of their
 * own) snapshot every few inputs while a workload runs (the API's origin rows and outbox commands,
 * orders, cancels); the persister writes every shard topic to a fresh database; then the reconcile
 * starts past offset 0 wherever a snapshot exists, reports exactly what the replay from offset 0
 * (`--from-zero`) reports, and still exits 1 on a difference planted in Postgres.
 */
import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKafkaLog } from "@ox/bus";
import { KAFKA_BROKERS } from "@ox/bus/testing";
import { type ShardLogBatch, shardEventTopic } from "@ox/contracts/pipeline";
import type { Command } from "@ox/engine";
import { type ShardMap, shardIds } from "@ox/engine/shards";
import { createPersister, shardLogView } from "@ox/persister";
import { freshDb, quiet, seedOrigin } from "@ox/persister/testing";
import { sql } from "drizzle-orm";
import { type ShardCluster, startShardCluster } from "../apps/engine/test/shard-kit.ts";

// Markets and users placed by hand (the users once seeded): by hash, all four users could land on
// one risk shard (1 run in 8), leaving the other with no input and so no snapshot to start from.
const map: ShardMap = { version: 1, matchingShards: 2, riskShards: 2, markets: { m1: 0, m2: 1 } };
const dir = mkdtempSync(join(tmpdir(), "ox-reconcile-shards-"));
let cluster: ShardCluster | undefined;
afterAll(async () => {
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("sharded reconcile: from each shard's snapshot, the same report as from offset 0, exit 1 on a difference", async () => {
  const handle = await freshDb("postgres");
  try {
    const origin = await seedOrigin(handle.db, 4);
    map.users = Object.fromEntries(origin.userIds.map((u, i) => [u, i % 2]));
    // A snapshot every 15 inputs, so every shard has some before the end of its log.
    const c = await startShardCluster({ dir, map, extraEnv: { SNAPSHOT_EVERY_COMMANDS: "15" } });
    cluster = c;
    let ts = 5_000;
    const run = async (command: Record<string, unknown>) =>
      c.reply(await c.send({ ts: ts++, ...command } as unknown as Command));
    for (const cmd of origin.outboxCommands) await run(cmd as unknown as Record<string, unknown>);
    // The withdrawal the origin recorded, as the sweeper sends it.
    const wd = {
      type: "DEBIT",
      userId: origin.userIds[0],
      amountPaise: 20_000,
      ref: `wd:${origin.withdrawalId}`,
    };
    expect((await run(wd)).code).toBe("OK");
    expect((await run({ type: "CREATE_MARKET", marketId: "m1" })).code).toBe("OK");
    expect(
      (await run({ type: "CREATE_MARKET", marketId: "m2", makerFeeBps: 25, takerFeeBps: 50 })).code,
    ).toBe("OK");
    const open: { userId: string; orderId: string }[] = [];
    for (let n = 0; n < 48; n++) {
      if (n % 6 === 5 && open.length) {
        const o = open.shift() as { userId: string; orderId: string };
        await run({ type: "CANCEL_ORDER", ...o });
        continue;
      }
      const userId = origin.userIds[n % origin.userIds.length] as string;
      const orderId = `o${n}`;
      const r = await run({
        type: "PLACE_ORDER",
        orderId,
        userId,
        marketId: n % 3 === 0 ? "m2" : "m1",
        outcome: n % 2 === 0 ? "YES" : "NO",
        side: "BUY",
        orderType: "LIMIT",
        pricePaise: 50 * (6 + (n % 7)),
        qty: 1 + (n % 5),
      });
      if (r.order?.status === "OPEN") open.push({ userId, orderId });
    }
    const until = Date.now() + 60_000;
    while (!(await c.quiescent())) {
      if (Date.now() > until) throw new Error("the shards did not quiesce in 60 s");
      await Bun.sleep(200);
    }

    // The persister over every shard topic, to the end of each.
    const ends: Record<string, number> = {};
    for (const shard of shardIds(map)) {
      const topic = shardEventTopic(c.topic, shard);
      const log = await createKafkaLog<ShardLogBatch>({ brokers: KAFKA_BROKERS, topic, partition: 0 });
      try {
        ends[shard] = await log.endOffset();
        await createPersister({
          log: shardLogView(log, { shard }),
          db: handle.db,
          logger: quiet,
          name: `persister:${topic}:0`,
        }).catchUp();
      } finally {
        await log.close();
      }
    }

    const reconcile = (...args: string[]) => {
      const { REDIS_URL: _r, ...rest } = process.env;
      const r = spawnSync(process.execPath, [join(import.meta.dir, "reconcile.ts"), ...args], {
        env: {
          ...rest,
          DATABASE_URL: handle.url,
          DATA_DIR: join(dir, "data"),
          KAFKA_BROKERS: KAFKA_BROKERS.join(","),
          EVENT_TOPIC: c.topic,
          SHARD_MAP: JSON.stringify(map),
          RECONCILE_WAIT_MS: "20000",
        },
        encoding: "utf8",
        timeout: 120_000,
      });
      const last = r.stdout.trim().split("\n").at(-1);
      return { status: r.status, report: last ? JSON.parse(last) : null, stderr: r.stderr };
    };

    const fromSnapshots = reconcile();
    if (fromSnapshots.status !== 0) console.error(fromSnapshots.stderr);
    expect(fromSnapshots.report).toMatchObject({ ok: true, engineSource: "shards", differences: [] });
    expect(fromSnapshots.status).toBe(0);
    expect(fromSnapshots.report.offsets).toEqual(ends);
    const started = fromSnapshots.report.startedAt as Record<string, number>;
    // Every shard started from a snapshot, none beyond what the persister wrote of its log.
    for (const shard of shardIds(map)) {
      expect([shard, started[shard] > 0]).toEqual([shard, true]);
      expect(started[shard]).toBeLessThanOrEqual(ends[shard] as number);
    }
    for (const shard of shardIds(map))
      expect(fromSnapshots.stderr).toContain(
        `${shard}: replayed from offset ${started[shard]} to ${ends[shard]}`,
      );

    const fromZero = reconcile("--from-zero");
    expect(fromZero.status).toBe(0);
    expect(fromZero.report.startedAt).toEqual({ m0: 0, m1: 0, r0: 0, r1: 0 });
    const { startedAt: _a, ...snapshotReport } = fromSnapshots.report;
    const { startedAt: _b, ...zeroReport } = fromZero.report;
    expect(snapshotReport).toEqual(zeroReport);

    await handle.db.execute(
      sql`update positions set yes_qty = yes_qty + 3 where (user_id, market_id) in (select user_id, market_id from positions limit 1)`,
    );
    const dirty = reconcile();
    expect(dirty.status).toBe(1);
    expect(dirty.report.ok).toBe(false);
    expect(dirty.report.differences.length).toBeGreaterThan(0);
    expect(Object.values(dirty.report.startedAt as Record<string, number>).every((o) => o > 0)).toBe(true);
  } finally {
    await handle.close();
  }
}, 300_000);
