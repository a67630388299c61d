/**
 * POST/DELETE /orders/batch in the distributed deployment: the api and engine as real processes on a
 * private Redis (the command stream), a unique Kafka topic (the log) and a fresh Postgres database,
 * driven over HTTP. Per-item results in request order, bad items among good ones, idempotent replay,
 * the envelope limits, a cancel batch with unknown ids, and one batch = one Redis Stream entry (the
 * stream's own entries-added counter, so nothing in the API is trusted to count).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CANCEL_BATCH_MAX, ORDER_BATCH_MAX } from "@ox/contracts";
import { RedisClient } from "bun";
import { type Cluster, startCluster } from "./crash-cluster.ts";
import { type HttpUser, loginUser } from "./crash-load.ts";
import { eventually } from "./e2e-scenario.ts";

type Json = Record<string, any>;
const runId = `batch${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const ADMIN = "+919200000301";
const BONUS = 1_500; // the signup bonus is all the cash these users have
const dir = mkdtempSync(join(tmpdir(), "ox-batch-dist-"));
let cluster: Cluster;
let redis: RedisClient;
let alice: HttpUser;
let marketId: string;

/** Entries ever added to the engine's command stream (acked ones are deleted, so XLEN would not do). */
const queued = async () =>
  ((await redis.send("XINFO", ["STREAM", `ox:commands:${runId}`])) as Json)["entries-added"] as number;
const limit = (over: Json = {}) => ({
  marketId,
  outcome: "YES",
  side: "BUY",
  type: "LIMIT",
  pricePaise: 100,
  quantity: 1,
  ...over,
});

beforeAll(async () => {
  cluster = await startCluster({
    dir,
    runId,
    jwtSecret: "batch-test-secret-batch-test-secret-0123456789",
    adminPhone: ADMIN,
  });
  await cluster.add("engine");
  const api = await cluster.add("api");
  redis = new RedisClient(cluster.redisUrl);
  const base = () => api.baseUrl as string;
  const admin = await loginUser(base, ADMIN);
  const created = await admin.call("POST", "/admin/markets", {
    title: "Will batches cross the wire in one message?",
    category: "test",
    closeAt: Date.now() + 86_400_000,
  });
  expect(created.status).toBe(201);
  marketId = created.json.market.id;
  await eventually("market in the engine", async () =>
    expect((await admin.call("GET", `/markets/${marketId}/orderbook`)).status).toBe(200),
  );
  alice = await loginUser(base, "+919200000302");
  await eventually("the signup bonus in the engine", async () =>
    expect((await alice.call("GET", "/portfolio")).json.balance).toEqual({
      availablePaise: BONUS,
      lockedPaise: 0,
    }),
  );
}, 180_000);
afterAll(async () => {
  redis?.close();
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("batch orders through Redis and Kafka", () => {
  // Built when called: the market exists only once beforeAll has run.
  const batch = () => [
    limit({ pricePaise: 150, clientOrderId: "d1-a" }),
    limit({ pricePaise: undefined }), // LIMIT without a price
    limit({ marketId: "no-such-market" }),
    limit({ pricePaise: 900, quantity: 100 }), // 90 000 paise: more than the bonus
    limit({ outcome: "NO", pricePaise: 200, clientOrderId: "d1-b" }),
  ];
  let placed: Json[];
  let orders: Json[];

  test("per-item results in request order, bad items fail alone, one stream entry", async () => {
    orders = batch();
    const before = await queued();
    const res = await alice.call("POST", "/orders/batch", { orders });
    expect(res.status).toBe(200);
    placed = res.json.results;
    expect(placed.map((r) => r.order?.status ?? r.error.code)).toEqual([
      "OPEN",
      "VALIDATION_ERROR",
      "MARKET_NOT_FOUND",
      "INSUFFICIENT_FUNDS",
      "OPEN",
    ]);
    expect(placed[0]).toMatchObject({ duplicate: false, order: { pricePaise: 150, clientOrderId: "d1-a" } });
    expect(placed[4]).toMatchObject({ order: { outcome: "NO", clientOrderId: "d1-b" } });
    expect(await queued()).toBe(before + 1);
  });

  test("a replayed batch returns the same orders and places nothing", async () => {
    const before = await queued();
    const again = await alice.call("POST", "/orders/batch", { orders });
    expect(again.status).toBe(200);
    const r: Json[] = again.json.results;
    expect(r.map((x) => x.order?.id ?? x.error.code)).toEqual(placed.map((x) => x.order?.id ?? x.error.code));
    expect([r[0]?.duplicate, r[4]?.duplicate]).toEqual([true, true]);
    expect(await queued()).toBe(before + 1);
    const open = await alice.call("GET", `/orders?status=open&marketId=${marketId}`);
    expect(open.json.orders.map((o: Json) => o.id).sort()).toEqual(
      [placed[0]?.order.id, placed[4]?.order.id].sort(),
    );
  });

  test("21 orders or 101 ids are a 400 and reach nothing", async () => {
    const before = await queued();
    const tooMany = await alice.call("POST", "/orders/batch", {
      orders: Array.from({ length: ORDER_BATCH_MAX + 1 }, () => limit()),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.code).toBe("VALIDATION_ERROR");
    const tooManyIds = await alice.call("DELETE", "/orders/batch", {
      ids: Array.from({ length: CANCEL_BATCH_MAX + 1 }, () => crypto.randomUUID()),
    });
    expect(tooManyIds.status).toBe(400);
    expect(tooManyIds.json.error.code).toBe("VALIDATION_ERROR");
    expect(await queued()).toBe(before);
  });

  test("a cancel batch with unknown ids cancels the known ones, in one stream entry", async () => {
    const before = await queued();
    const ids = [placed[0]?.order.id, crypto.randomUUID(), placed[4]?.order.id, placed[0]?.order.id];
    const res = await alice.call("DELETE", "/orders/batch", { ids });
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: Json) => r.order?.status ?? r.error.code)).toEqual([
      "CANCELLED",
      "UNKNOWN_ORDER",
      "CANCELLED",
      "UNKNOWN_ORDER", // already cancelled by the first item
    ]);
    expect(await queued()).toBe(before + 1);
    // Ids not open for the caller are refused before the engine (read over the query channel).
    const unknown = await alice.call("DELETE", "/orders/batch", { ids: [crypto.randomUUID(), ids[0]] });
    expect(unknown.json.results.map((r: Json) => r.error.code)).toEqual(["UNKNOWN_ORDER", "UNKNOWN_ORDER"]);
    expect(await queued()).toBe(before + 1);
    expect((await alice.call("GET", "/portfolio")).json.balance).toEqual({
      availablePaise: BONUS,
      lockedPaise: 0,
    });
  });
});
