import { describe, expect, test } from "bun:test";
import type { EventLog } from "@ox/bus";
import { packPeerInput, type ShardLogBatch, type ShardLogRecord } from "@ox/contracts/pipeline";
import type { EngineEvent, PlaceOrderCommand } from "@ox/engine";
import type { Envelope } from "@ox/engine/shards";
import { planBatch } from "./plan.ts";
import { shardLogView } from "./shard-log.ts";

const logOf = (batches: ShardLogBatch[]): EventLog<ShardLogBatch> => ({
  append: async () => {},
  endOffset: async () => batches.length,
  read: async (from, max) =>
    batches.slice(from, from + max).map((record, i) => ({ offset: from + i, record })),
  close: async () => {},
});

const buy = (orderId: string, qty: number, pricePaise: number): PlaceOrderCommand => ({
  type: "PLACE_ORDER",
  ts: 1,
  orderId,
  userId: `u-${orderId}`,
  marketId: "mk",
  outcome: "YES",
  side: "BUY",
  orderType: "LIMIT",
  pricePaise,
  qty,
});
const rejected = (c: PlaceOrderCommand, seq: number) =>
  ({
    type: "ORDER_REJECTED",
    seq,
    ts: 1,
    orderId: c.orderId,
    userId: c.userId,
    marketId: c.marketId,
    clientOrderId: null,
    code: "INSUFFICIENT_FUNDS",
  }) as unknown as EngineEvent;
const commandRecord = (c: PlaceOrderCommand, events: EngineEvent[], completed: boolean): ShardLogRecord => ({
  input: { kind: "command", envelopeId: `e-${c.orderId}`, replyTo: null, command: c },
  receipt: "APPLIED",
  completed: completed ? { envelopeId: `e-${c.orderId}`, replyTo: null, code: "INSUFFICIENT_FUNDS" } : null,
  events,
  out: [],
});
const answer = (seq: number): ShardLogRecord["input"] => ({
  kind: "message",
  env: {
    from: "r0",
    to: "m0",
    seq,
    map: 1,
    msg: {
      type: "RESERVE_ANSWER",
      ticket: seq,
      user: 0,
      ok: false,
      code: "INSUFFICIENT_FUNDS",
      lockedPaise: 0,
      lockPerShare: 0,
      budgetPaise: 0,
    },
  },
});

describe("shardLogView", () => {
  test("one log record per batch; each ORDER_REJECTED planned with its own command", async () => {
    const a = buy("a", 10, 100);
    const b = buy("b", 20, 200);
    const parked = buy("p", 30, 300);
    const later = buy("q", 40, 400);
    const batches: ShardLogBatch[] = [
      {
        shard: "m0",
        records: [
          commandRecord(a, [rejected(a, 1)], true),
          commandRecord(parked, [], false), // parked for its reservation
          commandRecord(b, [rejected(b, 2)], true),
        ],
      },
      {
        shard: "m0",
        records: [
          // The parked BUY refused on its answer: named only through the earlier record.
          { input: answer(1), receipt: "APPLIED", completed: null, events: [rejected(parked, 3)], out: [] },
          // A completion that carries its command (as the shard logs a parked BUY's completion).
          {
            input: answer(2),
            receipt: "APPLIED",
            completed: { envelopeId: "e-q", replyTo: null, code: "INSUFFICIENT_FUNDS", command: later },
            events: [rejected(later, 4)],
            out: [],
          },
        ],
      },
    ];
    const view = shardLogView(logOf(batches), { shard: "m0" });
    const entries = await view.read(0, 500);
    expect(entries.map((e) => e.offset)).toEqual([0, 1]);
    expect(entries.map((e) => e.record.events.length)).toEqual([2, 2]);
    const plan = planBatch(entries);
    const row = (id: string) => plan.newOrders.get(id) as { qty: number; pricePaise: number; status: string };
    expect([row("a").qty, row("a").pricePaise, row("a").status]).toEqual([10, 100, "REJECTED"]);
    expect([row("b").qty, row("b").pricePaise]).toEqual([20, 200]);
    expect([row("p").qty, row("p").pricePaise]).toEqual([30, 300]);
    expect([row("q").qty, row("q").pricePaise]).toEqual([40, 400]);
  });

  test("answers logged as `peer` inputs (packPeerInput) read as the whole envelopes did", async () => {
    const parked = buy("p", 30, 300);
    const env = (answer(7) as { env: Envelope }).env;
    const peer = packPeerInput(env, "m0");
    expect(peer.kind).toBe("peer");
    const batches: ShardLogBatch[] = [
      { shard: "m0", records: [commandRecord(parked, [], false)] },
      {
        shard: "m0",
        records: [{ input: peer, receipt: "APPLIED", completed: null, events: [rejected(parked, 3)] }],
      },
    ];
    const entries = await shardLogView(logOf(batches), { shard: "m0" }).read(0, 500);
    // No completion in the answer's record: it is named by its envelope, `to` the log's shard.
    expect(entries[1].record.envelopeId).toBe("r0>m0#7");
    const row = planBatch(entries).newOrders.get("p") as { qty: number; status: string };
    expect([row.qty, row.status]).toEqual([30, "REJECTED"]);
  });

  test("records that leave out an APPLIED receipt and a null completion read as before", async () => {
    const parked = buy("p", 30, 300);
    const a = buy("a", 10, 100);
    const peer = packPeerInput((answer(7) as { env: Envelope }).env, "m0");
    const batches: ShardLogBatch[] = [
      // The BUY parked: no receipt, no completion in its record.
      { shard: "m0", records: [{ input: commandRecord(parked, [], false).input, events: [], sent: 1 }] },
      {
        shard: "m0",
        records: [
          { input: peer, events: [] }, // an answer that completed nothing: not the batch's name
          {
            input: peer,
            completed: { envelopeId: "e-p", code: "INSUFFICIENT_FUNDS" },
            events: [rejected(parked, 3)],
          },
          {
            input: commandRecord(a, [], false).input,
            completed: { code: "INSUFFICIENT_FUNDS" },
            events: [rejected(a, 4)],
          },
        ],
      },
    ];
    const entries = await shardLogView(logOf(batches), { shard: "m0" }).read(0, 500);
    expect(entries[1].record.envelopeId).toBe("e-p");
    const plan = planBatch(entries);
    const row = (id: string) => plan.newOrders.get(id) as { qty: number; status: string };
    expect([row("p").qty, row("p").status]).toEqual([30, "REJECTED"]);
    expect([row("a").qty, row("a").status]).toEqual([10, "REJECTED"]);
  });

  test("a command completed by itself (completed holds its code only) is named by its input", async () => {
    const a = buy("a", 10, 100);
    const record = {
      ...commandRecord(a, [rejected(a, 1)], true),
      completed: { code: "INSUFFICIENT_FUNDS" as const },
    };
    const entries = await shardLogView(logOf([{ shard: "m0", records: [record] }]), { shard: "m0" }).read(
      0,
      10,
    );
    expect(entries[0].record.envelopeId).toBe("e-a");
    expect((planBatch(entries).newOrders.get("a") as { status: string }).status).toBe("REJECTED");
  });

  test("a log record of another shard is refused", async () => {
    const view = shardLogView(logOf([{ shard: "m1", records: [commandRecord(buy("a", 1, 1), [], true)] }]), {
      shard: "m0",
    });
    await expect(view.read(0, 10)).rejects.toThrow("m0's log holds a record of m1");
  });
});

describe("shardLogView and fencing (@ox/contracts shard-fence.ts)", () => {
  const fenceBatch = (epoch: number, from: number): ShardLogBatch => ({
    shard: "m0",
    records: [
      {
        input: { kind: "fence", epoch, prev: epoch - 1, from, incarnation: `i${epoch}` },
        receipt: "APPLIED",
        completed: null,
        events: [],
        out: [],
      },
    ],
    epoch,
  });
  const c1 = buy("a", 1, 100);
  const c2 = buy("b", 1, 100);
  const c3 = buy("c", 1, 100);
  const batch = (c: PlaceOrderCommand, seq: number, epoch: number): ShardLogBatch => ({
    shard: "m0",
    records: [commandRecord(c, [rejected(c, seq)], true)],
    epoch,
  });
  // 0 fence 1, 1 epoch 1, 2 fence 2, 3 a late log record of epoch 1 (stale), 4 epoch 2.
  const log = logOf([fenceBatch(1, 0), batch(c1, 1, 1), fenceBatch(2, 2), batch(c2, 2, 1), batch(c3, 3, 2)]);
  const eventsFrom = async (from: number) =>
    (await shardLogView(log, { shard: "m0" }).read(from, 500)).map((e) => e.record.events.length);

  test("fences and a superseded incarnation's late log records persist as nothing", async () => {
    expect(await eventsFrom(0)).toEqual([0, 1, 0, 0, 1]);
  });

  test("started mid-log (a persister restart), the view learns the epoch there first", async () => {
    expect(await eventsFrom(3)).toEqual([0, 1]);
    expect(await eventsFrom(1)).toEqual([1, 0, 0, 1]);
  });
});

describe("shardLogView reads", () => {
  test("at most `max` inputs' worth of log records, and at least one", async () => {
    const rec = (i: number) => commandRecord(buy(`o${i}`, 1, 1), [], true);
    const batch = (n: number, at: number): ShardLogBatch => ({
      shard: "m0",
      records: Array.from({ length: n }, (_, i) => rec(at + i)),
    });
    const view = shardLogView(logOf([batch(300, 0), batch(150, 300), batch(100, 450), batch(700, 550)]), {
      shard: "m0",
    });
    expect((await view.read(0, 500)).map((e) => e.offset)).toEqual([0, 1]);
    expect((await view.read(2, 500)).map((e) => e.offset)).toEqual([2]);
    expect((await view.read(3, 500)).map((e) => e.offset)).toEqual([3]); // larger than max: alone
  });
});
