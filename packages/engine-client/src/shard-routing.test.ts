/**
 * The API's routing over a sharded deployment, on the real Redis: the production gateway and the
 * sharded producer queue put each command on its shard's stream (`${stream}.${S}`), a batch whose
 * items live on different shards comes back as one reply per item in order, and a cancel finds
 * its order's shard from the order id alone. The shards here are a stand-in: one ShardedEngine
 * (the library) consuming every shard's stream, which refuses a command that arrived on a stream
 * the routing table does not give it (the real shard processes are tested in apps/platform).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { createRedisPubSub, createRedisStreamQueue, type PubSub } from "@ox/bus";
import type { CommandEnvelope, CommandReply } from "@ox/contracts/pipeline";
import type { Command, Result } from "@ox/engine";
import { fanOutOf, ShardedEngine, type ShardMap, shardIds } from "@ox/engine/shards";
import pino from "pino";
import { createQueueEngineGateway, type EngineGateway } from "./engine-gateway.ts";
import { createShardedCommandQueue, shardOfOrderId, shardStream } from "./shard-routing.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const quiet = pino({ level: "silent" });
const run = randomUUID().slice(0, 8);
const base = `ox:test:shard-routing:${run}`;
const map: ShardMap = { version: 3, matchingShards: 2, riskShards: 2, markets: { A: 0, B: 1 } };
const engine = new ShardedEngine(map, { record: false });
/** Every command as the stand-in received it: the stream it came on and where the table sends it. */
const arrivals: { stream: string; routed: string; type: string }[] = [];
let stopping = false;
const closers: (() => Promise<void>)[] = [];
let gateway: EngineGateway;
let ts = 1_700_000_000_000;

beforeAll(async () => {
  const pubsub = createRedisPubSub<unknown>(REDIS_URL, { logger: quiet }) as PubSub<unknown>;
  closers.push(() => pubsub.close());
  for (const shard of shardIds(map)) {
    const q = createRedisStreamQueue<CommandEnvelope>({
      url: REDIS_URL,
      stream: shardStream(base, shard),
      group: "engine",
      consumer: shard,
      logger: quiet,
    });
    closers.push(() => q.close());
    void (async () => {
      while (!stopping) {
        const got = await q.receive(10, 100).catch(() => []);
        for (const d of got) {
          const env = d.body;
          const cmd = env.command as Command;
          // A fanned-out command (CANCEL_ALL without a market) is applied at this shard alone.
          const fanned = fanOutOf(map, cmd) !== null;
          const routed = fanned ? (env.toShard ?? "(none)") : engine.route(cmd);
          arrivals.push({ stream: shard, routed, type: cmd.type });
          let r: Result = { code: "MISADDRESSED" as never, events: [] };
          if (routed === shard && !fanned) r = engine.applyNow(cmd);
          if (routed === shard && fanned) {
            r = engine.deliver(shard, { kind: "command", index: engine.submitted++, cmd }).result as Result;
            engine.flush();
          }
          const reply: CommandReply = {
            id: env.id,
            code: r.code,
            duplicate: false,
            order: r.order ?? null,
            lastSeq: 0,
            ...(cmd.type === "CANCEL_ALL" && {
              cancelled: r.events.flatMap((e) => (e.type === "ORDER_CLOSED" ? [e.orderId] : [])),
            }),
          };
          if (env.replyTo) await pubsub.publish(env.replyTo, reply);
          await q.ack([d.id]);
        }
      }
    })();
  }
  const queue = createShardedCommandQueue(map, (shard) =>
    createRedisStreamQueue<CommandEnvelope>({
      url: REDIS_URL,
      stream: shardStream(base, shard),
      group: "engine",
      consumer: `producer-${run}`,
      logger: quiet,
    }),
  );
  closers.push(() => queue.close());
  const replies = createRedisPubSub<CommandReply>(REDIS_URL, { logger: quiet });
  closers.push(() => replies.close());
  gateway = createQueueEngineGateway({
    queue,
    replies,
    instanceId: `routing-${run}`,
    timeoutMs: 10_000,
    shardMap: map,
  });
  closers.push(() => gateway.close());
});

afterAll(async () => {
  stopping = true;
  await Bun.sleep(200);
  for (const close of closers.reverse()) await close().catch(() => {});
});

const exec = async (c: Omit<Command, "ts">) => (await gateway.execute({ ...c, ts: ts++ } as Command)).code;

test("each command reaches its shard's stream; a cross-shard batch answers per item in order; a cancel finds its shard from the order id", async () => {
  for (const userId of ["alice", "bob", "carol"]) {
    expect(await exec({ type: "CREATE_USER", userId } as Omit<Command, "ts">)).toBe("OK");
    expect(
      await exec({
        type: "CREDIT",
        userId,
        amountPaise: 100_000,
        ref: `dep-${userId}`,
        kind: "DEPOSIT",
      } as Omit<Command, "ts">),
    ).toBe("OK");
  }
  for (const marketId of ["A", "B"])
    expect(await exec({ type: "CREATE_MARKET", marketId } as Omit<Command, "ts">)).toBe("OK");

  const idA = gateway.newOrderId("A");
  const idB = gateway.newOrderId("B");
  expect([shardOfOrderId(idA), shardOfOrderId(idB)]).toEqual([0, 1]);
  const buy = (orderId: string, marketId: string, userId: string, pricePaise: number) =>
    ({
      type: "PLACE_ORDER",
      orderId,
      userId,
      marketId,
      outcome: "YES",
      side: "BUY",
      orderType: "LIMIT",
      pricePaise,
      qty: 2,
      ts: ts++,
    }) as Command;
  // One batch, items on m0, m1 and m0 again: replies in the batch's order.
  const results = await gateway.executeBatch(
    [buy(idA, "A", "alice", 400), buy(idB, "B", "alice", 300), buy(gateway.newOrderId("A"), "A", "bob", 100)],
    { id: `batch-${run}` },
  );
  expect(results.map((r) => [r.code, r.order?.orderId, r.order?.marketId])).toEqual([
    ["OK", idA, "A"],
    ["OK", idB, "B"],
    ["OK", expect.any(String), "A"],
  ]);
  expect(results.map((r) => r.id)).toEqual([`batch-${run}:0`, `batch-${run}:1`, `batch-${run}:2`]);
  // The cancel carries no market: the id names m1, where the order rests (m0 would not know it).
  const cancel = await gateway.execute({ type: "CANCEL_ORDER", userId: "alice", orderId: idB, ts: ts++ });
  expect(cancel.code).toBe("OK");
  expect(cancel.order?.status).toBe("CANCELLED");
  // An id this deployment never assigned cannot be open anywhere: m0 answers.
  const unknown = await gateway.execute({ type: "CANCEL_ORDER", userId: "alice", orderId: "nope", ts: ts++ });
  expect(unknown.code).toBe("UNKNOWN_ORDER");

  // Nothing arrived on a stream the table does not send it to, and every shard got its part.
  expect(arrivals.filter((a) => a.stream !== a.routed)).toEqual([]);
  const on = (s: string) => arrivals.filter((a) => a.stream === s).map((a) => a.type);
  expect(on("m0")).toEqual(["CREATE_MARKET", "PLACE_ORDER", "PLACE_ORDER", "CANCEL_ORDER"]);
  expect(on("m1")).toEqual(["CREATE_MARKET", "PLACE_ORDER", "CANCEL_ORDER"]);
  expect([...on("r0"), ...on("r1")].sort()).toEqual(
    [...Array(3).fill("CREATE_USER"), ...Array(3).fill("CREDIT")].sort(),
  );
  expect(on("r0").length).toBeGreaterThan(0); // the hash spreads these three users over both
  expect(on("r1").length).toBeGreaterThan(0);
  // The stand-in settled every command: alice's cash locks only her open order on A.
  expect(engine.account("alice")).toEqual({ availablePaise: 100_000 - 800, lockedPaise: 800 });
}, 60_000);

test("a cancel-all without a market goes to every matching shard, one envelope each, answers joined", async () => {
  for (const userId of ["dora", "eli"]) {
    expect(await exec({ type: "CREATE_USER", userId } as Omit<Command, "ts">)).toBe("OK");
    expect(
      await exec({
        type: "CREDIT",
        userId,
        amountPaise: 50_000,
        ref: `dep-${userId}`,
        kind: "DEPOSIT",
      } as Omit<Command, "ts">),
    ).toBe("OK");
  }
  const place = (orderId: string, marketId: string, userId: string) =>
    gateway.execute({
      type: "PLACE_ORDER",
      orderId,
      userId,
      marketId,
      outcome: "YES",
      side: "BUY",
      orderType: "LIMIT",
      pricePaise: 200,
      qty: 1,
      ts: ts++,
    });
  const [a, b, other] = [gateway.newOrderId("A"), gateway.newOrderId("B"), gateway.newOrderId("B")];
  for (const [id, m, u] of [
    [a, "A", "dora"],
    [b, "B", "dora"],
    [other, "B", "eli"],
  ] as const)
    expect((await place(id, m, u)).code).toBe("OK");
  const before = arrivals.length;
  const reply = await gateway.execute({ type: "CANCEL_ALL", userId: "dora", ts: ts++ }, { id: `all-${run}` });
  expect(reply).toMatchObject({ id: `all-${run}`, code: "OK", cancelled: [a, b] });
  const sent = arrivals.slice(before);
  expect(sent.map((x) => [x.stream, x.routed, x.type])).toEqual(
    expect.arrayContaining([
      ["m0", "m0", "CANCEL_ALL"],
      ["m1", "m1", "CANCEL_ALL"],
    ]),
  );
  expect(sent).toHaveLength(2);
  expect(engine.account("dora")).toEqual({ availablePaise: 50_000, lockedPaise: 0 });
  expect(engine.account("eli")).toEqual({ availablePaise: 49_800, lockedPaise: 200 });
  // Nothing left: OK with an empty list.
  expect(await gateway.execute({ type: "CANCEL_ALL", userId: "dora", ts: ts++ })).toMatchObject({
    code: "OK",
    cancelled: [],
  });
}, 60_000);
