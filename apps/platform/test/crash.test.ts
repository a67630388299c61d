/**
 * Issue 4's crash test (docs/recovery.md): the distributed deployment as real processes on Redis, Kafka and
 * Postgres, under a steady HTTP order load from several users; kill -9 the engine, the persister,
 * an API replica and the stream process, each several times at random moments, and restart them.
 * Then: every order that got a 201/202 exists exactly once in Postgres and in the log, no trade is
 * lost or doubled, the live engine equals the log replayed, money is conserved, reconcile is clean.
 * CRASH_SEED replays a run's schedule; CRASH_LOAD_MS sets the chaos phase's length.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRedisPubSub } from "@ox/bus";
import { createRemoteEngineReader } from "@ox/engine-client";
import { connect } from "socket.io-client";
import { type Cluster, type Proc, type Role, startCluster } from "./crash-cluster.ts";
import { createOrderLoad, createRandom, type HttpUser, loginUser } from "./crash-load.ts";
import { verify, waitForQuiescence } from "./crash-verify.ts";

const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
const loadMs = Number(process.env.CRASH_LOAD_MS ?? 90_000);
const KILLS: Record<Role, number> = { engine: 4, persister: 4, api: 4, stream: 3 };
const ADMIN = "+919100000001";
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "ox-crash-"));
let cluster: Cluster | undefined;
afterAll(async () => {
  await cluster?.close();
  if (!process.env.CRASH_KEEP) rmSync(dir, { recursive: true, force: true });
});

/** A socket on the stream with the user's session cookie: the market's book, then the user's own events. */
async function streamServes(stream: Proc, user: HttpUser, marketId: string): Promise<boolean> {
  const socket = connect(stream.baseUrl ?? "", {
    transports: ["websocket"],
    extraHeaders: { cookie: user.cookie },
    reconnection: false,
  });
  try {
    const got = new Set<string>();
    socket.onAny((name) => got.add(name));
    await new Promise<void>((ok, fail) => {
      socket.once("connect", () => ok());
      socket.once("connect_error", fail);
    });
    const ack = (await socket.timeout(5_000).emitWithAck("subscribe", { marketId })) as { ok?: boolean };
    const until = Date.now() + 10_000;
    while (Date.now() < until && !(got.has("book") && (got.has("order") || got.has("balance"))))
      await Bun.sleep(50);
    return ack.ok === true && got.has("book") && (got.has("order") || got.has("balance"));
  } finally {
    socket.close();
  }
}

test("kill -9 engine, persister, API and stream under load: nothing acknowledged is lost or doubled, money is conserved, reconcile is clean", async () => {
  const rnd = createRandom(seed);
  cluster = await startCluster({
    dir,
    runId,
    jwtSecret: "crash-test-secret-crash-test-secret-0123",
    adminPhone: ADMIN,
  });
  await cluster.add("persister");
  await cluster.add("engine");
  const apis = [await cluster.add("api"), await cluster.add("api")];
  const stream = await cluster.add("stream");
  const liveApis = new Set(apis);
  const pickBase = () => {
    const up = apis.filter((a) => liveApis.has(a));
    return (rnd.pick(up.length > 0 ? up : apis).baseUrl ?? "") as string;
  };

  // Markets through the admin API (outbox → engine), users funded with sandbox deposits.
  const admin = await loginUser(pickBase, ADMIN);
  const marketIds: string[] = [];
  for (const title of ["Crash test market one", "Crash test market two"]) {
    const r = await admin.call("POST", "/admin/markets", {
      title,
      category: "test",
      closeAt: Date.now() + 86_400_000,
    });
    expect(r.status).toBe(201);
    marketIds.push(r.json.market.id);
  }
  const users: HttpUser[] = [];
  for (let i = 0; i < 4; i++) {
    const u = await loginUser(pickBase, `+9191000001${String(i).padStart(2, "0")}`);
    expect((await u.call("POST", "/wallet/deposits", { amountPaise: 5_000_000 })).status).toBeLessThan(300);
    users.push(u);
  }
  for (const id of marketIds) {
    for (let i = 0; i < 100 && (await admin.call("GET", `/markets/${id}/orderbook`)).status !== 200; i++)
      await Bun.sleep(100);
  }

  const load = createOrderLoad({ users, marketIds, seed, pauseMs: 20 });
  // A schedule of kills in random order at random moments, one process down at a time.
  const plan: Role[] = (Object.keys(KILLS) as Role[]).flatMap((role) => Array<Role>(KILLS[role]).fill(role));
  for (let i = plan.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [plan[i], plan[j]] = [plan[j] as Role, plan[i] as Role];
  }
  const survived: Record<Role, number> = { engine: 0, persister: 0, api: 0, stream: 0 };
  const streamChecks: boolean[] = [];
  const began = Date.now();
  const slot = loadMs / plan.length;
  for (const [i, role] of plan.entries()) {
    const at = began + i * slot + rnd.next() * slot * 0.5;
    await Bun.sleep(Math.max(0, at - Date.now()));
    const victim = role === "api" ? (apis[survived.api % 2] as Proc) : cluster.proc(role);
    if (role === "api") liveApis.delete(victim);
    await victim.kill9();
    // Down for up to 3.5 s: longer than the API waits for a reply (2 s), so some orders get a 202.
    await Bun.sleep(rnd.int(200, 3_500));
    await victim.start();
    liveApis.add(apis[0] as Proc).add(apis[1] as Proc);
    survived[role]++;
    if (role === "stream")
      streamChecks.push(await streamServes(stream, rnd.pick(users), rnd.pick(marketIds)));
  }
  await Bun.sleep(Math.max(0, began + loadMs - Date.now()));
  await load.stop();

  const { persister } = await waitForQuiescence(cluster, cluster.env.ENGINE_COMMAND_STREAM as string);
  const pubsub = createRedisPubSub<unknown>(cluster.redisUrl);
  const live = createRemoteEngineReader({ pubsub, instanceId: `crash-verify-${runId}`, timeoutMs: 10_000 });
  const findings = await verify(cluster, load.stats, live, persister);
  await live.close();
  await pubsub.close();

  console.log(
    JSON.stringify({
      seed,
      killsSurvived: survived,
      unplannedRestarts: Object.fromEntries(
        [cluster.proc("engine"), cluster.proc("persister"), ...apis, stream].map((p) => [
          p.name,
          p.unplannedExits,
        ]),
      ),
      streamServedAfterRestart: streamChecks,
      requests: load.stats.byStatus,
      connectionErrors: load.stats.errors,
      ordersAcked: findings.ackedOrders,
      acked201: findings.acked201,
      acked202: findings.acked202,
      cancelsAcked: load.stats.cancelsAcked,
      logRecords: findings.logRecords,
      trades: findings.logTrades,
      fillKinds: findings.fillKinds,
      reconcile: {
        ok: findings.reconcile.ok,
        users: findings.reconcile.users,
        positions: findings.reconcile.positions,
      },
    }),
  );

  expect(survived).toEqual(KILLS);
  expect(streamChecks.every(Boolean)).toBe(true);
  expect(findings.ackedOrders).toBeGreaterThan(200);
  expect(findings.ordersNotExactlyOnceInPg).toEqual([]);
  expect(findings.ordersNotExactlyOnceInLog).toEqual([]);
  expect(findings.ordersTwiceInLog).toEqual([]);
  expect(findings.fillsLost).toEqual([]);
  expect(findings.duplicateTradeSeqs).toEqual([]);
  expect(findings.tradeMismatches).toEqual([]);
  expect(findings.pgTrades).toBe(findings.logTrades);
  expect(Object.keys(findings.fillKinds).sort()).toEqual(["MERGE", "MINT", "TRANSFER"]);
  expect(findings.divergedAt).toBeNull();
  expect(findings.liveVsReplayDifferences).toEqual([]);
  expect(findings.reconcile.differences).toEqual([]);
  expect(findings.reconcile.conservation).toEqual({ engine: true, postgres: true });
  expect(findings.reconcile.ok).toBe(true);

  // Graceful stop: every process drains and exits 0 on SIGTERM.
  const codes = await Promise.all(
    [stream, ...apis, cluster.proc("engine"), cluster.proc("persister")].map((p) => p.stop()),
  );
  expect(codes).toEqual([0, 0, 0, 0, 0]);
}, 300_000);
