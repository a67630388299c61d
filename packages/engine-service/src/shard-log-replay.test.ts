import { describe, expect, test } from "bun:test";
import { createMemoryPubSub, createMemoryQueue, type EventLog, type LogEntry } from "@ox/bus";
import {
  packEnvelopes,
  peerEnvelope,
  peerEnvelopes,
  receiptOf,
  type ShardLogBatch,
  type ShardStreamEntry,
} from "@ox/contracts/pipeline";
import type { ShardMap } from "@ox/engine/shards";
import pino from "pino";
import { type AckStore, createShardService } from "./shard-service.ts";

/** An in-memory shard log (as Kafka's: offsets count log records). */
function memoryLog(records: ShardLogBatch[] = []): EventLog<ShardLogBatch> & { records: ShardLogBatch[] } {
  return {
    records,
    async append(batch) {
      for (const r of batch) records.push(structuredClone(r));
    },
    async endOffset() {
      return records.length;
    },
    async read(from, max) {
      return records
        .slice(from, from + max)
        .map((record, i): LogEntry<ShardLogBatch> => ({ offset: from + i, record: structuredClone(record) }));
    },
    async close() {},
  };
}

const map: ShardMap = { version: 1, matchingShards: 1, riskShards: 1 };
const acks: AckStore = { write: async () => {}, read: async () => new Map() };

async function runR0(log: EventLog<ShardLogBatch>, feed: ShardStreamEntry[]) {
  const queue = createMemoryQueue<ShardStreamEntry>();
  const service = createShardService({
    shard: "r0",
    map,
    queue,
    peer: () => createMemoryQueue<ShardStreamEntry>(),
    log,
    pubsub: createMemoryPubSub<unknown>(),
    snapshots: { save: async () => {}, loadLatest: async () => null },
    acks,
    logger: pino({ level: "silent" }),
    blockMs: 5,
  });
  const recovered = await service.start();
  for (const entry of feed) await queue.send(entry);
  for (let i = 0; i < 400 && (await queue.depth()) > 0; i++) await Bun.sleep(5);
  for (let i = 0; i < 400 && service.stats().commandsApplied < feed.length; i++) await Bun.sleep(5);
  const account = await service.query("account", ["alice"]);
  await service.stop();
  return { recovered, account, applied: service.stats().commandsApplied };
}

describe("a risk shard's log of peer envelopes", () => {
  test("logged compactly (`peer`), and both it and a log of whole envelopes replay to the same state", async () => {
    const ts = 1_700_000_000_000;
    const log = memoryLog();
    const reserve = {
      from: "m0",
      to: "r0",
      seq: 1,
      map: 1,
      msg: {
        type: "RESERVE",
        ticket: 1,
        user: 0,
        qty: 10,
        pricePaise: 500,
        maxCostPaise: 5_100,
        maxFeeBps: 200,
      },
    } as const;
    const fill = {
      from: "m0",
      to: "r0",
      seq: 2,
      map: 1,
      msg: { type: "FILL", user: 0, isBuy: true, valuePaise: 5_000, feePaise: 100, unlockPaise: 5_100 },
    } as const;
    const live = await runR0(log, [
      { id: "c1", replyTo: null, command: { type: "CREATE_USER", userId: "alice", ts } },
      {
        id: "c2",
        replyTo: null,
        command: { type: "CREDIT", userId: "alice", amountPaise: 10_000, ref: "r1", kind: "DEPOSIT", ts },
      },
      { id: "m0>r0#1..2", shards: [reserve, fill] },
    ]);
    expect(live.applied).toBe(4);
    expect(live.account).toEqual({ availablePaise: 4_900, lockedPaise: 0 });

    const inputs = log.records.flatMap((b) => b.records.map((r) => r.input));
    const peers = inputs.filter((i) => i.kind === "peer");
    expect(peers).toHaveLength(2);
    expect(inputs.some((i) => i.kind === "message")).toBe(false);
    expect(peers.map((p) => peerEnvelope(p, "r0"))).toEqual([reserve, fill]);
    // A command answered at once: its completion holds its code only (the input names it).
    const commands = log.records.flatMap((b) => b.records).filter((r) => r.input.kind === "command");
    expect(commands.map((r) => r.completed)).toEqual([{ code: "OK" }, { code: "OK" }]);

    // Replayed as logged (the fence of the first start included).
    const again = await runR0(memoryLog(structuredClone(log.records)), []);
    expect(again.recovered.replayed).toBe(log.records.length);
    expect(again.account).toEqual(live.account);

    // A log written before `peer`: the envelopes whole (kind "message"), completions naming their
    // command. It replays the same.
    // Every record held its receipt and its completion (null when none) then.
    const records = log.records.flatMap((b) => b.records);
    expect(records.filter((r) => r.input.kind !== "fence").some((r) => "receipt" in r)).toBe(false);
    expect(records.filter((r) => r.input.kind === "peer").some((r) => "completed" in r)).toBe(false);
    const old = structuredClone(log.records).map((b) => ({
      ...b,
      records: b.records.map((r) => {
        const full = { ...r, receipt: receiptOf(r), completed: r.completed ?? null };
        if (r.input.kind === "peer")
          return { ...full, input: { kind: "message" as const, env: peerEnvelope(r.input, "r0") } };
        if (r.input.kind === "command" && full.completed !== null)
          return {
            ...full,
            completed: { envelopeId: r.input.envelopeId, replyTo: r.input.replyTo, ...full.completed },
          };
        return full;
      }),
    }));
    expect(old.flatMap((b) => b.records).every((r) => r.receipt === "APPLIED")).toBe(true);
    const fromOld = await runR0(memoryLog(old), []);
    expect(fromOld.recovered.replayed).toBe(old.length);
    expect(fromOld.account).toEqual(live.account);

    // The same envelopes as a sender writes them now (packEnvelopes): one group input (`peers`),
    // logged as it came, applied as the envelopes one by one with one BALANCE per user at its end.
    const release = {
      from: "m0",
      to: "r0",
      seq: 3,
      map: 1,
      msg: { type: "RELEASE", user: 0, paise: 0 },
    } as const;
    const packedLog = memoryLog();
    const packed = await runR0(packedLog, [
      { id: "c1", replyTo: null, command: { type: "CREATE_USER", userId: "alice", ts } },
      {
        id: "c2",
        replyTo: null,
        command: { type: "CREDIT", userId: "alice", amountPaise: 10_000, ref: "r1", kind: "DEPOSIT", ts },
      },
      packEnvelopes([reserve, fill]),
      packEnvelopes([fill]), // a repeat: logged with its receipt
      packEnvelopes([fill, release]), // seq 2 again, then 3: the repeat skipped, the rest applied
    ]);
    expect(packEnvelopes([reserve, fill])).toHaveProperty("m");
    expect(packed.applied).toBe(2 + 2 + 1 + 2);
    expect(packed.account).toEqual(live.account);
    const strip = (bs: ShardLogBatch[]) =>
      bs.flatMap((b) => b.records).filter((r) => r.input.kind !== "fence");
    const packedRecords = strip(packedLog.records);
    expect(packedRecords.slice(0, 2)).toEqual(strip(log.records).slice(0, 2)); // the commands
    const [group, repeat, overlap] = packedRecords.slice(2);
    expect(group.input).toEqual({
      kind: "peers",
      from: "m0",
      seq: 1,
      map: 1,
      m: [
        ["RESERVE", 1, 0, 10, 500, 5_100, 200],
        ["FILL", 0, true, 5_000, 100, 5_100],
      ],
    });
    expect(peerEnvelopes(group.input as never, "r0")).toEqual([reserve, fill]);
    expect(group.sent).toBe(1); // the answer
    expect(group.events.map((e) => e.type)).toEqual(["BALANCE"]); // one, after both
    expect(group.events[0]).toMatchObject({ userId: "alice", availablePaise: 4_900, lockedPaise: 0 });
    expect(repeat).toMatchObject({ receipt: "DUPLICATE", events: [] });
    expect(overlap.receipt).toBeUndefined(); // APPLIED: seq 3 applied, seq 2 skipped
    expect(overlap.events.map((e) => e.type)).toEqual(["BALANCE"]);
    const replayed = await runR0(memoryLog(structuredClone(packedLog.records)), []);
    expect(replayed.recovered.replayed).toBe(packedLog.records.length);
    expect(replayed.account).toEqual(live.account);
    expect(replayed.applied).toBe(0);
  });
});
