import { expect, test } from "bun:test";
import { createRequire } from "node:module";
import { Encoder, originalProduceProtocol, produceRequests } from "./kafkajs-produce-fix.ts";

const require = createRequire(import.meta.url);
const Long = require("kafkajs/src/utils/long.js") as { fromInt(n: number): unknown };

/** A produce request's bytes as kafkajs would send them (timestamps pinned so both encode alike). */
async function encoded(protocol: typeof originalProduceProtocol, version: number, compression: number) {
  const topicData = [
    {
      topic: "t",
      partitions: [
        {
          partition: 0,
          firstSequence: 7,
          messages: [
            { key: null, value: "x".repeat(20_000), timestamp: 1_700_000_000_000, headers: {} },
            { key: "k", value: "ü€😀 ✓", timestamp: 1_700_000_000_001, headers: { h: "v" } },
          ],
        },
      ],
    },
  ];
  const { request } = protocol({ version })({
    acks: -1,
    timeout: 30_000,
    compression,
    topicData,
    transactionalId: null,
    producerId: Long.fromInt(42),
    producerEpoch: 3,
  }) as { request: { encode(): Promise<{ buffer: Buffer }> } };
  return (await request.encode()).buffer;
}

test("produce requests encode byte for byte as kafkajs's own, every version, with and without compression", async () => {
  for (const version of produceRequests.versions.map(Number))
    for (const compression of version >= 3 ? [0, 1] : [0]) {
      const mine = await encoded(produceRequests.protocol, version, compression);
      const theirs = await encoded(originalProduceProtocol, version, compression);
      if (compression === 0) expect(mine.equals(theirs)).toBe(true);
      else expect(mine.length).toBe(theirs.length); // gzip output may differ only in its header bytes
    }
});

test("the lookup resolves a version's modules once, and the encoder still writes exactly what it was given", () => {
  expect(produceRequests.protocol({ version: 3 })).toBe(produceRequests.protocol({ version: 3 }));
  const Ctor = Encoder as unknown as new () => {
    writeBytes(v: string | Buffer): unknown;
    writeInt32(v: number): unknown;
    buffer: Buffer;
  };
  const e = new Ctor();
  const big = Buffer.alloc(70_000, 7);
  e.writeInt32(1);
  e.writeBytes("é".repeat(3_000));
  e.writeBytes(big);
  const out = e.buffer;
  expect(out.length).toBe(4 + 4 + 6_000 + 4 + 70_000);
  expect(out.readInt32BE(0)).toBe(1);
  expect(out.readInt32BE(4)).toBe(6_000);
  expect(out.subarray(8, 6_008).toString("utf8")).toBe("é".repeat(3_000));
  expect(out.readInt32BE(6_008)).toBe(70_000);
  expect(out.subarray(6_012).equals(big)).toBe(true);
});
