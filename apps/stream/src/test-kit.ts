/** Test helpers: a real engine whose applied commands are published on channels.events. */
import type { PubSub } from "@ox/bus";
import { channels, type EventBatch } from "@ox/contracts/pipeline";
import { type BookView, type Command, createEngine, type Engine } from "@ox/engine";
import { SignJWT } from "jose";
import pino from "pino";
import { io as connect, type Socket } from "socket.io-client";
import type { StreamEngineReader } from "./server.ts";

export const SECRET = "stream-test-secret-stream-test-secret!!";
export const quiet = pino({ level: "silent" });

/** `lagBooks` answers with the book as it was that many batches ago (a lagging projection). */
export function engineReaderOf(
  engine: Engine,
  lag?: { history: BookView[]; lagBooks: number; delayMs: number },
): StreamEngineReader {
  return {
    book: async (marketId) => {
      if (!lag) return engine.book(marketId) ?? null;
      const view =
        lag.history[Math.max(0, lag.history.length - 1 - lag.lagBooks)] ?? engine.book(marketId) ?? null;
      await new Promise((r) => setTimeout(r, lag.delayMs));
      return view;
    },
    market: async (marketId) => engine.market(marketId) ?? null,
  };
}

/**
 * `publishDelayMs` makes the engine (and so the reader) run ahead of the events channel;
 * `history` keeps every book so a lagging reader can be simulated.
 */
/** A command before the edge stamps its time. */
export type Untimed = Command extends infer C ? (C extends Command ? Omit<C, "ts"> : never) : never;

export function createDriver(
  pubsub: PubSub<unknown>,
  options: { publishDelayMs?: number; channel?: string } = {},
) {
  const channel = options.channel ?? channels.events;
  const engine = createEngine();
  const history: BookView[] = [];
  let ts = 1_000;
  let offset = 0;
  let chain = Promise.resolve();
  return {
    engine,
    history,
    async run(...commands: Untimed[]) {
      const events = commands.flatMap((c) => engine.apply({ ...c, ts: ts++ } as Command).events);
      const book = engine.book("m1");
      if (book) history.push(book);
      const batch: EventBatch = { fromOffset: offset, records: commands.length, events };
      offset += commands.length;
      const delay = options.publishDelayMs ?? 0;
      if (delay === 0) await pubsub.publish(channel, batch);
      else
        chain = chain
          .then(() => new Promise((r) => setTimeout(r, delay)))
          .then(() => pubsub.publish(channel, batch));
      return events;
    },
    flushed: () => chain,
  };
}

export async function setupMarket(
  run: ReturnType<typeof createDriver>["run"],
  marketId: string,
  users: string[],
) {
  await run({ type: "CREATE_MARKET", marketId });
  for (const userId of users) {
    await run(
      { type: "CREATE_USER", userId },
      { type: "CREDIT", userId, amountPaise: 10_000_000, ref: `c-${userId}`, kind: "DEPOSIT" },
    );
  }
}

export const token = (userId: string, secret = SECRET) =>
  new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(secret));

export interface Recorder {
  socket: Socket;
  got: Array<[string, any]>;
  of(name: string): any[];
}

export async function client(port: number, cookie?: string): Promise<Recorder> {
  const socket = connect(`http://127.0.0.1:${port}`, {
    transports: ["websocket"],
    extraHeaders: cookie ? { cookie } : undefined,
    reconnection: false,
  });
  const got: Array<[string, any]> = [];
  socket.onAny((name, payload) => got.push([name, payload]));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return { socket, got, of: (name) => got.filter(([n]) => n === name).map(([, p]) => p) };
}

export const subscribe = (c: Recorder, marketId: string) =>
  c.socket.timeout(5_000).emitWithAck("subscribe", { marketId }) as Promise<{
    ok?: boolean;
    seq?: number;
    error?: unknown;
  }>;

/** Snapshot + deltas → the book, failing on any seq gap. */
export function replayBook(c: Recorder, marketId: string) {
  const snaps = c.of("book").filter((b) => b.marketId === marketId);
  const snap = snaps.at(-1);
  if (!snap) throw new Error("no snapshot");
  const levels = { YES: new Map<number, number>(), NO: new Map<number, number>() };
  for (const l of snap.yes) levels.YES.set(l.pricePaise, l.qty);
  for (const l of snap.no) levels.NO.set(l.pricePaise, l.qty);
  let seq = snap.seq;
  const start = c.got.findIndex(([, p]) => p === snap);
  for (const [name, d] of c.got.slice(start + 1)) {
    if (name !== "book:delta" || d.marketId !== marketId) continue;
    if (d.seq !== seq + 1) throw new Error(`gap: expected ${seq + 1}, got ${d.seq}`);
    seq = d.seq;
    const side = levels[d.outcome as "YES" | "NO"];
    if (d.qty === 0) side.delete(d.pricePaise);
    else side.set(d.pricePaise, d.qty);
  }
  const sorted = (m: Map<number, number>) =>
    [...m].sort((a, b) => b[0] - a[0]).map(([price, qty]) => ({ price, qty }));
  return { seq, yes: sorted(levels.YES), no: sorted(levels.NO) };
}

export async function until(check: () => boolean, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
