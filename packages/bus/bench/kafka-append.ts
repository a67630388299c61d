/**
 * `bun packages/bus/bench/kafka-append.ts`: the CPU one EventLog.append costs this process on Kafka
 * (createKafkaLog, as the engine appends: one LogBatch record of 20 commands, ~14 KB of JSON, per
 * group commit, each append awaited). Prints one JSON line: CPU µs (user + system) and wall µs per
 * append over --appends (default 3000) after 200 warm-up appends, on a fresh topic of KAFKA_BROKERS
 * (default 127.0.0.1:9092) deleted afterwards. --compression zstd|gzip|none (default zstd). Compare
 * two checkouts by running each's copy in turn (A B A B): CPU per append is the figure to trust on
 * a loaded machine.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import pino from "pino";
import { createKafkaLog } from "../src/kafka-log.ts";

const { values: flags } = parseArgs({
  options: { appends: { type: "string", default: "3000" }, compression: { type: "string", default: "zstd" } },
});
const appends = Number(flags.appends);
const compression = flags.compression as "zstd" | "gzip" | "none";
const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const topic = `bench-append-${randomUUID()}`;
const silent = pino({ level: "silent" });
const log = await createKafkaLog<unknown>({ brokers, topic, compression, logger: silent });

const command = (i: number) => ({
  envelopeId: randomUUID(),
  requestId: randomUUID(),
  command: {
    type: "PLACE_ORDER",
    orderId: randomUUID(),
    userId: randomUUID(),
    marketId: "m3",
    side: "BUY",
    outcome: "YES",
    pricePaise: 4_500 + i,
    qty: 10,
    ts: Date.now(),
  },
  code: "OK",
  events: [
    {
      seq: 1_000 + i,
      type: "ORDER_ACCEPTED",
      orderId: randomUUID(),
      userId: randomUUID(),
      marketId: "m3",
      pricePaise: 4_500,
      qty: 10,
    },
    {
      seq: 1_001 + i,
      type: "TRADE",
      makerOrderId: randomUUID(),
      takerOrderId: randomUUID(),
      qty: 5,
      takerPricePaise: 4_500,
      takerFeePaise: 12,
      kind: "TRANSFER",
    },
  ],
});
const records = Array.from({ length: 50 }, () => ({
  batch: Array.from({ length: 20 }, (_, i) => command(i)),
}));

try {
  for (let i = 0; i < 200; i++) await log.append([records[i % records.length]]);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < appends; i++) await log.append([records[i % records.length]]);
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  console.log(
    JSON.stringify({
      compression,
      appends,
      recordBytes: Buffer.byteLength(JSON.stringify(records[0])),
      cpuUsPerAppend: Math.round((used.user + used.system) / appends),
      wallUsPerAppend: Math.round((wallMs * 1000) / appends),
    }),
  );
} finally {
  await log.close();
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}
