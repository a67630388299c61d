/**
 * What both chaos tests share (chaos.test.ts: one broker, Redis, Postgres, paused processes;
 * chaos-failover.test.ts: a 3-node Kafka cluster losing its partition leader): the distributed
 * deployment under a steady HTTP order load, a stopwatch for "orders flow again", and the final
 * verdict — nothing acknowledged lost or doubled, the live engine equals a replay of the log,
 * reconcile clean, no process exited more than once — printed as one JSON line and asserted.
 */
import { expect } from "bun:test";
import { createRedisPubSub } from "@ox/bus";
import { consumerOffsets } from "@ox/db";
import { createRemoteEngineReader } from "@ox/engine-client";
import { type Cluster, type Proc, startCluster } from "./crash-cluster.ts";
import { createOrderLoad, type HttpUser, loginUser } from "./crash-load.ts";
import { verify, waitForQuiescence } from "./crash-verify.ts";

export interface ChaosRun {
  cluster: Cluster;
  engine: Proc;
  persister: Proc;
  api: Proc;
  admin: HttpUser;
  load: ReturnType<typeof createOrderLoad>;
  /** GET /health's status (0 when it does not answer within 5 s). */
  health(): Promise<number>;
  /** The persister's committed log offset in Postgres. */
  persistedOffset(): Promise<number>;
  /** Seconds each fault took to heal, by name. */
  recovery: Record<string, number>;
  /** Polls `ok` from `clearedAt` on; records the seconds under `fault`; throws past `boundS`. */
  recoveredWithin(
    fault: string,
    clearedAt: number,
    ok: () => Promise<boolean> | boolean,
    boundS: number,
  ): Promise<void>;
  /** "Orders flow again": an order sent after `t` was answered 201 (applied and logged). */
  ordersFlowAfter(t: number): () => boolean;
}

export async function startChaosRun(options: {
  dir: string;
  runId: string;
  /** Prefix of the test users' phone numbers (unique per test file: they run in parallel). */
  phonePrefix: string;
  redisUrl?: string;
  pgAdminUrl?: string;
  kafkaBrokers: string;
  /** Env for every process (on top of startCluster's). */
  extraEnv?: Record<string, string>;
  cleanups: (() => Promise<unknown>)[];
}): Promise<ChaosRun> {
  const adminPhone = `${options.phonePrefix}0001`;
  const cluster = await startCluster({
    dir: options.dir,
    runId: options.runId,
    jwtSecret: "chaos-test-secret-chaos-test-secret-0123",
    adminPhone,
    redisUrl: options.redisUrl,
    pgAdminUrl: options.pgAdminUrl,
    kafkaBrokers: options.kafkaBrokers,
    extraEnv: options.extraEnv,
  });
  options.cleanups.push(() => cluster.close());
  const persister = await cluster.add("persister");
  const engine = await cluster.add("engine");
  const api = await cluster.add("api");
  const base = () => api.baseUrl ?? "";

  const admin = await loginUser(base, adminPhone);
  const marketIds: string[] = [];
  for (const title of ["Chaos test market one", "Chaos test market two"]) {
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
    const u = await loginUser(base, `${options.phonePrefix}01${String(i).padStart(2, "0")}`);
    expect((await u.call("POST", "/wallet/deposits", { amountPaise: 5_000_000 })).status).toBeLessThan(300);
    users.push(u);
  }
  for (const id of marketIds) {
    for (let i = 0; i < 100 && (await admin.call("GET", `/markets/${id}/orderbook`)).status !== 200; i++)
      await Bun.sleep(100);
  }

  const load = createOrderLoad({ users, marketIds, seed: 16, pauseMs: 20 });
  const recovery: Record<string, number> = {};
  return {
    cluster,
    engine,
    persister,
    api,
    admin,
    load,
    recovery,
    async health() {
      return (
        (await fetch(`${base()}/api/v1/health`, { signal: AbortSignal.timeout(5_000) }).catch(() => null))
          ?.status ?? 0
      );
    },
    async persistedOffset() {
      return (await cluster.db.db.select().from(consumerOffsets))[0]?.offset ?? 0;
    },
    async recoveredWithin(fault, clearedAt, ok, boundS) {
      const until = clearedAt + boundS * 1000;
      while (!(await ok())) {
        if (Date.now() > until) throw new Error(`${fault}: not recovered ${boundS} s after it cleared`);
        await Bun.sleep(100);
      }
      recovery[fault] = Math.round((Date.now() - clearedAt) / 100) / 10;
    },
    ordersFlowAfter: (t) => () => load.stats.last201SentAt > t,
  };
}

/**
 * Stops the load, waits until everything is applied and persisted, checks it all and prints the
 * JSON line. `lostByDesign` names acknowledged orders a fault is allowed to lose (a Redis restarted
 * empty loses the 202s it still queued: the reason AOF is required).
 */
export async function finishChaosRun(
  run: ChaosRun,
  report: {
    runId: string;
    faults: Record<string, unknown>;
    recoverBoundSeconds: Record<string, number>;
    healthDuringFault: Record<string, number>;
    extra?: Record<string, unknown>;
    lostByDesign?: (acked: { orderId: string; status: number; at: number }) => boolean;
    /** Processes the test replaced on purpose (stopped, then started anew): their exits count too. */
    earlierProcs?: Proc[];
  },
) {
  const { cluster, load } = run;
  await load.stop();
  const { persister: persisterName } = await waitForQuiescence(
    cluster,
    cluster.env.ENGINE_COMMAND_STREAM as string,
    120_000,
  );
  const pubsub = createRedisPubSub<unknown>(cluster.redisUrl);
  const live = createRemoteEngineReader({
    pubsub,
    instanceId: `chaos-verify-${report.runId}`,
    timeoutMs: 10_000,
  });
  const findings = await verify(cluster, load.stats, live, persisterName);
  await live.close();
  await pubsub.close();

  const notOnce = new Set(findings.ordersNotExactlyOnceInLog);
  const twice = new Set(findings.ordersTwiceInLog);
  const byDesign = new Set(
    [...load.stats.acked.values()]
      .filter((a) => notOnce.has(a.orderId) && !twice.has(a.orderId) && report.lostByDesign?.(a))
      .map((a) => a.orderId),
  );
  const lost = findings.ordersNotExactlyOnceInLog.filter((id) => !twice.has(id) && !byDesign.has(id));
  const restarts = Object.fromEntries(
    [...(report.earlierProcs ?? []), run.engine, run.persister, run.api].map((p) => [
      p.name,
      p.unplannedExits,
    ]),
  );
  console.log(
    JSON.stringify({
      faults: report.faults,
      ordersAcknowledged: findings.ackedOrders,
      acked201: findings.acked201,
      acked202: findings.acked202,
      lost: lost.length,
      lostByDesign: byDesign.size,
      doubled: findings.ordersTwiceInLog.length,
      secondsToRecover: run.recovery,
      recoverBoundSeconds: report.recoverBoundSeconds,
      healthDuringFault: report.healthDuringFault,
      restartsPerProcess: restarts,
      requests: load.stats.byStatus,
      logRecords: findings.logRecords,
      trades: findings.logTrades,
      reconcileOk: findings.reconcile.ok,
      ...report.extra,
    }),
  );

  expect(findings.ackedOrders).toBeGreaterThan(200);
  expect(lost).toEqual([]);
  expect(findings.ordersTwiceInLog).toEqual([]);
  expect(findings.ordersNotExactlyOnceInPg.filter((id) => !byDesign.has(id))).toEqual([]);
  expect(findings.fillsLost).toEqual([]);
  expect(findings.duplicateTradeSeqs).toEqual([]);
  expect(findings.tradeMismatches).toEqual([]);
  expect(findings.divergedAt).toBeNull();
  expect(findings.liveVsReplayDifferences).toEqual([]);
  expect(findings.reconcile.differences).toEqual([]);
  expect(findings.reconcile.ok).toBe(true);
  for (const exits of Object.values(restarts)) expect(exits).toBeLessThanOrEqual(1);
}
