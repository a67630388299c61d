/**
 * A stream process (distributed mode): events from Redis pub/sub, book snapshots from the engine
 * over the query channel, the Redis adapter so any number of these can run behind a load balancer.
 */

import { createAdapters } from "@ox/bus";
import { createPublicOrigins, parseStreamEnv } from "@ox/config";
import { createRemoteEngineReader } from "@ox/engine-client";
import { createLogger } from "@ox/logger";
import { createMetricsRegistry, serveMetrics } from "@ox/metrics";
import { CLOCK_TOLERANCE_SEC, sessionKey, TOKEN_AUDIENCE, TOKEN_ISSUER } from "@ox/sessions";
import { createAdapter } from "@socket.io/redis-adapter";
import Redis from "ioredis";
import { createJwtVerifier } from "./auth.ts";
import { createStreamMetrics } from "./metrics.ts";
import { createStreamServer } from "./server.ts";

const env = parseStreamEnv();

const logger = createLogger({ level: env.LOG_LEVEL, service: "stream" });
const adapters = createAdapters(env, { instanceId: env.INSTANCE_ID, logger });
const pubsub = adapters.pubsub();
const kv = adapters.kv;
const engineReader = createRemoteEngineReader({
  pubsub,
  instanceId: env.INSTANCE_ID,
  shardMap: env.SHARD_MAP,
});
const adapterPub = new Redis(env.REDIS_URL);
const adapterSub = adapterPub.duplicate();

const registry = createMetricsRegistry();
const metricsServer = await serveMetrics({ registry, port: env.METRICS_PORT });
logger.info({ port: metricsServer.port }, "stream metrics at /metrics");
const server = await createStreamServer({
  metrics: env.METRICS === "on" ? createStreamMetrics(registry) : undefined,
  port: env.STREAM_PORT,
  host: env.STREAM_HOST,
  pubsub,
  engineReader,
  cookieName: "ox_session",
  // The API's tokens (issuer ox-api, audience ox); logout deletes the session record `sess:<sid>`.
  verifyToken: createJwtVerifier({
    secret: env.JWT_SECRET,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    // The API's tokens carry exp (the session's idle lifetime); tolerate clock skew only.
    clockToleranceSec: CLOCK_TOLERANCE_SEC,
    isRevoked: async (payload) =>
      typeof payload.sid !== "string" || (await kv.get(sessionKey(payload.sid))) === null,
  }),
  // Socket.IO's own channels (`socket.io#…`) under the deployment's namespace too.
  redisAdapter: createAdapter(adapterPub, adapterSub, { key: `${env.REDIS_NAMESPACE}socket.io` }),
  publicOrigins: createPublicOrigins(env),
  allowedOrigins: env.ALLOWED_ORIGINS,
  maxSubscriptionsPerSocket: env.STREAM_MAX_SUBSCRIPTIONS,
  logger,
});

const statsTimer = setInterval(async () => logger.info(await server.stats(), "stream: sockets"), 30_000);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    clearInterval(statsTimer);
    await server.close();
    await metricsServer.close();
    await engineReader.close();
    await pubsub.close();
    await kv.close();
    adapterPub.disconnect();
    adapterSub.disconnect();
    process.exit(0);
  });
}
