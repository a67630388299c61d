/**
 * A steady order load on a shard cluster and the end-of-test checks the fault tests share
 * (shard-crash.test.ts, shard-redis-restart.test.ts, shard-fencing.test.ts): every command
 * answered (an unanswered one is sent again under the same id, as the API's retry would), every
 * acknowledged order accepted
 * exactly once, every taker fill a trade of the logs, every link's receiver at its sender's last
 * seq, the live shards equal to their logs replayed, money conserved across shards (auditCluster);
 * the logs read by the fence rule (the kit's readLog: @ox/contracts shard-fence.ts), as every reader does.
 */
import { expect } from "bun:test";
import { type CommandReply, SEQ_SHARDS, shardOrdinal } from "@ox/contracts/pipeline";
import type { Command, EngineEvent } from "@ox/engine";
import { createRandom } from "@ox/engine/random";
import { MatchingShard, shardIds } from "@ox/engine/shards";
import type { ShardCluster } from "./shard-kit.ts";

export interface Load {
  /** Every command sent, by envelope id. */
  sent: Map<string, Command>;
  /** Commands whose reply did not come within replyTimeoutMs (answerAll sends them again). */
  readonly unanswered: number;
  stop(): Promise<void>;
}

export async function seed(c: ShardCluster, users: string[], markets: string[], sent: Map<string, Command>) {
  let ts = 1_000;
  const send = async (command: Command) => {
    const id = await c.send(command);
    sent.set(id, command);
    return c.reply(id, 30_000);
  };
  for (const u of users) {
    await send({ type: "CREATE_USER", userId: u, ts: ts++ });
    await send({
      type: "CREDIT",
      userId: u,
      amountPaise: 200_000,
      ref: `seed-${u}`,
      kind: "BONUS",
      ts: ts++,
    });
  }
  for (const m of markets) await send({ type: "CREATE_MARKET", marketId: m, ts: ts++ });
  return ts;
}

/** Workers placing crossing BUY YES / BUY NO (they mint), cancelling some, crediting now and then. */
export function startLoad(
  c: ShardCluster,
  options: {
    users: string[];
    markets: string[];
    workers: number;
    seed: number;
    ts: number;
    sent: Map<string, Command>;
    /** How long a worker waits for each reply before it moves on (default 3 s). */
    replyTimeoutMs?: number;
  },
): Load {
  const rnd = createRandom(options.seed);
  const { users, markets, sent } = options;
  let ts = options.ts;
  let stop = false;
  let orderN = 0;
  let unanswered = 0;
  const placed: { orderId: string; userId: string }[] = [];
  const worker = async () => {
    while (!stop) {
      const userId = users[Math.floor(rnd() * users.length)];
      const r = rnd();
      let command: Command;
      if (r < 0.1 && placed.length > 0) {
        const o = placed[Math.floor(rnd() * placed.length)];
        command = { type: "CANCEL_ORDER", userId: o.userId, orderId: o.orderId, ts: ts++ };
      } else if (r < 0.14) {
        command = {
          type: "CREDIT",
          userId,
          amountPaise: 1_000,
          ref: `top-${orderN++}`,
          kind: "BONUS",
          ts: ts++,
        };
      } else {
        const orderId = `o${orderN++}`;
        placed.push({ orderId, userId });
        command = {
          type: "PLACE_ORDER",
          orderId,
          userId,
          marketId: markets[Math.floor(rnd() * markets.length)],
          outcome: rnd() < 0.5 ? "YES" : "NO",
          side: "BUY",
          orderType: "LIMIT",
          pricePaise: 400 + 50 * Math.floor(rnd() * 5),
          qty: 1 + Math.floor(rnd() * 5),
          ts: ts++,
        };
      }
      const id = await c.send(command).catch(() => null); // Redis down: the command was never sent
      if (id === null) {
        await Bun.sleep(100);
        continue;
      }
      sent.set(id, command);
      await c.reply(id, options.replyTimeoutMs ?? 3_000).catch(() => {
        unanswered++;
      });
    }
  };
  const workers = Array.from({ length: options.workers }, () => worker());
  return {
    sent,
    get unanswered() {
      return unanswered;
    },
    async stop() {
      stop = true;
      await Promise.all(workers);
    },
  };
}

/** Sends every unanswered command again under its id until each is answered (the API's retry). */
export async function answerAll(c: ShardCluster, sent: Map<string, Command>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let missing = [...sent].filter(([id]) => !c.replies.has(id));
  const first = missing.length;
  while (missing.length > 0) {
    if (Date.now() > deadline)
      throw new Error(`${missing.length} commands never answered, e.g. ${JSON.stringify(missing[0])}`);
    for (const [id, command] of missing) await c.send(command, id).catch(() => {});
    await Bun.sleep(2_000);
    missing = missing.filter(([id]) => !c.replies.has(id));
  }
  return first;
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(200);
  }
}

/**
 * The checks; returns counts for the test's summary line. `strict` (the kill -9 test, where no
 * stale incarnation appends late) also requires each shard's event seqs to rise and to be its own
 * global seqs, and each live shard's log offset to be its log's length.
 */
export async function checkCluster(
  c: ShardCluster,
  sent: Map<string, Command>,
  users: string[],
  options: { strict?: boolean } = {},
) {
  const { totals, logs, shards } = await c.audit();
  // A repeated id got the same answer as the first time (applied once, answered alike).
  for (const list of c.replies.values())
    for (const r of list) expect({ ...r, duplicate: false }).toEqual({ ...list[0], duplicate: false });
  // Every command applied at most once per shard log; every acknowledged order accepted exactly once.
  const events: EngineEvent[] = [];
  for (const [shard, records] of logs) {
    const ids = new Set<string>();
    let lastSeq = 0;
    for (const r of records) {
      if (r.input.kind === "command") {
        expect(ids.has(r.input.envelopeId)).toBe(false);
        ids.add(r.input.envelopeId);
      }
      for (const e of r.events) {
        if (options.strict) {
          if (e.seq <= lastSeq) throw new Error(`${shard}: event seq ${e.seq} after ${lastSeq}`);
          if (e.seq % SEQ_SHARDS !== shardOrdinal(shard))
            throw new Error(`${shard}: seq ${e.seq} not global`);
          lastSeq = e.seq;
        }
        events.push(e);
      }
    }
  }
  const accepted = new Map<string, number>();
  for (const e of events)
    if (e.type === "ORDER_ACCEPTED") accepted.set(e.orderId, (accepted.get(e.orderId) ?? 0) + 1);
  const trades = new Map<string, EngineEvent>();
  for (const e of events) if (e.type === "TRADE") trades.set(`${e.marketId}#${e.seq}`, e);
  let acknowledged = 0;
  let fills = 0;
  for (const [id, command] of sent) {
    if (command.type !== "PLACE_ORDER") continue;
    const reply = c.replies.get(id)?.[0] as CommandReply;
    expect(reply).toBeDefined();
    if (reply.code !== "OK") {
      expect(accepted.get(command.orderId) ?? 0).toBe(0);
      continue;
    }
    acknowledged++;
    expect(accepted.get(command.orderId)).toBe(1);
    for (const f of reply.fills ?? []) {
      fills++;
      const t = trades.get(`${command.marketId}#${f.seq}`) as Extract<EngineEvent, { type: "TRADE" }>;
      expect(t?.takerOrderId).toBe(command.orderId);
      expect(t?.qty).toBe(f.qty);
    }
  }
  for (const n of accepted.values()) expect(n).toBe(1);
  // No envelope lost or applied twice: every link's receiver applied exactly what was sent.
  const byId = new Map(shards.map((s) => [s.id, s]));
  for (const s of shards)
    for (const [to, seq] of s.links.sent) expect(byId.get(to)?.links.received.get(s.id)).toBe(seq);
  expect(totals.inFlight).toBe(0);
  // The live shards are their logs: the same links and the same balances.
  for (const id of shardIds(c.map)) {
    const live = (await c.query(id, "stats")) as { received: Record<string, number>; logOffset: number };
    expect(live.received).toEqual(Object.fromEntries(byId.get(id)?.links.received ?? []));
    if (options.strict) expect(live.logOffset).toBe((await c.readBatches(id)).length);
  }
  for (const u of users) {
    const rs = shards.find((s) => !(s instanceof MatchingShard) && s.state.risk.users.has(u));
    const h = rs?.state.risk.users.get(u) as number;
    expect(await c.query(rs?.id as string, "account", [u])).toEqual({
      availablePaise: rs?.state.risk.available(h),
      lockedPaise: rs?.state.risk.locked(h),
    });
  }
  return { totals, logs, acknowledged, fills, trades: trades.size };
}
