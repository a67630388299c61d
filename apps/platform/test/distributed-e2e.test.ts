/**
 * Issue 4's end-to-end test of the distributed pipeline: api, engine, persister and stream as real
 * processes on a private Redis, a unique Kafka topic and a fresh Postgres database, driven over HTTP
 * only; the scenario itself (MINT, TRANSFER, MERGE, resolution, reconcile) is e2e-scenario.ts, shared
 * with the compose-as-processes test (infra/test).
 */
import { afterAll, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Cluster, startCluster } from "./crash-cluster.ts";
import { runTradingScenario, SCENARIO_ADMIN } from "./e2e-scenario.ts";

const runId = `e2e${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "ox-e2e-"));
let cluster: Cluster | undefined;
afterAll(async () => {
  await cluster?.close();
  if (!process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
});

test("two users trade MINT, TRANSFER and MERGE over HTTP through Redis, Kafka and Postgres; the socket, the portfolio and Postgres agree; resolution pays; reconcile is clean", async () => {
  cluster = await startCluster({
    dir,
    runId,
    jwtSecret: "e2e-test-secret-e2e-test-secret-0123456789",
    adminPhone: SCENARIO_ADMIN,
  });
  await Promise.all([cluster.add("persister"), cluster.add("engine")]);
  const [api, stream] = await Promise.all([cluster.add("api"), cluster.add("stream")]);
  const result = await runTradingScenario({
    base: () => api.baseUrl as string,
    streamBase: stream.baseUrl as string,
    db: cluster.db.db,
    redisUrl: cluster.redisUrl,
    persisterName: `persister:${cluster.topic}:0`,
    runId,
  });
  console.log(JSON.stringify(result));
}, 120_000);
