/**
 * Issue 12's crash test: 2 matching × 2 risk shard processes under a steady order load from many
 * users (most orders cross shards), each kind killed with kill -9 several times at random moments
 * and restarted. Then: every command is answered (a command left without a reply is sent again
 * under the same id, as the API's retry would), every acknowledged order was accepted exactly once
 * in the logs, no fill is lost or doubled, every log replays to the live shard, and money is
 * conserved across the shards counting what is in flight. SHARD_CRASH_SEED replays a schedule;
 * SHARD_CRASH_LOAD_MS sets the chaos phase's length. Prints the kills survived per kind.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CommandReply, SEQ_SHARDS, shardOrdinal } from "@ox/contracts/pipeline";
import type { Command, EngineEvent } from "@ox/engine";
import { createRandom } from "@ox/engine/random";
import { MatchingShard, type ShardMap, shardIds } from "@ox/engine/shards";
import { type ShardCluster, startShardCluster } from "./shard-kit.ts";

const seed = Number(process.env.SHARD_CRASH_SEED ?? Date.now() % 100_000);
const loadMs = Number(process.env.SHARD_CRASH_LOAD_MS ?? 50_000);
const KILLS = 3; // per kind
const USERS = 16;
const WORKERS = 6;
const map: ShardMap = { version: 1, matchingShards: 2, riskShards: 2, markets: { mA: 0, mB: 1 } };
const dir = mkdtempSync(join(tmpdir(), "ox-shard-crash-"));
let c: ShardCluster | undefined;
afterAll(async () => {
  await c?.close();
  if (!process.env.SHARD_KEEP) rmSync(dir, { recursive: true, force: true });
});

test("kill -9 matching and risk shards under load: every acknowledged order exactly once, no fill lost or doubled, money conserved", async () => {
  const rnd = createRandom(seed);
  console.log(`shard crash test: seed ${seed}, load ${loadMs} ms, logs in ${dir}`);
  const cluster = await startShardCluster({
    dir,
    map,
    extraEnv: { SNAPSHOT_EVERY_COMMANDS: "300", ENGINE_BATCH_MAX: "100" },
  });
  c = cluster;
  let ts = 1_000;
  /** Every command sent, by envelope id (to send again if it is never answered). */
  const sent = new Map<string, Command>();
  const send = async (command: Command, id?: string) => {
    const envelopeId = await cluster.send(command, id);
    sent.set(envelopeId, command);
    return envelopeId;
  };
  const users = Array.from({ length: USERS }, (_, i) => `u${i}`);
  for (const u of users) {
    await cluster.reply(await send({ type: "CREATE_USER", userId: u, ts: ts++ }));
    await cluster.reply(
      await send({
        type: "CREDIT",
        userId: u,
        amountPaise: 200_000,
        ref: `seed-${u}`,
        kind: "BONUS",
        ts: ts++,
      }),
    );
  }
  for (const m of ["mA", "mB"])
    await cluster.reply(await send({ type: "CREATE_MARKET", marketId: m, ts: ts++ }));

  // Load: workers place BUY YES / BUY NO around 500 (they mint against each other), cancel some of
  // their own orders, and credit now and then; each waits a bounded time for its reply.
  let stop = false;
  let orderN = 0;
  let unanswered = 0;
  const placed: { orderId: string; userId: string }[] = [];
  const worker = async () => {
    while (!stop) {
      const userId = users[Math.floor(rnd() * USERS)];
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
          marketId: rnd() < 0.5 ? "mA" : "mB",
          outcome: rnd() < 0.5 ? "YES" : "NO",
          side: "BUY",
          orderType: "LIMIT",
          pricePaise: 400 + 50 * Math.floor(rnd() * 5),
          qty: 1 + Math.floor(rnd() * 5),
          ts: ts++,
        };
      }
      const id = await send(command);
      await cluster.reply(id, 8_000).catch(() => {
        unanswered++;
      });
    }
  };
  const workers = Array.from({ length: WORKERS }, () => worker());

  // Chaos: alternate kinds, a random shard of the kind, at a random moment, down for a random while.
  const kills: Record<"matching" | "risk", number> = { matching: 0, risk: 0 };
  const started = Date.now();
  const gap = loadMs / (2 * KILLS + 1);
  for (let i = 0; i < 2 * KILLS; i++) {
    await Bun.sleep(gap * (0.5 + rnd()));
    const kind = i % 2 === 0 ? "matching" : "risk";
    const id = `${kind === "matching" ? "m" : "r"}${Math.floor(rnd() * 2)}`;
    const proc = cluster.procs.get(id);
    if (!proc) throw new Error(`no ${id}`);
    await proc.kill9();
    await Bun.sleep(rnd() * 1_000);
    await proc.start();
    kills[kind]++;
  }
  const rest = loadMs - (Date.now() - started);
  if (rest > 0) await Bun.sleep(rest);
  stop = true;
  await Promise.all(workers);

  // Every command answered: those without a reply are sent again under the same id.
  await waitFor(() => cluster.quiescent(), "quiescence after the load", 90_000);
  const missing = [...sent].filter(([id]) => !cluster.replies.has(id));
  for (const [id, command] of missing) await cluster.send(command, id);
  for (const [id] of missing) await cluster.reply(id, 30_000);
  await waitFor(() => cluster.quiescent(), "quiescence after the retries", 60_000);

  const { totals, logs, shards } = await cluster.audit();
  // A repeated id got the same answer as the first time (applied once, answered alike).
  for (const list of cluster.replies.values())
    for (const r of list) expect(stripDuplicate(r)).toEqual(stripDuplicate(list[0]));

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
        if (e.seq <= lastSeq) throw new Error(`${shard}: event seq ${e.seq} after ${lastSeq}`);
        if (e.seq % SEQ_SHARDS !== shardOrdinal(shard)) throw new Error(`${shard}: seq ${e.seq} not global`);
        lastSeq = e.seq;
        events.push(e);
      }
    }
  }
  const accepted = new Map<string, number>();
  for (const e of events)
    if (e.type === "ORDER_ACCEPTED") accepted.set(e.orderId, (accepted.get(e.orderId) ?? 0) + 1);
  let acknowledged = 0;
  let fills = 0;
  const trades = new Map<string, EngineEvent>();
  for (const e of events) if (e.type === "TRADE") trades.set(`${e.marketId}#${e.seq}`, e);
  for (const [id, command] of sent) {
    if (command.type !== "PLACE_ORDER") continue;
    const reply = cluster.replies.get(id)?.[0] as CommandReply;
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
  for (const id of shardIds(map)) {
    const live = (await cluster.query(id, "stats")) as {
      received: Record<string, number>;
      logOffset: number;
    };
    const replayed = byId.get(id);
    expect(live.received).toEqual(Object.fromEntries(replayed?.links.received ?? []));
    expect(live.logOffset).toBe((await cluster.readBatches(id)).length);
  }
  for (const u of users) {
    const rs = shards.find((s) => !(s instanceof MatchingShard) && s.state.risk.users.has(u));
    const h = rs?.state.risk.users.get(u) as number;
    const live = await cluster.query(rs?.id as string, "account", [u]);
    expect(live).toEqual({
      availablePaise: rs?.state.risk.available(h),
      lockedPaise: rs?.state.risk.locked(h),
    });
  }
  expect(kills.matching).toBeGreaterThanOrEqual(KILLS);
  expect(kills.risk).toBeGreaterThanOrEqual(KILLS);
  expect(acknowledged).toBeGreaterThan(50);
  expect(fills).toBeGreaterThan(10);
  console.log(
    `kills survived: matching ${kills.matching}, risk ${kills.risk}; ${sent.size} commands ` +
      `(${unanswered} waited out and ${missing.length} sent again), ${acknowledged} orders accepted, ${fills} taker fills, ` +
      `${trades.size} trades; money: credits ${totals.creditsPaise} = available ${totals.availablePaise} + locked ` +
      `${totals.lockedPaise} + fees ${totals.feesPaise} + escrow ${totals.escrowPaise} (in flight ${totals.inFlightPaise})`,
  );
}, 300_000);

function stripDuplicate(r: CommandReply): CommandReply {
  return { ...r, duplicate: false };
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(200);
  }
}
