import { describe, expect, test } from "bun:test";
import {
  isEnvelopeShaped,
  packEnvelopes,
  peerEnvelope,
  shardLogBatchSchema,
  shardLogRecordSchema,
  unpackEnvelopes,
} from "@ox/contracts/pipeline";
import { EnvError } from "./common.ts";
import { parseEngineEnv } from "./engine.ts";

const base = { REDIS_URL: "redis://localhost:6379", KAFKA_BROKERS: "localhost:9092" };
const map = { version: 3, matchingShards: 2, riskShards: 2, markets: { a: 1 } };

describe("SHARD_MAP / SHARD", () => {
  test("absent: the single engine, unchanged", () => {
    const env = parseEngineEnv(base);
    expect(env.SHARD_MAP).toBeUndefined();
    expect(env.SHARD).toBeUndefined();
  });

  test("a map and a shard in it", () => {
    const env = parseEngineEnv({ ...base, SHARD_MAP: JSON.stringify(map), SHARD: "r1" });
    expect(env.SHARD_MAP).toEqual(map);
    expect(env.SHARD).toBe("r1");
  });

  test.each([
    [{ SHARD_MAP: "{nope" }, "SHARD_MAP"],
    [{ SHARD_MAP: JSON.stringify({ ...map, version: 0 }) }, "SHARD_MAP"],
    [{ SHARD_MAP: JSON.stringify({ ...map, markets: { a: 2 } }) }, "market a on shard 2"],
    [{ SHARD: "m0" }, "SHARD needs SHARD_MAP"],
    [{ SHARD_MAP: JSON.stringify(map), SHARD: "m2" }, "m2 is not in shard map v3"],
    [{ SHARD_MAP: JSON.stringify(map), SHARD: "x1" }, "SHARD"],
  ])("refused: %j", (extra, why) => {
    expect(() => parseEngineEnv({ ...base, ...extra })).toThrow(EnvError);
    expect(() => parseEngineEnv({ ...base, ...extra })).toThrow(why);
  });
});

describe("ShardLogRecord", () => {
  const env = {
    from: "m0",
    to: "r1",
    seq: 4,
    map: 3,
    msg: { type: "RELEASE" as const, user: 2, paise: 500 },
  };
  const message = {
    input: { kind: "message", env },
    receipt: "APPLIED",
    completed: null,
    events: [{ type: "BALANCE", seq: 1 }],
    out: [],
  };
  const cmd = {
    input: { kind: "command", envelopeId: "e1", replyTo: "ox:replies:a", command: { type: "CANCEL_ALL" } },
    receipt: "APPLIED",
    completed: { envelopeId: "e1", replyTo: "ox:replies:a", code: "OK" },
    events: [],
    out: [{ ...env, msg: { type: "PAYOUT", user: 0, paise: 1000 } }],
  };
  test("a message record and a command record parse, and a log record of them", () => {
    expect(shardLogRecordSchema.parse(message).input).toEqual({ kind: "message", env });
    expect(shardLogRecordSchema.safeParse(cmd).success).toBe(true);
    expect(shardLogBatchSchema.parse({ shard: "r1", records: [message, cmd] }).records).toHaveLength(2);
  });
  test("a bad envelope, a bad shard id or an empty log record is refused", () => {
    const bad = { ...env, msg: { type: "RELEASE", user: 2, paise: -5 } };
    expect(shardLogRecordSchema.safeParse({ ...message, input: { kind: "message", env: bad } }).success).toBe(
      false,
    );
    expect(shardLogBatchSchema.safeParse({ shard: "q1", records: [message] }).success).toBe(false);
    expect(shardLogBatchSchema.safeParse({ shard: "r1", records: [] }).success).toBe(false);
  });
  test("isEnvelopeShaped: the addressing fields and a typed message", () => {
    expect(isEnvelopeShaped(env)).toBe(true);
    expect(isEnvelopeShaped({ ...env, seq: 0 })).toBe(false);
    expect(isEnvelopeShaped({ ...env, msg: null })).toBe(false);
    expect(isEnvelopeShaped({ ...env, from: undefined })).toBe(false);
    expect(isEnvelopeShaped("m0>r1#4")).toBe(false);
  });
  test("packEnvelopes: one link packed, read back as the receiver's `peer` inputs", () => {
    const fill = {
      ...env,
      seq: 5,
      msg: { type: "FILL" as const, user: 2, isBuy: true, valuePaise: 900, feePaise: 2, unlockPaise: 910 },
    };
    const entry = packEnvelopes([env, fill]);
    expect(entry).toEqual({
      id: "m0>r1#4..5",
      from: "m0",
      to: "r1",
      map: 3,
      seq: [4, 5],
      m: [
        ["RELEASE", 2, 500],
        ["FILL", 2, true, 900, 2, 910],
      ],
    });
    const inputs = unpackEnvelopes(JSON.parse(JSON.stringify(entry)), "r1");
    expect(inputs?.map((i) => peerEnvelope(i, "r1"))).toEqual([env, fill]);
    expect(inputs?.[0]).toEqual({ kind: "peer", from: "m0", seq: 4, map: 3, m: ["RELEASE", 2, 500] });
    // On another shard's stream: `to` kept, so the receiver refuses it (MISADDRESSED).
    expect(unpackEnvelopes(entry as never, "r0")?.[0].to).toBe("r1");
  });
  test("packEnvelopes: a message of unknown shape or another link goes whole", () => {
    const odd = { ...env, seq: 5, msg: { ...env.msg, extra: 1 } } as unknown as typeof env;
    expect(packEnvelopes([env, odd])).toEqual({ id: "m0>r1#4..5", shards: [env, odd] });
    const other = { ...env, seq: 1, to: "r0" };
    expect(packEnvelopes([env, other])).toHaveProperty("shards");
  });
  test("unpackEnvelopes: a malformed entry is refused whole", () => {
    const entry = { id: "x", from: "m0", to: "r1", map: 3, seq: [4], m: [["RELEASE", 2, 500]] };
    expect(unpackEnvelopes(entry, "r1")).toHaveLength(1);
    for (const bad of [
      { ...entry, seq: [0] },
      { ...entry, seq: [4, 5] },
      { ...entry, seq: [], m: [] },
      { ...entry, map: 0 },
      { ...entry, from: 7 },
      { ...entry, m: [["RELEASE", 2]] },
      { ...entry, m: [["NOPE", 2, 500]] },
      { ...entry, m: [{ type: "RELEASE" }] },
    ])
      expect(unpackEnvelopes(bad as never, "r1")).toBeNull();
  });
});
