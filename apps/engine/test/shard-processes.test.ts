/**
 * 2 matching × 2 risk shard processes on real Redis and Kafka (packages/engine README "Shard
 * processes"): a BUY whose cash is on one risk shard reserves there, matches on its market's shard
 * and settles at both users' risk shards; repeats are applied once; a shard killed with kill -9
 * mid-flow recovers from snapshot + its log and the flow completes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { peerEnvelopes, SEQ_SHARDS, shardOrdinal } from "@ox/contracts/pipeline";
import type { ShardMap } from "@ox/engine/shards";
import { type ShardCluster, startShardCluster } from "./shard-kit.ts";

// alice's cash on r0, bob's on r1; market mA on m0, mB on m1: every order crosses shards.
const map: ShardMap = {
  version: 7,
  matchingShards: 2,
  riskShards: 2,
  markets: { mA: 0, mB: 1 },
  users: { alice: 0, bob: 1, carol: 1 },
};
const dir = mkdtempSync(join(tmpdir(), "ox-shards-"));
let c: ShardCluster;
let ts = 1_000;
const at = () => ts++;
beforeAll(async () => {
  // Snapshots every few inputs, so restarts recover from snapshot + replay, not from the log alone.
  c = await startShardCluster({ dir, map, extraEnv: { SNAPSHOT_EVERY_COMMANDS: "5" } });
}, 120_000);
afterAll(async () => {
  await c?.close();
  if (!process.env.SHARD_KEEP) rmSync(dir, { recursive: true, force: true });
});

const run = async (command: Record<string, unknown>) =>
  c.reply(await c.send({ ts: at(), ...command } as never));
const account = (shard: string, user: string) =>
  c.query(shard, "account", [user]) as Promise<{ availablePaise: number; lockedPaise: number } | null>;
const buy = (
  orderId: string,
  userId: string,
  marketId: string,
  outcome: "YES" | "NO",
  pricePaise: number,
  qty: number,
) =>
  run({
    type: "PLACE_ORDER",
    orderId,
    userId,
    marketId,
    outcome,
    side: "BUY",
    orderType: "LIMIT",
    pricePaise,
    qty,
  });

describe("2 × 2 shard processes", () => {
  test("a cross-shard BUY reserves at its user's risk shard, matches, settles at both", async () => {
    for (const u of ["alice", "bob", "carol"]) {
      expect((await run({ type: "CREATE_USER", userId: u })).code).toBe("OK");
      expect(
        (await run({ type: "CREDIT", userId: u, amountPaise: 100_000, ref: `seed-${u}`, kind: "BONUS" }))
          .code,
      ).toBe("OK");
    }
    for (const m of ["mA", "mB"]) expect((await run({ type: "CREATE_MARKET", marketId: m })).code).toBe("OK");
    const a = await buy("o1", "alice", "mA", "YES", 600, 10);
    expect(a.code).toBe("OK");
    expect(await account("r0", "alice")).toEqual({ availablePaise: 94_000, lockedPaise: 6_000 });
    const b = await buy("o2", "bob", "mA", "NO", 400, 10);
    expect(b.code).toBe("OK");
    expect(b.fills?.map((f) => [f.kind, f.qty])).toEqual([["MINT", 10]]);
    // Seqs leave a shard global (m0's ordinal is 0), in the reply, the log and the live events.
    const tradeSeq = b.fills?.[0].seq as number;
    expect(tradeSeq % SEQ_SHARDS).toBe(shardOrdinal("m0"));
    const logged = (await c.readLog("m0")).flatMap((r) => r.events).find((e) => e.type === "TRADE");
    expect(logged?.seq).toBe(tradeSeq);
    await waitFor(
      () =>
        c.eventBatches.some((batch) => batch.events.some((e) => e.type === "TRADE" && e.seq === tradeSeq)),
      "the trade published on channels.events",
    );
    expect(
      (await c.readLog("r0"))
        .flatMap((r) => r.events)
        .every((e) => e.seq % SEQ_SHARDS === shardOrdinal("r0")),
    ).toBe(true);
    await waitFor(async () => (await account("r1", "bob"))?.lockedPaise === 0, "bob's fill settled at r1");
    await waitFor(
      async () => (await account("r0", "alice"))?.lockedPaise === 0,
      "alice's fill settled at r0",
    );
    expect((await account("r0", "alice"))?.availablePaise).toBe(94_000);
    expect((await account("r1", "bob"))?.availablePaise).toBe(96_000);
    const positions = (await c.query("m0", "positions", ["alice"])) as { marketId: string; yesQty: number }[];
    expect(positions.map((p) => [p.marketId, p.yesQty])).toEqual([["mA", 10]]);
    // A shard answers only what it owns.
    await expect(c.query("m0", "account", ["alice"])).rejects.toThrow("does not answer account");
    await waitFor(() => c.quiescent(), "quiescence");
    const { totals } = await c.audit();
    expect(totals.creditsPaise).toBe(300_000);
    expect(totals.escrowPaise).toBe(10_000);
  }, 60_000);

  test("a repeated command and a re-sent envelope are applied once", async () => {
    const id = await c.send({
      type: "CREDIT",
      userId: "carol",
      amountPaise: 5_000,
      ref: "gift-1",
      kind: "BONUS",
      ts: at(),
    });
    expect((await c.reply(id)).code).toBe("OK");
    // The same envelope again (the API retrying): the first reply again, nothing applied twice.
    await c.send(
      { type: "CREDIT", userId: "carol", amountPaise: 5_000, ref: "gift-1", kind: "BONUS", ts: at() },
      id,
    );
    await waitFor(() => (c.replies.get(id)?.length ?? 0) >= 2, "the repeat's reply");
    expect(c.replies.get(id)?.[1]).toEqual(c.replies.get(id)?.[0] as never);
    // An envelope already applied, delivered again (a transport redelivery, a sender's replay).
    const r1 = await c.readLog("r1");
    // Logged as groups (`peers`: the link, the first seq and the messages' values), not whole.
    expect(r1.some((r) => r.input.kind === "peers")).toBe(true);
    const peers = r1.flatMap((r) =>
      r.input.kind === "peer" || r.input.kind === "peers" ? peerEnvelopes(r.input, "r1") : [],
    );
    expect(r1.some((r) => r.input.kind === "message")).toBe(false);
    const settled = peers.filter((env) => env.msg.type === "FILL");
    expect(settled.length).toBeGreaterThan(0);
    const first = settled[0];
    await c.push("r1", { id: `${first.from}>${first.to}#${first.seq}`, shard: first });
    await waitFor(async () => (await c.readLog("r1")).length > r1.length, "r1 logs the repeat");
    const after = await c.readLog("r1");
    expect(after[after.length - 1].receipt).toBe("DUPLICATE");
    expect(await account("r1", "carol")).toEqual({ availablePaise: 105_000, lockedPaise: 0 });
    expect((await account("r1", "bob"))?.availablePaise).toBe(96_000);
  }, 60_000);

  test("kill -9 a risk shard with a reservation in flight, then the matching shard: both recover and the BUY completes", async () => {
    // r1 down: carol's BUY parks at m1, its RESERVE waits in r1's stream.
    await c.procs.get("r1")?.kill9();
    const id = await c.send({
      type: "PLACE_ORDER",
      orderId: "o3",
      userId: "carol",
      marketId: "mB",
      outcome: "YES",
      side: "BUY",
      orderType: "LIMIT",
      pricePaise: 500,
      qty: 4,
      ts: at(),
    });
    await Bun.sleep(500);
    expect(c.replies.get(id)).toBeUndefined();
    await c.procs.get("r1")?.start();
    expect((await c.reply(id)).code).toBe("OK");
    expect(await account("r1", "carol")).toEqual({ availablePaise: 103_000, lockedPaise: 2_000 });
    // m1 down: alice's matching SELL-side (a BUY NO) waits; m1 restarts from snapshot + log.
    await c.procs.get("m1")?.kill9();
    const id2 = await c.send({
      type: "PLACE_ORDER",
      orderId: "o4",
      userId: "alice",
      marketId: "mB",
      outcome: "NO",
      side: "BUY",
      orderType: "LIMIT",
      pricePaise: 500,
      qty: 4,
      ts: at(),
    });
    await c.procs.get("m1")?.start();
    const r = await c.reply(id2);
    expect(r.code).toBe("OK");
    expect(r.fills?.map((f) => [f.kind, f.qty, f.makerOrderId])).toEqual([["MINT", 4, "o3"]]);
    expect(await c.query("m1", "order", ["o3"])).toBeNull(); // filled: no longer open
    await waitFor(async () => (await account("r1", "carol"))?.lockedPaise === 0, "carol settled");
    expect((await account("r0", "alice"))?.availablePaise).toBe(92_000);
    await waitFor(() => c.quiescent(), "quiescence");
    const { totals, logs } = await c.audit();
    expect(totals.inFlight).toBe(0);
    expect(totals.escrowPaise).toBe(14_000);
    // Each order accepted exactly once across the logs, though m1 and r1 replayed and re-sent.
    const accepted = [...logs.values()]
      .flatMap((l) => l.flatMap((r) => r.events))
      .filter((e) => e.type === "ORDER_ACCEPTED");
    expect(accepted.map((e) => (e as { orderId: string }).orderId).sort()).toEqual(["o1", "o2", "o3", "o4"]);
    // The restarted receivers dropped what their senders re-sent.
    const restarted = (await c.query("m1", "stats")) as { received: Record<string, number> };
    expect(restarted.received.r1).toBeGreaterThan(0);
  }, 120_000);

  test("an envelope the receiver never got is sent again by its sender's recovery", async () => {
    // r1 down; carol's BUY parks at m1 and its RESERVE waits in r1's stream — then the stream is
    // lost (a Redis without persistence restarted), and m1 crashes: only m1's log still has it.
    await c.procs.get("r1")?.kill9();
    const id = await c.send({
      type: "PLACE_ORDER",
      orderId: "o5",
      userId: "carol",
      marketId: "mB",
      outcome: "YES",
      side: "BUY",
      orderType: "LIMIT",
      pricePaise: 450,
      qty: 2,
      ts: at(),
    });
    await waitFor(async () => (await c.streamLength("r1")) > 0, "the RESERVE in r1's stream");
    await c.dropStream("r1");
    await c.procs.get("m1")?.kill9();
    await c.procs.get("m1")?.start();
    expect(recovered(c.procs.get("m1")?.logFile as string).resent).toBeGreaterThan(0);
    await c.procs.get("r1")?.start();
    expect((await c.reply(id)).code).toBe("OK");
    expect(await account("r1", "carol")).toEqual({ availablePaise: 102_100, lockedPaise: 900 });
  }, 120_000);

  test("a GTD order expires by its matching shard's own EXPIRE_ORDERS; the lock returns at the user's risk shard", async () => {
    const before = await account("r0", "alice");
    const now = Date.now();
    const expiresAt = now + 800;
    const r = await run({
      type: "PLACE_ORDER",
      orderId: "g1",
      userId: "alice",
      marketId: "mB",
      outcome: "YES",
      side: "BUY",
      orderType: "LIMIT",
      pricePaise: 100,
      qty: 3,
      tif: "GTD",
      expiresAt,
      ts: now,
    });
    expect(r.code).toBe("OK");
    expect((await account("r0", "alice"))?.lockedPaise).toBe((before?.lockedPaise ?? 0) + 300);
    await waitFor(
      async () => (await account("r0", "alice"))?.lockedPaise === before?.lockedPaise,
      "the expiry",
    );
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    const expire = (await c.readLog("m1")).find(
      (x) => x.input.kind === "command" && x.input.command.type === "EXPIRE_ORDERS",
    );
    expect(expire?.events.find((e) => e.type === "ORDER_CLOSED")).toMatchObject({
      orderId: "g1",
      status: "EXPIRED",
      reason: "GTD",
    });
    expect(await account("r0", "alice")).toEqual(before);
  }, 60_000);

  test("acks keep the unacknowledged lists empty once peers have applied everything", async () => {
    await waitFor(() => c.quiescent(), "quiescence");
    await waitFor(
      async () => {
        for (const s of ["m0", "m1", "r0", "r1"]) {
          const st = (await c.query(s, "stats")) as { sent: Record<string, { unacked: number }> };
          if (Object.values(st.sent).some((l) => l.unacked > 0)) return false;
        }
        return true;
      },
      "every link acknowledged",
      10_000,
    );
    const { totals } = await c.audit();
    expect(totals.inFlight).toBe(0);
  }, 60_000);
});

/** The last "shard recovered" line of a shard's log. */
function recovered(logFile: string): { resent: number; replayed: number; snapshotOffset: number } {
  const lines = readFileSync(logFile, "utf8")
    .split("\n")
    .filter((l) => l.includes('"shard recovered"'));
  return JSON.parse(lines[lines.length - 1]);
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}
