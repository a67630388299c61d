/**
 * What the crash test demands once the load has stopped and every process is back: the Kafka log,
 * Postgres, the live engine and the HTTP answers the clients got tell one story, exactly.
 */

import { createKafkaLog } from "@ox/bus";
import { type LoggedRecord, type LogRecord, recordsOf } from "@ox/contracts/pipeline";
import { consumerOffsets, orders, outbox, trades } from "@ox/db";
import type { EngineEvent } from "@ox/engine";
import type { EngineReader } from "@ox/engine-client";
import { type ReconcileReport, reconcile, replayLog } from "@ox/engine-client";
import { eq, inArray } from "drizzle-orm";
import type { Cluster } from "./crash-cluster.ts";
import type { LoadStats } from "./crash-load.ts";

export interface Findings {
  logRecords: number;
  ackedOrders: number;
  acked201: number;
  acked202: number;
  /** Acked order ids whose Postgres row count is not 1. */
  ordersNotExactlyOnceInPg: string[];
  /** Acked order ids not ACCEPTED/REJECTED exactly once in the log. */
  ordersNotExactlyOnceInLog: string[];
  /** Order ids the log accepts or rejects more than once (acked or not). */
  ordersTwiceInLog: string[];
  /** Trades a 201 reported that the log lacks (by seq and qty). */
  fillsLost: number[];
  logTrades: number;
  duplicateTradeSeqs: number[];
  pgTrades: number;
  /** Log trades whose Postgres row differs or is missing, and Postgres rows the log lacks. */
  tradeMismatches: number[];
  fillKinds: Record<string, number>;
  /** Live engine vs the engine replayed from the log: totals, and each user's account and positions. */
  liveVsReplayDifferences: string[];
  divergedAt: number | null;
  reconcile: Pick<
    ReconcileReport,
    "ok" | "users" | "positions" | "differences" | "conservation" | "engineTotals"
  >;
}

function brokersOf(cluster: Cluster): string[] {
  const brokers = cluster.env.KAFKA_BROKERS;
  if (!brokers) throw new Error("the cluster has no KAFKA_BROKERS");
  return brokers.split(",");
}

export async function waitForQuiescence(cluster: Cluster, stream: string, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  const port = new URL(cluster.redisUrl).port;
  const log = await createKafkaLog<LoggedRecord>({
    brokers: brokersOf(cluster),
    topic: cluster.topic,
    clientId: "crash-verify",
  });
  try {
    for (;;) {
      const xlen = Number(Bun.spawnSync(["redis-cli", "-p", port, "xlen", stream]).stdout.toString().trim());
      const pendingOutbox = await cluster.db.db.select().from(outbox).where(eq(outbox.status, "PENDING"));
      const end = await log.endOffset();
      const [offset] = await cluster.db.db.select().from(consumerOffsets);
      if (xlen === 0 && pendingOutbox.length === 0 && offset?.offset === end)
        return { end, persister: offset.name };
      if (Date.now() > until)
        throw new Error(
          `not quiescent: xlen ${xlen}, outbox ${pendingOutbox.length}, log ${end}, persisted ${offset?.offset}`,
        );
      await Bun.sleep(250);
    }
  } finally {
    await log.close();
  }
}

export async function verify(
  cluster: Cluster,
  load: LoadStats,
  live: EngineReader,
  persisterName: string,
): Promise<Findings> {
  const { db } = cluster.db;
  const log = await createKafkaLog<LoggedRecord>({
    brokers: brokersOf(cluster),
    topic: cluster.topic,
    clientId: "crash-verify",
  });
  try {
    const end = await log.endOffset();
    // Every command's record, a LogBatch's in order (the engine writes one per group commit).
    const records: LogRecord[] = [];
    for (let at = 0; at < end; ) {
      const batch = await log.read(at, 5_000);
      if (batch.length === 0) break;
      for (const e of batch) records.push(...recordsOf(e.record));
      at = (batch[batch.length - 1] as (typeof batch)[number]).offset + 1;
    }

    // Orders: every accept/reject per order id in the log.
    const decided = new Map<string, number>();
    const logTrades = new Map<number, Extract<EngineEvent, { type: "TRADE" }>>();
    const duplicateTradeSeqs: number[] = [];
    const fillKinds: Record<string, number> = {};
    for (const r of records) {
      for (const e of r.events) {
        if (e.type === "ORDER_ACCEPTED" || e.type === "ORDER_REJECTED")
          decided.set(e.orderId, (decided.get(e.orderId) ?? 0) + 1);
        if (e.type === "TRADE") {
          if (logTrades.has(e.seq)) duplicateTradeSeqs.push(e.seq);
          logTrades.set(e.seq, e);
          fillKinds[e.kind] = (fillKinds[e.kind] ?? 0) + 1;
        }
      }
    }
    const ackedIds = [...load.acked.keys()];
    const pgCount = new Map<string, number>();
    for (let i = 0; i < ackedIds.length; i += 1_000) {
      const rows = await db
        .select({ id: orders.id })
        .from(orders)
        .where(inArray(orders.id, ackedIds.slice(i, i + 1_000)));
      for (const row of rows) pgCount.set(row.id, (pgCount.get(row.id) ?? 0) + 1);
    }
    const fillsLost: number[] = [];
    for (const a of load.acked.values()) {
      for (const f of a.fills) if (logTrades.get(f.tradeSeq)?.qty !== f.qty) fillsLost.push(f.tradeSeq);
    }

    // Trades: the log's and Postgres's, field by field.
    const pgTrades = await db.select().from(trades);
    const tradeMismatches: number[] = [];
    const seen = new Set<number>();
    for (const row of pgTrades) {
      seen.add(row.seq);
      const e = logTrades.get(row.seq);
      const same =
        e &&
        e.qty === row.qty &&
        e.kind === row.kind &&
        e.yesPricePaise === row.yesPricePaise &&
        e.makerOrderId === row.makerOrderId &&
        e.takerOrderId === row.takerOrderId;
      if (!same) tradeMismatches.push(row.seq);
    }
    for (const seq of logTrades.keys()) if (!seen.has(seq)) tradeMismatches.push(seq);

    // Engine: replay the log from scratch; the live engine must equal it user by user.
    const replayed = await replayLog(log, end);
    const liveVsReplayDifferences: string[] = [];
    const same = (what: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b))
        liveVsReplayDifferences.push(`${what}: live ${JSON.stringify(a)} replayed ${JSON.stringify(b)}`);
    };
    same("totals", await live.totals(), replayed.engine.totals());
    for (const userId of replayed.engine.userIds()) {
      same(`account ${userId}`, await live.account(userId), replayed.engine.account(userId) ?? null);
      same(`positions ${userId}`, await live.positions(userId), replayed.engine.positions(userId));
    }
    const report = await reconcile({ db, engine: replayed.engine, persisterName });

    return {
      logRecords: end,
      ackedOrders: ackedIds.length,
      acked201: [...load.acked.values()].filter((a) => a.status === 201).length,
      acked202: [...load.acked.values()].filter((a) => a.status === 202).length,
      ordersNotExactlyOnceInPg: ackedIds.filter((id) => pgCount.get(id) !== 1),
      ordersNotExactlyOnceInLog: ackedIds.filter((id) => decided.get(id) !== 1),
      ordersTwiceInLog: [...decided].filter(([, n]) => n > 1).map(([id]) => id),
      fillsLost,
      logTrades: logTrades.size,
      duplicateTradeSeqs,
      pgTrades: pgTrades.length,
      tradeMismatches,
      fillKinds,
      liveVsReplayDifferences,
      divergedAt: replayed.divergedAt,
      reconcile: {
        ok: report.ok,
        users: report.users,
        positions: report.positions,
        differences: report.differences,
        conservation: report.conservation,
        engineTotals: report.engineTotals,
      },
    };
  } finally {
    await log.close();
  }
}
