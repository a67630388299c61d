/**
 * Batch envelopes (POST/DELETE /orders/batch) through the production gateway and the engine service,
 * on every adapter set: one queue message and one reply for the whole batch, the commands applied in
 * order with one result and one log record each, and a redelivered envelope answered from the first
 * results (before and after a restart) without applying anything twice.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { batchItemId, type CommandEnvelope, type CommandReply, channels } from "@ox/contracts/pipeline";
import type { Command } from "@ox/engine";
import { createQueueEngineGateway, type EngineGateway } from "@ox/engine-client";
import { type AdapterSet, createHarness, eventually, type Harness } from "@ox/engine-service/testing";
import type { EngineServiceOptions } from "./service.ts";

export function batchEnvelopeSuite(
  name: string,
  makeAdapters: () => Promise<AdapterSet>,
  defaults: Partial<EngineServiceOptions> = {},
) {
  describe(`batch envelopes on ${name}`, () => {
    let h: Harness;
    let gateway: EngineGateway;
    const sent: CommandEnvelope[] = [];
    /** Every message published on the gateway's reply channel. */
    const published: unknown[] = [];
    const instanceId = `batch-${randomUUID().slice(0, 8)}`;
    const ts = 1_700_000_000_000;

    let opened: { close(): Promise<void> }[] = [];

    beforeEach(async () => {
      h = await createHarness(await makeAdapters(), defaults);
      sent.length = 0;
      published.length = 0;
      const queue = h.adapters.queue("api");
      const replies = h.adapters.pubsub();
      const watcher = h.adapters.pubsub();
      await watcher.subscribe(channels.replies(instanceId), (m) => published.push(m));
      gateway = createQueueEngineGateway({
        queue: {
          ...queue,
          send: (body) => {
            sent.push(body);
            return queue.send(body);
          },
        },
        replies: replies as Parameters<typeof createQueueEngineGateway>[0]["replies"],
        instanceId,
        timeoutMs: 30_000, // Kafka on a loaded machine; a timeout would fail the test, not hang it
      });
      opened = [gateway, queue, replies, watcher];
    });
    afterEach(async () => {
      for (const port of opened) await port.close().catch(() => {});
      await h.cleanup();
    });

    const setup: Command[] = [
      { type: "CREATE_USER", userId: "alice", ts },
      { type: "CREATE_USER", userId: "bob", ts },
      { type: "CREDIT", userId: "alice", amountPaise: 10_000, ref: "dep-alice", kind: "DEPOSIT", ts },
      { type: "CREDIT", userId: "bob", amountPaise: 10_000, ref: "dep-bob", kind: "DEPOSIT", ts },
      { type: "CREATE_MARKET", marketId: "m1", ts },
    ];
    const place = (orderId: string, userId: string, over: Partial<Command> = {}): Command =>
      ({
        type: "PLACE_ORDER",
        orderId,
        userId,
        marketId: "m1",
        outcome: "YES",
        side: "BUY",
        orderType: "LIMIT",
        pricePaise: 450,
        qty: 2,
        ts: ts + 1,
        ...over,
      }) as Command;
    /** Items that depend on each other's order, and items that fail on their own. */
    const batch: Command[] = [
      place("a1", "alice", { clientOrderId: "c-a1" }), // rests: YES bid 450 × 2
      place("a2", "alice", { qty: 1_000, pricePaise: 900 }), // 9 lakh paise: INSUFFICIENT_FUNDS
      place("a3", "alice", { marketId: "no-such-market" }), // MARKET_NOT_FOUND
      place("b1", "bob", { outcome: "NO", pricePaise: 550, qty: 1 }), // meets a1 of this batch: MINT
      { type: "CANCEL_ORDER", userId: "alice", orderId: "never-placed", ts: ts + 1 }, // UNKNOWN_ORDER
      { type: "CANCEL_ORDER", userId: "alice", orderId: "a1", ts: ts + 1 }, // a1's remaining 1 share
      place("a4", "alice", { clientOrderId: "c-a1", pricePaise: 300 }), // same clientOrderId: a1's result
    ];

    test("one queue message and one reply; results per item in order; one log record each", async () => {
      await h.start();
      for (const command of setup) expect((await gateway.execute(command)).code).toBe("OK");
      const sentBefore = sent.length;
      await eventually(() => published.length === setup.length, "setup replies on the channel");
      const logBefore = (await h.readLog()).length;

      const results = await gateway.executeBatch(batch, { id: "batch-1" });
      expect(sent.length).toBe(sentBefore + 1);
      expect(sent.at(-1)?.commands).toHaveLength(batch.length);
      await eventually(() => published.length === setup.length + 1, "the batch's reply on the channel");

      expect(results.map((r) => r.code)).toEqual([
        "OK",
        "INSUFFICIENT_FUNDS",
        "MARKET_NOT_FOUND",
        "OK",
        "UNKNOWN_ORDER",
        "OK",
        "OK",
      ]);
      expect(results.map((r) => r.id)).toEqual(batch.map((_, i) => batchItemId("batch-1", i)));
      expect(results[0]?.order).toMatchObject({ orderId: "a1", status: "OPEN", filledQty: 0 });
      expect(results[3]?.fills).toEqual([expect.objectContaining({ kind: "MINT", qty: 1 })]);
      expect(results[5]?.order).toMatchObject({ orderId: "a1", status: "CANCELLED", filledQty: 1 });
      expect(results[6]).toMatchObject({ duplicate: true, order: { orderId: "a1" } });

      const records = (await h.readLog()).slice(logBefore);
      expect(records.map((r) => r.envelopeId)).toEqual(batch.map((_, i) => batchItemId("batch-1", i)));
      expect(records.map((r) => r.code)).toEqual(results.map((r) => r.code));
    });

    test("a redelivered batch is answered from its first results, before and after a restart", async () => {
      const first = await h.start();
      for (const command of setup) await gateway.execute(command);
      const results = await gateway.executeBatch(batch, { id: "batch-2" });
      const logLength = (await h.readLog()).length;
      const seq = first.engine.lastSeq;

      const again = await gateway.executeBatch(batch, { id: "batch-2" });
      expect(again).toEqual(results);
      expect(first.engine.lastSeq).toBe(seq);

      await first.stop();
      const restarted = await h.start(); // recovers from snapshot + log, dedupe window included
      const afterRestart = await gateway.executeBatch(batch, { id: "batch-2" });
      expect(afterRestart.map((r: CommandReply) => [r.id, r.code, r.order?.orderId ?? null])).toEqual(
        results.map((r) => [r.id, r.code, r.order?.orderId ?? null]),
      );
      expect(restarted.engine.lastSeq).toBe(seq);
      expect((await h.readLog()).length).toBe(logLength);
    });
  });
}
