/**
 * The API's test kit: test adapters for build.ts, the one builder production uses. Real services
 * (a fresh Postgres database, Redis KV, Redis Streams command queue and pub/sub) and a real engine
 * (@ox/engine createEngine) behind a tiny consumer that applies each queued command and publishes the
 * reply, as the engine service does. Fakes only at the paid edges: SMS (console) and the
 * payment/payout sandbox. routes/orders-harness.ts runs the same builder on the engine service.
 */
import { createRedisKv, createRedisPubSub, createRedisStreamQueue, type Kv } from "@ox/bus";
import type { CommandEnvelope, CommandReply, SingleCommandEnvelope } from "@ox/contracts";
import type { DbHandle } from "@ox/db";
import { createTestDb } from "@ox/db/testing";
import { createEngine, type Engine } from "@ox/engine";
import { createInProcessEngineReader } from "@ox/engine-client";
import pino, { type Logger } from "pino";
import { type Api, type ApiAdapters, buildApi } from "./build.ts";
import type { ApiConfig, AppDeps } from "./deps.ts";
import type { OutboxRelay } from "./outbox-relay.ts";
import {
  createSandboxGateway,
  createSandboxPayouts,
  type PaymentGateway,
  type PayoutProvider,
} from "./payments/gateway.ts";
import { rateLimitDefaults } from "./rate-limit.ts";
import { createConsoleSms } from "./sms/sms.ts";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export function testConfig(overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    NODE_ENV: "test",
    JWT_SECRET: "test-secret-test-secret-test-secret-0123",
    SESSION_TTL_SEC: 7 * 24 * 3600,
    ACCESS_TOKEN_TTL_SEC: 900,
    SMS_PROVIDER: "console",
    ADMIN_PHONES: ["+919999900000"],
    SIGNUP_BONUS_PAISE: 1500,
    REFERRAL_BONUS_PAISE: 500,
    REFERRAL_MIN_DEPOSIT_PAISE: 10_000,
    WITHDRAWAL_MIN_PAISE: 100,
    WITHDRAWAL_MAX_PAISE: 1_000_000,
    DEPOSIT_MIN_PAISE: 100,
    DEPOSIT_MAX_PAISE: 10_000_000,
    PAYMENT_WEBHOOK_SECRET: "webhook-secret-0123456789",
    PUBLIC_ORIGINS: [],
    ALLOWED_ORIGINS: ["https://app.example.in"],
    // app.request() has no socket: the test's X-Forwarded-For hop is the client.
    TRUSTED_PROXIES: { hops: 1 },
    ...rateLimitDefaults({ RATE_LIMITS: false }),
    ...overrides,
  };
}

export interface Harness {
  app: Api["app"];
  deps: AppDeps;
  /** The built API (its relay, gateway, sessions). */
  api: Api;
  db: DbHandle;
  kv: Kv;
  engine: Engine;
  relay: OutboxRelay;
  clock: { now(): number; advance(ms: number): void };
  /** Commands the in-test engine consumer has applied, in order. */
  applied: SingleCommandEnvelope[];
  /**
   * Builds the API again on the same adapters (database, kv, queue, engine) with some replaced:
   * a restart with another configuration, a replica, a route that throws. Closed by close().
   */
  rebuild(overrides?: Partial<ApiAdapters>): Api;
  /** Waits until the relay has delivered everything and the engine consumer applied it. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** The harness on the Redis command queue, whose in-test engine can be made to fail. */
export interface QueueHarness extends Harness {
  /** `paused` holds received commands unapplied (they wait in order); `dropReply` loses chosen replies. */
  engineFaults: { paused: boolean; dropReply: (command: SingleCommandEnvelope) => boolean };
}

export interface HarnessOptions {
  config?: Partial<ApiConfig>;
  payments?: PaymentGateway;
  payouts?: PayoutProvider;
  kv?: Kv;
  /** Start the background consumer that plays the engine service (default true). */
  engineConsumer?: boolean;
  /** The database (default: a fresh one on the machine's Postgres, dropped by close()). */
  db?: DbHandle;
  /** How long the API waits for an engine reply (default 5 s). */
  engineTimeoutMs?: number;
  /** The app's logger (default: silent unless TEST_LOG_LEVEL). */
  logger?: Logger;
}

export const testLogger = (): Logger => pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

/** Test adapters: the given ports, the test configuration, console SMS, the payment sandbox. */
export function testAdapters(
  ports: Pick<ApiAdapters, "db" | "kv" | "commandQueue" | "pubsub" | "reader" | "instanceId" | "clock">,
  options: Partial<ApiAdapters> & { configOverrides?: Partial<ApiConfig> } = {},
): ApiAdapters {
  const { configOverrides, ...rest } = options;
  return {
    config: testConfig(configOverrides),
    logger: testLogger(),
    sms: createConsoleSms(() => {}),
    payments: createSandboxGateway(),
    payouts: createSandboxPayouts(),
    ...ports,
    ...rest,
  };
}

/**
 * `buildApi` on `adapters`, plus `rebuild` for further instances on the same adapters (each with its
 * own reply channel) and `closeAll` for every instance's relay and reply subscription.
 */
export function testBuilds(adapters: ApiAdapters) {
  const built: Api[] = [];
  const build = (overrides: Partial<ApiAdapters> = {}) => {
    const api = buildApi({
      ...adapters,
      ...overrides,
      instanceId: built.length ? `${adapters.instanceId}-${built.length}` : adapters.instanceId,
    });
    built.push(api);
    return api;
  };
  return {
    api: build(),
    rebuild: build,
    async closeAll() {
      for (const api of built) {
        await api.relay.stop();
        await api.gateway.close();
      }
    },
  };
}

/** Drains the outbox relay until the engine has taken every queued command (20 ms between tries). */
export async function settleQueue(
  relay: OutboxRelay,
  queue: { depth(): Promise<number> },
  tries: number,
  engine: string,
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    await relay.drain();
    if ((await queue.depth()) === 0) return;
    await Bun.sleep(20);
  }
  throw new Error(`${engine} did not catch up`);
}

export async function createHarness(options: HarnessOptions = {}): Promise<QueueHarness> {
  const run = crypto.randomUUID().slice(0, 8);
  const stream = `test:${run}:commands`;
  const db = options.db ?? (await createTestDb("postgres"));
  const kv = options.kv ?? createRedisKv({ url: REDIS_URL, prefix: `test:${run}:` });
  const apiQueue = createRedisStreamQueue<CommandEnvelope>({
    url: REDIS_URL,
    stream,
    group: "engine",
    consumer: "api",
  });
  const engineQueue = createRedisStreamQueue<CommandEnvelope>({
    url: REDIS_URL,
    stream,
    group: "engine",
    consumer: "engine",
  });
  const apiReplies = createRedisPubSub<CommandReply>(REDIS_URL);
  const engineReplies = createRedisPubSub<CommandReply>(REDIS_URL);
  let t = Date.now();
  const clock = {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
  const engine = createEngine();
  const applied: SingleCommandEnvelope[] = [];
  const builds = testBuilds(
    testAdapters(
      {
        db: db.db,
        kv,
        commandQueue: apiQueue,
        pubsub: apiReplies as ApiAdapters["pubsub"],
        reader: createInProcessEngineReader(engine),
        instanceId: `api-${run}`,
        clock,
      },
      {
        readDb: db.read,
        configOverrides: options.config,
        logger: options.logger ?? testLogger(),
        ...(options.payments && { payments: options.payments }),
        ...(options.payouts && { payouts: options.payouts }),
        engineTimeoutMs: options.engineTimeoutMs ?? 5_000,
        relay: { intervalMs: 50 },
      },
    ),
  );
  const { api } = builds;
  const { relay } = api;

  const engineFaults: QueueHarness["engineFaults"] = { paused: false, dropReply: () => false };
  let stopped = false;
  const consumer = (async () => {
    if (options.engineConsumer === false) return;
    while (!stopped) {
      const batch = await engineQueue.receive(100, 50).catch(() => []);
      while (engineFaults.paused && !stopped) await Bun.sleep(20);
      for (const d of batch) {
        // The account routes under test send single commands only (batches are the trading routes').
        if (!d.body.command) continue;
        const result = engine.apply(d.body.command);
        applied.push(d.body);
        if (d.body.replyTo && !engineFaults.dropReply(d.body)) {
          await engineReplies.publish(d.body.replyTo, {
            id: d.body.id,
            code: result.code,
            duplicate: result.duplicate ?? false,
            order: result.order ?? null,
            lastSeq: engine.lastSeq,
          });
        }
      }
      if (batch.length) await engineQueue.ack(batch.map((d) => d.id));
    }
  })();

  return {
    app: api.app,
    deps: api.deps,
    api,
    db,
    kv,
    engine,
    relay,
    clock,
    applied,
    engineFaults,
    rebuild: builds.rebuild,
    settle: () => settleQueue(relay, apiQueue, 200, "engine consumer"),
    async close() {
      stopped = true;
      await relay.stop();
      await consumer;
      await builds.closeAll();
      await Promise.allSettled([
        apiQueue.close(),
        engineQueue.close(),
        apiReplies.close(),
        engineReplies.close(),
      ]);
      if (!options.kv) await kv.close();
      await db.close();
    },
  };
}

/** A signed-in client: keeps the session cookie like a browser cookie jar (same-origin requests). */
export interface Client {
  cookie: string;
  userId: string;
  phone: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

export function sessionCookieFrom(res: Response): string | null {
  for (const c of res.headers.getSetCookie()) {
    const m = /^ox_session=([^;]*)/.exec(c);
    if (m) return m[1] ? `ox_session=${m[1]}` : null;
  }
  return null;
}

export async function request(
  h: Harness,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  return h.app.request(`http://localhost${path}`, init);
}

let kycCounter = 0;
/** KYC details no other test user has: a PAN and a bank account belong to one person (issue 9). */
export function kycDetails() {
  kycCounter++;
  const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  const l = (i: number) => letters[Math.floor(kycCounter / letters.length ** i) % letters.length];
  const n = String(kycCounter % 10_000).padStart(4, "0");
  return {
    pan: `TST${l(1)}${l(0)}${n}${l(2)}`,
    name: "Asha Rao",
    bankAccount: `7${String(kycCounter).padStart(11, "0")}`,
    ifsc: "HDFC0001234",
  };
}

let phoneCounter = 0;
export function nextPhone(): string {
  phoneCounter++;
  return `+9198${String(Date.now() % 1_000_000).padStart(6, "0")}${String(phoneCounter % 100).padStart(2, "0")}`;
}

export async function signIn(
  h: Harness,
  phone = nextPhone(),
  ip = `10.0.${phoneCounter % 250}.${(phoneCounter * 7) % 250}`,
): Promise<Client> {
  const otpRes = await request(h, "POST", "/api/v1/auth/otp", { phone }, { "x-forwarded-for": ip });
  if (otpRes.status !== 200) throw new Error(`otp ${otpRes.status} ${await otpRes.text()}`);
  const { devOtp } = (await otpRes.json()) as { devOtp: string };
  const res = await request(h, "POST", "/api/v1/auth/verify", { phone, otp: devOtp });
  if (res.status !== 200) throw new Error(`verify ${res.status} ${await res.text()}`);
  const cookie = sessionCookieFrom(res);
  if (!cookie) throw new Error("no session cookie");
  const { user } = (await res.json()) as { user: { id: string } };
  const client: Client = {
    cookie,
    userId: user.id,
    phone,
    async call(method, path, body, headers = {}) {
      const r = await request(h, method, path, body, { cookie: client.cookie, ...headers });
      const fresh = sessionCookieFrom(r);
      if (fresh) client.cookie = fresh;
      return r;
    },
  };
  return client;
}
