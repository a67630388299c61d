/** Helpers shared by the engine service's tests (not shipped code). */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CommandQueue,
  createFileJournal,
  createMemoryPubSub,
  createMemoryPubSubHub,
  createMemoryQueue,
  createMemoryStream,
  type EventLog,
  type PubSub,
} from "@ox/bus";
import {
  type CommandEnvelope,
  type CommandReply,
  isReplyBatch,
  type LoggedRecord,
  type LogRecord,
  recordsOf,
} from "@ox/contracts/pipeline";
import type { Command, Engine } from "@ox/engine";
import pino from "pino";
import { createEngineService, type EngineService, type EngineServiceOptions } from "./service.ts";
import { createFileSnapshotStore } from "./snapshot-store.ts";

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** One transport world: each call reopens the same stream / log, as a restarted process would. */
export interface AdapterSet {
  name: string;
  queue(consumer?: string): CommandQueue<CommandEnvelope>;
  log(): Promise<EventLog<LoggedRecord>>;
  pubsub(): PubSub<unknown>;
  cleanup(): Promise<void>;
  /** The log's file, when it is a file journal: services then snapshot on a worker that follows it. */
  journalPath?: string;
}

/** The embedded world: an in-memory queue and pub/sub, and a file journal in a fresh directory. */
export function embeddedAdapters(dirPrefix = "ox-journal-"): AdapterSet {
  const stream = createMemoryStream();
  const hub = createMemoryPubSubHub();
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  const journalPath = join(dir, "events.journal");
  return {
    name: "embedded",
    journalPath,
    queue: (consumer = "engine-0") => createMemoryQueue({ stream, consumer }),
    log: () => createFileJournal<LogRecord>({ path: journalPath, logger: silentLogger }),
    pubsub: () => createMemoryPubSub({ hub }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** This process's threads (Linux): each one's id, name and nice value (/proc/<pid>/task/<tid>/stat: fields 2 and 19). */
export function processThreads(): { tid: number; name: string; nice: number }[] {
  return readdirSync(`/proc/${process.pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8");
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    return { tid: Number(tid), name, nice: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]) };
  });
}

export interface Harness {
  adapters: AdapterSet;
  snapshotDir: string;
  /** The services' event-batch channel: this harness's own (other runs publish on a shared Redis). */
  eventsChannel: string;
  /** Starts a service on the shared adapters (fresh connections each time). */
  start(overrides?: Partial<EngineServiceOptions>): Promise<EngineService>;
  /** Opens the log for reading (closed at cleanup). */
  readLog(): Promise<LogRecord[]>; // every command's record (a LogBatch's each)
  /** A client that sends envelopes and collects replies on its own channel. */
  client: TestClient;
  cleanup(): Promise<void>;
}

export interface TestClient {
  replies: Map<string, CommandReply[]>;
  send(command: Command, id?: string): Promise<string>;
  reply(id: string, timeoutMs?: number): Promise<CommandReply>;
  close(): Promise<void>;
}

/** `defaults`: options every service of this harness starts with (a suite's log format). */
export async function createHarness(
  adapters: AdapterSet,
  defaults: Partial<EngineServiceOptions> = {},
): Promise<Harness> {
  const snapshotDir = mkdtempSync(join(tmpdir(), "ox-snapshots-"));
  const opened: { close(): Promise<void> }[] = [];
  const services: EngineService[] = [];
  const clientQueue = adapters.queue("client");
  const clientPubSub = adapters.pubsub();
  opened.push(clientQueue, clientPubSub);
  const replyTo = `test:replies:${randomUUID()}`;
  const eventsChannel = `test:events:${randomUUID()}`;
  const replies = new Map<string, CommandReply[]>();
  await clientPubSub.subscribe(replyTo, (message) => {
    // One message per applied batch (several replies) or a lone reply, as the gateway reads them.
    for (const reply of isReplyBatch(message) ? message.replies : [message as CommandReply])
      replies.set(reply.id, [...(replies.get(reply.id) ?? []), reply]);
  });
  const client: TestClient = {
    replies,
    async send(command, id = randomUUID()) {
      await clientQueue.send({ id, replyTo, command });
      return id;
    },
    async reply(id, timeoutMs = 10_000) {
      await eventually(() => replies.has(id), `reply to ${id}`, timeoutMs);
      return (replies.get(id) as CommandReply[])[0];
    },
    close: async () => {},
  };
  return {
    adapters,
    snapshotDir,
    eventsChannel,
    client,
    async start(overrides = {}) {
      const queue = adapters.queue("engine-0");
      const log = await adapters.log();
      const pubsub = adapters.pubsub();
      opened.push(queue, log, pubsub);
      const service = createEngineService({
        queue,
        log,
        pubsub,
        snapshots: createFileSnapshotStore({ dir: snapshotDir }),
        logger: silentLogger,
        blockMs: 20,
        eventsChannel,
        ...(adapters.journalPath && { snapshotWorker: { journalPath: adapters.journalPath } }),
        ...defaults,
        ...overrides,
      });
      services.push(service);
      await service.start();
      return service;
    },
    async readLog() {
      const log = await adapters.log();
      try {
        return await readAll(log);
      } finally {
        await log.close();
      }
    },
    async cleanup() {
      for (const service of services) await service.halt().catch(() => {});
      for (const port of opened.reverse()) await port.close().catch(() => {});
      await adapters.cleanup();
      rmSync(snapshotDir, { recursive: true, force: true });
    },
  };
}

/** Everything a user can see of an engine, for "identical state" checks. */
export function stateOf(engine: Engine) {
  const users = engine.userIds().sort();
  const markets = engine.markets().sort((a, b) => (a.marketId < b.marketId ? -1 : 1));
  return {
    lastSeq: engine.lastSeq,
    totals: engine.totals(),
    markets,
    books: markets.map((m) => engine.book(m.marketId)),
    accounts: users.map((u) => [u, engine.account(u), engine.positions(u), engine.openOrders(u)]),
  };
}

/** Every command's record in the log, in order (a LogBatch's records each). */
export async function readAll(log: EventLog<LoggedRecord>): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const end = await log.endOffset();
  for (let at = 0; at < end; ) {
    const entries = await log.read(at, 1_000);
    if (entries.length === 0) break;
    for (const entry of entries) out.push(...recordsOf(entry.record));
    at = (entries[entries.length - 1] as (typeof entries)[number]).offset + 1;
  }
  return out;
}

export { type WorkloadOptions, workload } from "./workload.ts";
