/**
 * `npm run bench:kafka`: kafkajs (what packages/bus uses) against @platformatic/kafka on the same
 * work, under the runtime that runs it (Bun), printing one JSON object (issue 16's client question).
 *
 * 1. Throughput, on a single broker (KAFKA_BROKERS, default the machine's 127.0.0.1:9092; a unique
 *    topic per client, deleted afterwards): produce --records records of the log's real shape
 *    (~1.6 KB JSON: a PLACE command with its accepted/trade/balance events) in batches of --batch, the
 *    way the engine appends (idempotent producer, acks=all, gzip, one request in flight, each batch
 *    awaited), then consume all of them from offset 0. Records/s and MB/s both ways; the clients take
 *    turns, twice each (A B A B), so a neighbour's load hits both.
 * 2. Failover, on a private 3-node KRaft cluster (scripts/kafka.sh cluster-start on free ports, RF 3,
 *    min ISR 2; --no-failover skips it): one batch every 20 ms; kill -9 the partition's leader; the
 *    seconds from the kill until a batch is acknowledged again, the batches that failed meanwhile (a
 *    failure the caller sees), and whether the topic then holds every acknowledged record exactly
 *    once. Both clients get the same retry budget (~30 s, KAFKA_RETRY_FOR_MS's default). The killed
 *    node is started again and the partition's ISR waited back to 3 before the next client's turn.
 * Flags: --records N (default 20000), --batch N (default 100), --failover-rounds N (default 2: the
 * clients take turns, A B A B, each round killing whichever node leads that client's topic),
 * --no-failover.
 * Run with a quiet machine and state `uptime` beside the numbers (the JSON has the load average).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  Admin as PAdmin,
  Consumer as PConsumer,
  Producer as PProducer,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { retryFor } from "../src/kafka-log.ts";

const { values: flags } = parseArgs({
  options: {
    records: { type: "string", default: "20000" },
    batch: { type: "string", default: "100" },
    "no-failover": { type: "boolean", default: false },
    "failover-rounds": { type: "string", default: "2" },
  },
});
const RECORDS = Number(flags.records);
const BATCH = Number(flags.batch);
const ROUNDS = Number(flags["failover-rounds"]);
const RETRY_FOR_MS = 30_000;
const broker = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
const repoRoot = join(import.meta.dir, "../../..");
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** One log record as the engine writes it: a PLACE that traded twice (sizes as in issue 16: 1.3-2.8 KB). */
function realisticRecord(i: number): string {
  const user = randomUUID();
  const market = "0b6c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d";
  const order = randomUUID();
  const trade = (n: number) => ({
    type: "TRADE",
    tradeSeq: i * 2 + n,
    marketId: market,
    outcome: "YES",
    priceP: 550 + n,
    qty: 3 + n,
    takerOrderId: order,
    takerUserId: user,
    makerOrderId: randomUUID(),
    makerUserId: randomUUID(),
    takerSide: "BUY",
    ts: 1_764_600_000_000 + i,
  });
  const balance = (u: string) => ({
    type: "BALANCE_CHANGED",
    userId: u,
    availableP: 4_912_345 - i,
    lockedP: 12_000 + i,
    reason: "TRADE",
    ts: 1_764_600_000_000 + i,
  });
  return JSON.stringify({
    envelopeId: randomUUID(),
    requestId: randomUUID(),
    command: {
      type: "PLACE",
      userId: user,
      marketId: market,
      clientOrderId: `c-${randomUUID()}`,
      side: "BUY",
      outcome: "YES",
      orderType: "LIMIT",
      priceP: 560,
      qty: 10,
      timeInForce: "GTC",
      ts: 1_764_600_000_000 + i,
    },
    code: "OK",
    events: [
      { type: "ORDER_ACCEPTED", orderId: order, userId: user, marketId: market, priceP: 560, qty: 10 },
      trade(0),
      trade(1),
      balance(user),
      balance(randomUUID()),
      balance(randomUUID()),
      { type: "ORDER_UPDATED", orderId: order, status: "PARTIALLY_FILLED", filledQty: 7, remainingQty: 3 },
    ],
  });
}

interface Client {
  name: string;
  createTopic(brokers: string[], topic: string, replicas: number): Promise<void>;
  deleteTopic(brokers: string[], topic: string): Promise<void>;
  /** A producer shaped like packages/bus's: idempotent, acks=all, gzip, one request in flight. */
  producer(
    brokers: string[],
    topic: string,
  ): Promise<{ send(values: string[]): Promise<void>; close(): Promise<void> }>;
  /** Reads `count` records from offset 0; resolves with how many distinct values it saw. */
  consumeAll(brokers: string[], topic: string, count: number): Promise<{ values: Set<string> }>;
  leaderOf(brokers: string[], topic: string): Promise<{ leader: number; isr: number }>;
}

const kafkajsClient: Client = {
  name: "kafkajs",
  async createTopic(brokers, topic, replicas) {
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor: replicas,
          configEntries: [{ name: "min.insync.replicas", value: replicas >= 3 ? "2" : "1" }],
        },
      ],
    });
    await admin.disconnect();
  },
  async deleteTopic(brokers, topic) {
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  },
  async producer(brokers, topic) {
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: retryFor(RETRY_FOR_MS) });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    return {
      async send(values) {
        await producer.send({
          topic,
          acks: -1,
          compression: CompressionTypes.GZIP,
          messages: values.map((value) => ({ partition: 0, value })),
        });
      },
      close: () => producer.disconnect(),
    };
  },
  async consumeAll(brokers, topic, count) {
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const values = new Set<string>();
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              seen++;
              if (m.value) values.add(m.value.toString("utf8"));
            }
            if (seen >= count) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    return { values };
  },
  async leaderOf(brokers, topic) {
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const p = meta.topics[0].partitions[0];
      return { leader: p.leader, isr: p.isr.length };
    } finally {
      await admin.disconnect();
    }
  },
};

/** The same retry schedule as kafkajs gets from retryFor(30 s) (packages/bus's). */
const schedule = retryFor(RETRY_FOR_MS);
const pRetries = schedule.retries;
const pRetryDelay = (_c: unknown, _op: string, attempt: number) =>
  Math.min(schedule.initialRetryTime * schedule.multiplier ** (attempt - 1), schedule.maxRetryTime);

const platformaticClient: Client = {
  name: "@platformatic/kafka",
  async createTopic(brokers, topic, replicas) {
    const admin = new PAdmin({ clientId: "bench", bootstrapBrokers: brokers });
    try {
      await admin.createTopics({
        topics: [topic],
        partitions: 1,
        replicas,
        configs: [{ name: "min.insync.replicas", value: replicas >= 3 ? "2" : "1" }],
      });
      for (let i = 0; i < 100; i++) {
        const meta = await admin.metadata({ topics: [topic] }).catch(() => undefined);
        if ((meta?.topics.get(topic)?.partitions[0]?.leader ?? -1) >= 0) break;
        await Bun.sleep(100);
      }
    } finally {
      await admin.close();
    }
  },
  async deleteTopic(brokers, topic) {
    const admin = new PAdmin({ clientId: "bench", bootstrapBrokers: brokers });
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.close();
  },
  async producer(brokers, topic) {
    const producer = new PProducer({
      clientId: "bench",
      bootstrapBrokers: brokers,
      serializers: stringSerializers,
      idempotent: true,
      acks: -1,
      compression: "gzip",
      maxInflights: 1,
      retries: pRetries,
      retryDelay: pRetryDelay,
    });
    return {
      async send(values) {
        await producer.send({ messages: values.map((value) => ({ topic, partition: 0, value })) });
      },
      close: () => producer.close(),
    };
  },
  async consumeAll(brokers, topic, count) {
    const consumer = new PConsumer({
      clientId: "bench",
      groupId: `bench-${randomUUID()}`,
      bootstrapBrokers: brokers,
      deserializers: stringDeserializers,
      maxWaitTime: 200,
    });
    const values = new Set<string>();
    let seen = 0;
    const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
    for await (const m of stream) {
      seen++;
      values.add(m.value as string);
      if (seen >= count) break;
    }
    await stream.close();
    await consumer.close(true);
    return { values };
  },
  async leaderOf(brokers, topic) {
    const admin = new PAdmin({ clientId: "bench", bootstrapBrokers: brokers });
    try {
      const meta = await admin.metadata({ topics: [topic], forceUpdate: true });
      const p = meta.topics.get(topic)?.partitions[0];
      return { leader: p?.leader ?? -1, isr: p?.isr.length ?? 0 };
    } finally {
      await admin.close();
    }
  },
};

const clients = [kafkajsClient, platformaticClient];
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function throughput(client: Client, values: string[]) {
  const brokers = [broker];
  const topic = `bench.kafka.${runId}.${client.name.replace(/\W/g, "")}.${randomUUID().slice(0, 8)}`;
  await client.createTopic(brokers, topic, 1);
  try {
    const producer = await client.producer(brokers, topic);
    const bytes = values.reduce((n, v) => n + Buffer.byteLength(v), 0);
    let t = performance.now();
    for (let i = 0; i < values.length; i += BATCH) await producer.send(values.slice(i, i + BATCH));
    const produceS = (performance.now() - t) / 1000;
    await producer.close();
    t = performance.now();
    const { values: got } = await client.consumeAll(brokers, topic, values.length);
    const consumeS = (performance.now() - t) / 1000;
    const missing = values.filter((v) => !got.has(v)).length;
    return {
      produceRecordsPerS: Math.round(values.length / produceS),
      produceMBPerS: round(bytes / 1e6 / produceS, 2),
      consumeRecordsPerS: Math.round(values.length / consumeS),
      consumeMBPerS: round(bytes / 1e6 / consumeS, 2),
      missing,
    };
  } finally {
    await client.deleteTopic(brokers, topic);
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function kafkaCluster() {
  const dir = mkdtempSync(join(tmpdir(), "ox-bench-kafka-"));
  const ports = [await freePort(), await freePort(), await freePort()];
  const cports = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    KAFKA_CLUSTER_DIR: dir,
    KAFKA_CLUSTER_PORTS: ports.join(","),
    KAFKA_CLUSTER_CONTROLLER_PORTS: cports.join(","),
    KAFKA_START_TIMEOUT_S: "180",
  };
  const script = async (action: string) => {
    const p = Bun.spawn(["bash", join(repoRoot, "scripts/kafka.sh"), action], {
      env,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
    if (code !== 0) throw new Error(`kafka.sh ${action} failed (${code}): ${err}`);
  };
  await script("cluster-start");
  return {
    brokers: ports.map((p) => `127.0.0.1:${p}`),
    start: () => script("cluster-start"),
    async kill9(nodeId: number) {
      const pid = Number(await Bun.file(join(dir, `node-${nodeId}`, "kafka.pid")).text());
      process.kill(pid, "SIGKILL");
    },
    async destroy() {
      await script("cluster-stop").catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Cluster = Awaited<ReturnType<typeof kafkaCluster>>;

async function failover(client: Client, cluster: Cluster, turn: number) {
  const brokers = cluster.brokers;
  const topic = `bench.failover.${runId}.${client.name.replace(/\W/g, "")}.${turn}`;
  await client.createTopic(brokers, topic, 3);
  const producer = await client.producer(brokers, topic);
  const acked: string[] = [];
  const errors: string[] = [];
  let stop = false;
  let i = 0;
  let lastAckAt = 0;
  const loop = (async () => {
    while (!stop) {
      const batch = Array.from({ length: 10 }, () => `${topic}:${i++}`);
      try {
        await producer.send(batch);
        acked.push(...batch);
        lastAckAt = Date.now();
      } catch (error) {
        errors.push(String((error as Error).message ?? error).slice(0, 160));
      }
      await Bun.sleep(20);
    }
  })();
  try {
    await Bun.sleep(2_000);
    const { leader } = await client.leaderOf(brokers, topic);
    const killedAt = Date.now();
    await cluster.kill9(leader);
    const failedBefore = errors.length;
    while (lastAckAt <= killedAt && Date.now() - killedAt < 90_000) await Bun.sleep(20);
    const resumedS = lastAckAt > killedAt ? round((lastAckAt - killedAt) / 1000) : null;
    await Bun.sleep(1_000);
    stop = true;
    await loop;
    await producer.close().catch(() => {});
    const newLeader = await client.leaderOf(brokers, topic).catch(() => ({ leader: -1, isr: 0 }));
    const { values } = await client.consumeAll(brokers, topic, acked.length);
    const ackedSet = new Set(acked);
    return {
      killedLeader: leader,
      newLeader: newLeader.leader,
      secondsToResumeProducing: resumedS,
      failedSendsSeen: errors.length - failedBefore,
      firstError: errors[failedBefore],
      batchesAcked: acked.length / 10,
      ackedMissing: acked.filter((v) => !values.has(v)).length,
      unackedPresent: [...values].filter((v) => !ackedSet.has(v)).length,
    };
  } finally {
    stop = true;
    await loop;
    // Bring the killed node back and wait for full ISR, so the next client starts from the same state.
    await cluster.start();
    for (let n = 0; n < 600; n++) {
      const { isr } = await client.leaderOf(brokers, topic).catch(() => ({ isr: 0 }));
      if (isr === 3) break;
      await Bun.sleep(200);
    }
  }
}

async function main() {
  const load = () => loadavg().map((x) => round(x, 2));
  const values = Array.from({ length: RECORDS }, (_, i) => realisticRecord(i));
  const avgBytes = Math.round(values.reduce((n, v) => n + Buffer.byteLength(v), 0) / values.length);
  const report: Record<string, unknown> = {
    bench: "kafka-clients",
    runtime: `bun ${Bun.version}`,
    records: RECORDS,
    batch: BATCH,
    avgRecordBytes: avgBytes,
    broker,
    loadAverageStart: load(),
  };
  const runs: Record<string, ReturnType<typeof throughput> extends Promise<infer R> ? R[] : never> = {};
  for (let pass = 0; pass < 2; pass++) {
    for (const client of clients) {
      const r = await throughput(client, values);
      runs[client.name] ??= [];
      runs[client.name].push(r);
    }
  }
  report.throughput = Object.fromEntries(
    Object.entries(runs).map(([name, rs]) => [
      name,
      {
        runs: rs,
        bestProduceRecordsPerS: Math.max(...rs.map((r) => r.produceRecordsPerS)),
        bestConsumeRecordsPerS: Math.max(...rs.map((r) => r.consumeRecordsPerS)),
      },
    ]),
  );
  report.loadAverageAfterThroughput = load();
  if (!flags["no-failover"]) {
    const cluster = await kafkaCluster();
    try {
      const results: Record<string, unknown[]> = {};
      for (let r = 0; r < ROUNDS; r++) {
        for (const client of clients) {
          results[client.name] ??= [];
          results[client.name].push(await failover(client, cluster, r).catch((e) => ({ error: String(e) })));
        }
      }
      report.failover = { cluster: "3 KRaft nodes, RF 3, min ISR 2, kill -9 of the leader", ...results };
    } finally {
      await cluster.destroy();
    }
  }
  report.loadAverageEnd = load();
  console.log(JSON.stringify(report));
  process.exit(0);
}

await main();
