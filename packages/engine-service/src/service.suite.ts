/** One suite, every adapter set (STYLE §3): memory + file journal, Redis Stream + Kafka. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  channels,
  type EngineQueryReply,
  type EventBatch,
  isLogBatch,
  recordsOf,
} from "@ox/contracts/pipeline";
import { type Command, createEngine } from "@ox/engine";
import {
  type AdapterSet,
  createHarness,
  eventually,
  type Harness,
  sleep,
  stateOf,
  workload,
} from "@ox/engine-service/testing";
import { ReplayDivergedError } from "./recovery.ts";
import type { EngineServiceOptions } from "./service.ts";

/** `defaults`: every service's options (`logFormat: "batch"`: the suite again on LogBatch records). */
export function engineServiceSuite(
  name: string,
  makeAdapters: () => Promise<AdapterSet>,
  defaults: Partial<EngineServiceOptions> = {},
) {
  describe(`engine service on ${name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await createHarness(await makeAdapters(), defaults);
    });
    afterEach(async () => {
      await h.cleanup();
    });

    const sendAll = async (commands: Iterable<Command>) => {
      const ids: string[] = [];
      for (const command of commands) ids.push(await h.client.send(command));
      return ids;
    };
    const reference = (commands: Command[]) => {
      const engine = createEngine();
      for (const command of commands) engine.apply(command);
      return engine;
    };

    test("applies commands, logs one record each, replies, publishes events, acks", async () => {
      const service = await h.start();
      const batches: EventBatch[] = [];
      const watcher = h.adapters.pubsub();
      await watcher.subscribe(h.eventsChannel, (m) => batches.push(m as EventBatch));
      const commands = [...workload({ users: 3, markets: 2, orders: 60 })];
      const ids = await sendAll(commands);
      for (const id of ids) await h.client.reply(id);
      expect(stateOf(service.engine)).toEqual(stateOf(reference(commands)));
      const records = await h.readLog();
      expect(records.map((r) => r.envelopeId)).toEqual(ids);
      const log = await h.adapters.log();
      const logEnd = await log.endOffset();
      await log.close();
      if (defaults.logFormat !== "batch") expect(logEnd).toBe(ids.length);
      // Every event once, in order (a batch whose commands made no event publishes no EventBatch).
      const logged = records.reduce((n, r) => n + r.events.length, 0);
      await eventually(() => batches.reduce((n, b) => n + b.events.length, 0) >= logged, "event batches");
      for (const b of batches) expect(b.fromOffset + b.records).toBeLessThanOrEqual(logEnd);
      const published = batches.flatMap((b) => b.events.map((e) => e.seq));
      expect(published).toEqual(records.flatMap((r) => r.events.map((e) => e.seq)));
      expect(records.some((r) => r.events.some((e) => e.type === "TRADE"))).toBe(true);
      await eventually(async () => (await h.adapters.queue("probe").depth()) === 0, "queue drained");
      await watcher.close();
    });

    test("one log record per command, or one per group commit (logFormat batch)", async () => {
      // Queued before the start: the service takes them in batches of batchMax.
      const commands = [...workload({ users: 3, markets: 2, orders: 40, seed: 4 })];
      const ids = await sendAll(commands);
      await h.start({ batchMax: 10 });
      for (const id of ids) await h.client.reply(id);
      const log = await h.adapters.log();
      const raw = await log.read(0, 1_000);
      await log.close();
      const batched = defaults.logFormat === "batch";
      expect(raw.length).toBe(batched ? Math.ceil(ids.length / 10) : ids.length);
      expect(raw.every((e) => isLogBatch(e.record) === batched)).toBe(true);
      expect(raw.map((e) => e.offset)).toEqual(raw.map((_, i) => i));
      expect(raw.flatMap((e) => recordsOf(e.record).map((r) => r.envelopeId))).toEqual(ids);
    });

    test("replies only after the batch is durable in the log", async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const log = await h.adapters.log();
      const gated = {
        ...log,
        append: async (records: Parameters<typeof log.append>[0]) => {
          await gate;
          return log.append(records);
        },
      };
      await h.start({ log: gated });
      const id = await h.client.send({ type: "CREATE_USER", userId: "alice", ts: 1 });
      await sleep(300);
      expect(h.client.replies.has(id)).toBe(false);
      expect(await log.endOffset()).toBe(0);
      expect(await h.adapters.queue("probe").depth()).toBe(1);
      release();
      expect((await h.client.reply(id)).code).toBe("OK");
      expect(await log.endOffset()).toBe(1);
      await log.close();
      await eventually(async () => (await h.adapters.queue("probe").depth()) === 0, "acked");
    });

    test("a crash after the append and before the ack loses nothing and applies nothing twice", async () => {
      const commands = [...workload({ users: 4, markets: 2, orders: 120, seed: 7 })];
      let service!: Awaited<ReturnType<Harness["start"]>>;
      const log = await h.adapters.log();
      let appends = 0;
      const crashing = {
        ...log,
        append: async (records: Parameters<typeof log.append>[0]) => {
          await log.append(records);
          if (++appends === 3) void service.halt(); // durable, but never replied nor acked
        },
      };
      service = await h.start({ log: crashing, batchMax: 25 });
      const ids = await sendAll(commands);
      await eventually(() => appends >= 3, "third append");
      await service.halt();
      expect(await log.endOffset()).toBeGreaterThanOrEqual(3);
      await log.close(); // the crashed process's handle
      const logged = (await h.readLog()).length; // commands (a LogBatch holds several)
      const second = await h.start({ snapshotEveryCommands: 50 });
      for (const id of ids) await h.client.reply(id);
      expect(stateOf(second.engine)).toEqual(stateOf(reference(commands)));
      expect(second.stats().commandsApplied).toBe(ids.length - logged);
      const records = await h.readLog();
      expect(records.map((r) => r.envelopeId)).toEqual(ids);
      for (const id of ids) {
        const got = h.client.replies.get(id) ?? [];
        for (const again of got) expect(again).toEqual(got[0]);
      }
    });

    test("repeated append refusals are never fatal: it backs off, reports, rebuilds and applies each command once", async () => {
      const commands = [...workload({ users: 4, markets: 2, orders: 150, seed: 5 })];
      const log = await h.adapters.log();
      let refusals = 0;
      let refuse = true;
      const flaky = {
        ...log,
        failStop: false, // a refusal followed by a success: this log is not fail-stop
        append: async (records: Parameters<typeof log.append>[0]) => {
          if (refuse && refusals < 5) {
            refusals++;
            // Every other refusal lands a prefix first, as a split append failing part-way would.
            if (refusals % 2 === 0) await log.append(records.slice(0, Math.ceil(records.length / 2)));
            throw new Error("MESSAGE_TOO_LARGE (injected)");
          }
          return log.append(records);
        },
      };
      // Not fail-stop: a rebuild replaces the state, which a snapshot worker following the log cannot.
      const service = await h.start({
        log: flaky,
        batchMax: 40,
        retryInitialMs: 20,
        retryMaxMs: 100,
        snapshotWorker: undefined,
      });
      let fatal: unknown = null;
      service.done.catch((error) => {
        fatal = error;
      });
      const ids = await sendAll(commands);
      await eventually(() => refusals >= 1 && Boolean(service.stats().degraded), "degraded reported");
      expect(service.stats().degraded).toContain("MESSAGE_TOO_LARGE");
      for (const id of ids) await h.client.reply(id);
      refuse = false;
      expect(refusals).toBe(5);
      expect(fatal).toBeNull();
      expect(service.stats().degraded).toBeNull();
      expect(service.stats().appendFailures).toBe(5);
      expect(stateOf(service.engine)).toEqual(stateOf(reference(commands)));
      const records = await h.readLog();
      expect(records.map((r) => r.envelopeId)).toEqual(ids); // each exactly once, in order
      for (const id of ids) expect(h.client.replies.get(id)?.length).toBe(1);
      await log.close();
    });

    test("snapshot + replay equals a full replay equals the live engine", async () => {
      const commands = [...workload({ users: 5, markets: 3, orders: 300, seed: 11 })];
      const first = await h.start({ snapshotEveryCommands: 40, batchMax: 16 });
      const ids = await sendAll(commands);
      for (const id of ids) await h.client.reply(id);
      const live = stateOf(first.engine);
      await first.stop();
      const snapshots = readdirSync(h.snapshotDir).filter((f) => f.endsWith(".bin"));
      expect(snapshots.length).toBeGreaterThan(0);
      expect(snapshots.length).toBeLessThanOrEqual(3);

      const fromSnapshot = await h.start();
      expect(stateOf(fromSnapshot.engine)).toEqual(live);
      expect(fromSnapshot.stats().snapshotOffset).toBe(first.stats().logOffset);
      // The dedupe window travels in the snapshot: nothing was replayed, yet the repeat is recognised.
      const before = fromSnapshot.engine.lastSeq;
      await h.client.send(commands[0], ids[0]);
      await eventually(() => (h.client.replies.get(ids[0]) ?? []).length >= 2, "re-reply from snapshot");
      expect(h.client.replies.get(ids[0])?.[1]).toEqual(h.client.replies.get(ids[0])?.[0]);
      expect(fromSnapshot.engine.lastSeq).toBe(before);
      await fromSnapshot.halt();

      for (const file of snapshots) rmSync(join(h.snapshotDir, file));
      const fromLog = await h.start();
      expect(stateOf(fromLog.engine)).toEqual(live);
      expect(stateOf(fromLog.engine)).toEqual(stateOf(reference(commands)));
      // A redelivered, already-logged envelope is re-answered from the dedupe window, not re-applied.
      const seq = fromLog.engine.lastSeq;
      await h.client.send(commands[commands.length - 1], ids[ids.length - 1]);
      await eventually(() => (h.client.replies.get(ids[ids.length - 1]) ?? []).length >= 2, "re-reply");
      expect(fromLog.engine.lastSeq).toBe(seq);
    });

    test("a log that disagrees with the engine on replay is fatal", async () => {
      const log = await h.adapters.log();
      await log.append([
        {
          envelopeId: randomUUID(),
          command: { type: "CREATE_USER", userId: "mallory", ts: 5 },
          code: "OK",
          events: [{ type: "USER_CREATED", userId: "someone-else", seq: 1, ts: 5 }],
        },
      ]);
      await log.close();
      await expect(h.start()).rejects.toBeInstanceOf(ReplayDivergedError);
    });

    test("closes a market at closeAt through its own queue, and after a restart", async () => {
      const service = await h.start();
      const closeAt = Date.now() + 300;
      const ids = await sendAll([
        { type: "CREATE_MARKET", marketId: "soon", closeAt, ts: Date.now() },
        { type: "CREATE_MARKET", marketId: "later", closeAt: Date.now() + 60_000, ts: Date.now() },
      ]);
      for (const id of ids) await h.client.reply(id);
      expect(service.engine.market("soon")?.status).toBe("OPEN");
      await eventually(() => service.engine.market("soon")?.status === "CLOSED", "market closed", 5_000);
      const close = (await h.readLog()).find((r) => r.command.type === "CLOSE_MARKET");
      expect(close?.command.ts).toBeGreaterThanOrEqual(closeAt);
      expect(service.engine.market("later")?.status).toBe("OPEN");

      const lateAt = Date.now() + 200;
      await h.client.reply(
        await h.client.send({
          type: "CREATE_MARKET",
          marketId: "while-down",
          closeAt: lateAt,
          ts: Date.now(),
        }),
      );
      await service.halt();
      await sleep(lateAt - Date.now() + 50);
      const restarted = await h.start();
      await eventually(
        () => restarted.engine.market("while-down")?.status === "CLOSED",
        "closed after restart",
        5_000,
      );
    });

    test("expires GTD orders at expiresAt through its own queue, not before, and after a restart", async () => {
      const service = await h.start();
      const now = Date.now();
      const setup: Command[] = [
        { type: "CREATE_USER", userId: "gtd", ts: now },
        { type: "CREDIT", userId: "gtd", amountPaise: 100_000, ref: "gtd-seed", kind: "DEPOSIT", ts: now },
        { type: "CREATE_MARKET", marketId: "g", ts: now },
      ];
      for (const id of await sendAll(setup)) await h.client.reply(id);
      const place = (orderId: string, expiresAt: number): Command => ({
        type: "PLACE_ORDER",
        orderId,
        userId: "gtd",
        marketId: "g",
        outcome: "YES",
        side: "BUY",
        orderType: "LIMIT",
        pricePaise: 400,
        qty: 10,
        tif: "GTD",
        expiresAt,
        ts: Date.now(),
      });
      const soonAt = Date.now() + 400;
      await h.client.reply(await h.client.send(place("soon", soonAt)));
      expect(service.engine.account("gtd")).toEqual({ availablePaise: 96_000, lockedPaise: 4_000 });
      await sleep(150);
      expect(service.engine.order("soon")?.status).toBe("OPEN");
      await eventually(() => service.engine.order("soon") === undefined, "expired", 5_000);
      expect(Date.now()).toBeGreaterThanOrEqual(soonAt);
      expect(service.engine.account("gtd")).toEqual({ availablePaise: 100_000, lockedPaise: 0 });
      const expire = (await h.readLog()).find((r) => r.command.type === "EXPIRE_ORDERS");
      expect(expire?.command.ts).toBeGreaterThanOrEqual(soonAt);
      expect(expire?.events.find((e) => e.type === "ORDER_CLOSED")).toMatchObject({
        orderId: "soon",
        status: "EXPIRED",
        reason: "GTD",
        releasedPaise: 4_000,
      });

      // Down when its time comes: the restarted service expires it on recovery.
      const lateAt = Date.now() + 250;
      await h.client.reply(await h.client.send(place("while-down", lateAt)));
      await service.halt();
      await sleep(lateAt - Date.now() + 50);
      const restarted = await h.start();
      await eventually(
        () => restarted.engine.order("while-down") === undefined,
        "expired after restart",
        5_000,
      );
      expect(restarted.engine.account("gtd")).toEqual({ availablePaise: 100_000, lockedPaise: 0 });
      expect(restarted.engine.nextExpiry()).toBeNull();
    });

    test("answers live-state queries on the query channel", async () => {
      await h.start({ serveQueries: true });
      await h.client.reply(await h.client.send({ type: "CREATE_USER", userId: "bob", ts: 1 }));
      const asker = h.adapters.pubsub();
      const answers: EngineQueryReply[] = [];
      await asker.subscribe("test:answers", (m) => answers.push(m as EngineQueryReply));
      await asker.publish(channels.queries, {
        id: "q1",
        replyTo: "test:answers",
        kind: "account",
        args: ["bob"],
      });
      await asker.publish(channels.queries, { id: "q2", replyTo: "test:answers", kind: "stats", args: [] });
      await asker.publish(channels.queries, { id: "q3", replyTo: "test:answers", kind: "nope", args: [] });
      await eventually(() => answers.length === 3, "answers");
      const byId = Object.fromEntries(answers.map((a) => [a.id, a]));
      expect(byId.q1.result).toEqual({ availablePaise: 0, lockedPaise: 0 });
      expect(byId.q2.result).toMatchObject({ lastSeq: 1, logOffset: 1 });
      expect(byId.q3.ok).toBe(false);
      await asker.close();
    });
  });
}
