import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createFileJournal,
  createMemoryQueue,
  createRedisPubSub,
  type FileJournal,
  type PubSub,
} from "@ox/bus";
import { uniqueName } from "@ox/bus/testing";
import type { CommandEnvelope, LogRecord } from "@ox/contracts/pipeline";
import {
  createInProcessEngineReader,
  createRemoteEngineReader,
  type EngineReader,
  EngineUnavailableError,
  type RemoteEngineReader,
} from "@ox/engine-client";
import pino from "pino";
import { createEngineService, type EngineService } from "./service.ts";
import { createFileSnapshotStore } from "./snapshot-store.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const logger = pino({ level: "silent" });
let dir: string;
let journal: FileJournal<LogRecord>;
let service: EngineService;
let enginePubSub: PubSub<unknown>;
let apiPubSub: PubSub<unknown>;
let remote: RemoteEngineReader;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ox-reader-"));
  journal = await createFileJournal<LogRecord>({ path: join(dir, "events.journal"), logger });
  const queue = createMemoryQueue<CommandEnvelope>();
  // A channel prefix of this run: any other engine on the machine's Redis (another test, a bench)
  // would answer the shared query channel, and "nobody answers" would get its answer.
  const prefix = `${uniqueName("test.reader")}:`;
  enginePubSub = createRedisPubSub(REDIS_URL, { logger, prefix });
  apiPubSub = createRedisPubSub(REDIS_URL, { logger, prefix });
  service = createEngineService({
    queue,
    log: journal,
    pubsub: enginePubSub,
    snapshots: createFileSnapshotStore({ dir: join(dir, "snapshots") }),
    logger,
    blockMs: 10,
    serveQueries: true,
  });
  await service.start();
  const ts = 1_700_000_000_000;
  for (const command of [
    { type: "CREATE_USER", userId: "ana", ts },
    { type: "CREDIT", userId: "ana", amountPaise: 5_000, ref: "r1", kind: "DEPOSIT", ts },
    { type: "CREATE_MARKET", marketId: "m1", ts },
    {
      type: "PLACE_ORDER",
      orderId: "o1",
      userId: "ana",
      marketId: "m1",
      outcome: "YES",
      side: "BUY",
      orderType: "LIMIT",
      pricePaise: 450,
      qty: 3,
      ts,
    },
  ] as const) {
    await queue.send({ id: crypto.randomUUID(), replyTo: null, command });
  }
  while (service.stats().logOffset < 4) await Bun.sleep(10);
  remote = createRemoteEngineReader({
    pubsub: apiPubSub,
    instanceId: `test-${crypto.randomUUID()}`,
    timeoutMs: 2_000,
  });
});
afterAll(async () => {
  await remote.close();
  await service.stop();
  await Promise.allSettled([journal.close(), enginePubSub.close(), apiPubSub.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function readerSuite(name: string, reader: () => EngineReader) {
  describe(`EngineReader: ${name}`, () => {
    test("answers every kind from live state", async () => {
      const r = reader();
      expect(await r.account("ana")).toEqual({ availablePaise: 5_000 - 1_350, lockedPaise: 1_350 });
      expect(await r.account("nobody")).toBeNull();
      expect(await r.positions("ana")).toEqual([]);
      expect((await r.openOrders("ana")).map((o) => o.orderId)).toEqual(["o1"]);
      expect(await r.order("o1")).toMatchObject({ status: "OPEN", remainingQty: 3 });
      expect(await r.order("missing")).toBeNull();
      expect(await r.book("m1")).toEqual({
        marketId: "m1",
        bookSeq: 1,
        yes: [{ pricePaise: 450, qty: 3 }],
        no: [],
      });
      expect(await r.market("m1")).toMatchObject({ status: "OPEN", bestYesBidPaise: 450 });
      expect((await r.markets()).map((m) => m.marketId)).toEqual(["m1"]);
      expect((await r.totals()).creditsPaise).toBe(5_000);
      expect(await r.stats()).toMatchObject({ logOffset: 4 });
    });
  });
}

readerSuite("in process", () => createInProcessEngineReader(service));
readerSuite("remote over Redis pub/sub", () => remote);

test("a remote query nobody answers fails with EngineUnavailableError after its timeout", async () => {
  const lonely = createRemoteEngineReader({
    pubsub: apiPubSub,
    instanceId: "nobody-listens",
    timeoutMs: 200,
  });
  await service.halt();
  await expect(lonely.markets()).rejects.toBeInstanceOf(EngineUnavailableError);
  await lonely.close();
});
