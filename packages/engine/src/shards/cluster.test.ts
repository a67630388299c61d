import { describe, expect, test } from "bun:test";
import type { Command, PlaceOrderCommand } from "../types.ts";
import { auditCluster } from "./audit.ts";
import { ShardedEngine } from "./cluster.ts";
import { MatchingShard } from "./matching-shard.ts";
import { RiskShard } from "./risk-shard.ts";
import { riskName, riskShardOf, type ShardMap } from "./shard-map.ts";
import { Links } from "./wire.ts";

/**
 * Cross-shard scenarios on two matching shards (market X on m0, Y on m1) and two risk shards
 * (alice, carol on r0; bob, dave on r1), with delivery driven by hand so each race is run in both
 * orders. SPEC §4 across shards (counting in flight) is audited after every delivery.
 */
const MAP: ShardMap = {
  version: 7,
  matchingShards: 2,
  riskShards: 2,
  markets: { X: 0, Y: 1 },
  users: { alice: 0, carol: 0, bob: 1, dave: 1 },
};

let ts = 1_000;
let ids = 0;
const buy = (
  userId: string,
  marketId: string,
  pricePaise: number,
  qty: number,
  extra: Partial<PlaceOrderCommand> = {},
): PlaceOrderCommand => ({
  type: "PLACE_ORDER",
  ts: ++ts,
  orderId: `o${++ids}`,
  userId,
  marketId,
  outcome: "YES",
  side: "BUY",
  orderType: "LIMIT",
  pricePaise,
  qty,
  ...extra,
});
const sell = (userId: string, marketId: string, pricePaise: number, qty: number): PlaceOrderCommand => ({
  ...buy(userId, marketId, pricePaise, qty),
  side: "SELL",
});

/** A settled world: users funded, X and Y open (no fees: the arithmetic stays readable). */
function world(cash: Record<string, number>, seed = 1): ShardedEngine {
  ts = 1_000;
  ids = 0;
  const c = new ShardedEngine(MAP, { seed });
  for (const [userId, paise] of Object.entries(cash)) {
    c.applyNow({ type: "CREATE_USER", ts, userId });
    if (paise > 0)
      c.applyNow({ type: "CREDIT", ts, userId, amountPaise: paise, ref: `seed-${userId}`, kind: "DEPOSIT" });
  }
  c.applyNow({ type: "CREATE_MARKET", ts, marketId: "X" });
  c.applyNow({ type: "CREATE_MARKET", ts, marketId: "Y" });
  auditCluster(c);
  return c;
}

/** Deliver everything in flight, auditing after each delivery. */
function drain(c: ShardedEngine): void {
  c.run(() => auditCluster(c));
}

describe("exactly once on a link", () => {
  test("in order applies; a repeat is a duplicate; a jump ahead is a gap, refused until its turn", () => {
    const a = new Links("m0", 1);
    const b = new Links("r0", 1);
    const e1 = a.send("r0", { type: "RELEASE", user: 0, paise: 5 });
    const e2 = a.send("r0", { type: "RELEASE", user: 0, paise: 6 });
    const e3 = a.send("r0", { type: "RELEASE", user: 0, paise: 7 });
    expect([e1.seq, e2.seq, e3.seq]).toEqual([1, 2, 3]);
    expect(b.receive(e2)).toBe("GAP");
    expect(b.receive(e1)).toBe("APPLIED");
    expect(b.receive(e1)).toBe("DUPLICATE");
    expect(b.receive(e3)).toBe("GAP");
    expect(b.receive(e2)).toBe("APPLIED");
    expect(b.receive(e3)).toBe("APPLIED");
    expect(b.receive(e2)).toBe("DUPLICATE");
    expect(b.receive({ ...e3, seq: 4, map: 2 })).toBe("WRONG_MAP");
    expect(b.receive({ ...e3, seq: 4, to: "r1" })).toBe("MISADDRESSED");
    expect(b.received.get("m0")).toBe(3);
    expect([b.duplicates, b.gaps]).toEqual([2, 2]);
    a.ack("r0", 2);
    expect(a.unacked.get("r0")?.map((e) => e.seq)).toEqual([3]);
  });

  test("a shard built under another map version refuses every envelope", () => {
    const c = world({ alice: 10_000 });
    const other = new RiskShard(0, { ...MAP, version: 8 });
    c.submit(buy("alice", "X", 500, 2));
    c.pump("m0");
    const env = c.channels.get("m0>r0")?.[0];
    expect(env).toBeDefined();
    expect(other.apply({ kind: "message", env: env as never }).receipt).toBe("WRONG_MAP");
    expect(other.state.risk.size).toBe(0);
  });
});

describe("a BUY parks at its matching shard until its risk shard answers", () => {
  test("other commands go on meanwhile; the BUY then matches against the book as it is then", () => {
    const c = world({ alice: 100_000, bob: 100_000, carol: 100_000 });
    c.applyNow(buy("carol", "X", 400, 10)); // carol and bob mint 10 pairs
    c.applyNow({ ...buy("bob", "X", 600, 10), outcome: "NO" });
    const parked = c.submit(buy("alice", "X", 500, 4));
    c.pump("m0");
    expect(c.results[parked]).toBeUndefined();
    expect(c.matching[0].parked.size).toBe(1);
    // Meanwhile carol offers 4 YES at 450 and a cancel of an unknown (the parked) order is refused.
    const offer = c.submit(sell("carol", "X", 450, 4));
    c.pump("m0");
    expect(c.results[offer]?.code).toBe("OK");
    const cancel = c.submit({ type: "CANCEL_ORDER", ts: ++ts, userId: "alice", orderId: `o${ids - 1}` });
    c.pump("m0");
    expect(c.results[cancel]?.code).toBe("UNKNOWN_ORDER");
    auditCluster(c);
    c.pass("m0", "r0"); // RESERVE at alice's risk shard: 4 × 500 locked
    expect(c.account("alice")).toEqual({ availablePaise: 98_000, lockedPaise: 2_000 });
    auditCluster(c);
    c.pass("r0", "m0"); // the answer: alice takes carol's offer at 450
    const r = c.results[parked];
    expect(r?.code).toBe("OK");
    expect(r?.events.filter((e) => e.type === "TRADE").map((e) => (e as { qty: number }).qty)).toEqual([4]);
    drain(c);
    expect(c.account("alice")).toEqual({ availablePaise: 100_000 - 4 * 450, lockedPaise: 0 });
    expect(c.account("carol")?.availablePaise).toBe(100_000 - 4_000 + 4 * 450);
  });

  test("a repeat of the parked order's clientOrderId is a duplicate, not a second order", () => {
    const c = world({ alice: 100_000 });
    const first = c.submit(buy("alice", "X", 500, 2, { clientOrderId: "k1" }));
    c.pump("m0");
    const again = c.submit(buy("alice", "X", 500, 2, { clientOrderId: "k1" }));
    c.pump("m0");
    expect(c.results[again]).toMatchObject({ code: "OK", duplicate: true, events: [] });
    drain(c);
    expect(c.results[first]?.code).toBe("OK");
    expect(c.account("alice")).toEqual({ availablePaise: 99_000, lockedPaise: 1_000 });
  });

  test("a market resolved while a BUY is parked: the answer finds it closed and the grant goes back", () => {
    const c = world({ alice: 100_000 });
    const parked = c.submit(buy("alice", "X", 500, 2));
    c.pump("m0");
    c.pass("m0", "r0");
    expect(c.account("alice")?.lockedPaise).toBe(1_000);
    c.submit({ type: "RESOLVE_MARKET", ts: ++ts, marketId: "X", outcome: "NO" });
    c.pump("m0");
    c.pass("r0", "m0");
    expect(c.results[parked]?.code).toBe("MARKET_CLOSED");
    auditCluster(c); // the RELEASE is in flight and counted
    drain(c);
    expect(c.account("alice")).toEqual({ availablePaise: 100_000, lockedPaise: 0 });
  });
});

describe("cross-shard scenarios", () => {
  test("cash that suffices only after a fill on the other shard credits it", () => {
    // alice (r0) holds 10 YES of X (m0); she sells them to bob and buys on Y (m1) with the proceeds.
    const c = world({ alice: 4_000, bob: 100_000, dave: 100_000 });
    c.applyNow(buy("alice", "X", 400, 10));
    c.applyNow({ ...buy("dave", "X", 600, 10), outcome: "NO" });
    expect(c.account("alice")).toEqual({ availablePaise: 0, lockedPaise: 0 });
    c.applyNow(buy("bob", "X", 700, 10)); // bob bids 700 for YES
    // alice sells into bob's bid on m0: her FILL (+7 000) is in flight to r0 ...
    const sale = c.submit(sell("alice", "X", 700, 10));
    c.pump("m0");
    expect(c.results[sale]?.code).toBe("OK");
    expect(c.inFlight().some((e) => e.to === "r0" && e.msg.type === "FILL")).toBe(true);
    auditCluster(c);
    // ... so a BUY on Y that needs it is refused while it is ...
    const early = c.submit(buy("alice", "Y", 500, 10));
    c.pump("m1");
    c.pass("m1", "r0");
    c.pass("r0", "m1");
    expect(c.results[early]?.code).toBe("INSUFFICIENT_FUNDS");
    // ... and accepted once r0 has applied it.
    c.pass("m0", "r0");
    expect(c.account("alice")?.availablePaise).toBe(7_000);
    const late = c.submit(buy("alice", "Y", 500, 10));
    drain(c);
    expect(c.results[late]?.code).toBe("OK");
    expect(c.account("alice")).toEqual({ availablePaise: 2_000, lockedPaise: 5_000 });
  });

  test("two orders on two shards racing for the last rupee: exactly one is accepted, in either order", () => {
    for (const first of ["m0", "m1"] as const) {
      const c = world({ alice: 5_000 });
      const onX = c.submit(buy("alice", "X", 500, 10));
      const onY = c.submit(buy("alice", "Y", 500, 10));
      c.pump("m0");
      c.pump("m1");
      expect(c.account("alice")?.lockedPaise).toBe(0);
      const second = first === "m0" ? "m1" : "m0";
      c.pass(first, "r0");
      c.pass(second, "r0");
      auditCluster(c);
      drain(c);
      const codes = [c.results[onX]?.code, c.results[onY]?.code];
      expect(codes).toEqual(first === "m0" ? ["OK", "INSUFFICIENT_FUNDS"] : ["INSUFFICIENT_FUNDS", "OK"]);
      expect(c.account("alice")).toEqual({ availablePaise: 0, lockedPaise: 5_000 });
    }
    // And under a hundred seeded interleavings of the whole thing.
    for (let seed = 1; seed <= 100; seed++) {
      const c = world({ alice: 5_000 }, seed);
      const a = c.submit(buy("alice", "X", 500, 10));
      const b = c.submit(buy("alice", "Y", 500, 10));
      drain(c);
      expect([c.results[a]?.code, c.results[b]?.code].filter((x) => x === "OK")).toHaveLength(1);
    }
  });

  test("resolution on one shard pays cash an order on another shard spends", () => {
    const c = world({ alice: 4_000, dave: 6_000 });
    c.applyNow(buy("alice", "X", 400, 10));
    c.applyNow({ ...buy("dave", "X", 600, 10), outcome: "NO" });
    expect(c.account("alice")?.availablePaise).toBe(0);
    c.submit({ type: "RESOLVE_MARKET", ts: ++ts, marketId: "X", outcome: "YES" });
    c.pump("m0");
    expect(c.inFlight().map((e) => [e.to, e.msg.type])).toEqual([["r0", "PAYOUT"]]);
    auditCluster(c); // 10 000 of escrow is in flight, not lost
    c.pass("m0", "r0");
    const order = c.submit(buy("alice", "Y", 500, 20));
    drain(c);
    expect(c.results[order]?.code).toBe("OK");
    expect(c.account("alice")).toEqual({ availablePaise: 0, lockedPaise: 10_000 });
  });

  test("a withdrawal racing an order: whichever the risk shard applies first wins", () => {
    for (const debitFirst of [true, false]) {
      const c = world({ bob: 5_000 });
      const order = c.submit(buy("bob", "Y", 500, 10));
      c.pump("m1");
      const debit = c.submit({ type: "DEBIT", ts: ++ts, userId: "bob", amountPaise: 5_000, ref: "w1" });
      if (debitFirst) {
        c.pump("r1");
        c.pass("m1", "r1");
      } else {
        c.pass("m1", "r1");
        c.pump("r1");
      }
      drain(c);
      expect([c.results[order]?.code, c.results[debit]?.code]).toEqual(
        debitFirst ? ["INSUFFICIENT_FUNDS", "OK"] : ["OK", "INSUFFICIENT_FUNDS"],
      );
      expect(c.account("bob")).toEqual(
        debitFirst ? { availablePaise: 0, lockedPaise: 0 } : { availablePaise: 0, lockedPaise: 5_000 },
      );
    }
  });
});

describe("cancel-all without a market fans out to every matching shard", () => {
  test("route refuses it, routeAll names every matching shard, the join is the single engine's order", () => {
    const c = world({ alice: 100_000, bob: 100_000 });
    expect(() => c.route({ type: "CANCEL_ALL", ts, userId: "alice" })).toThrow(/routeAll/);
    expect(c.routeAll({ type: "CANCEL_ALL", ts, userId: "alice" })).toEqual(["m0", "m1"]);
    expect(c.routeAll({ type: "CANCEL_ALL", ts, userId: "alice", marketId: "Y" })).toEqual(["m1"]);
    for (const cmd of [buy("alice", "Y", 300, 2), buy("alice", "X", 400, 1), buy("bob", "X", 300, 1)])
      expect(c.applyNow(cmd).code).toBe("OK");
    expect(c.account("alice")).toEqual({ availablePaise: 99_000, lockedPaise: 1_000 });
    const r = c.applyNow({ type: "CANCEL_ALL", ts: ++ts, userId: "alice" });
    expect(r.code).toBe("OK");
    expect(r.events.map((e) => [e.type, "marketId" in e ? e.marketId : ""])).toEqual([
      ["ORDER_CLOSED", "X"],
      ["BOOK_DELTA", "X"],
      ["ORDER_CLOSED", "Y"],
      ["BOOK_DELTA", "Y"],
      ["POSITION", "X"],
      ["POSITION", "Y"],
    ]);
    expect(c.account("alice")).toEqual({ availablePaise: 100_000, lockedPaise: 0 });
    expect(c.account("bob")).toEqual({ availablePaise: 99_700, lockedPaise: 300 });
    auditCluster(c);
    expect(c.applyNow({ type: "CANCEL_ALL", ts: ++ts, userId: "alice" })).toEqual({ code: "OK", events: [] });
  });

  test("submitted: it completes when the last shard answers; a shard without the user yet says USER_NOT_FOUND, the join OK", () => {
    const c = world({ alice: 100_000 });
    c.applyNow(buy("alice", "X", 400, 1));
    const i = c.submit({ type: "CANCEL_ALL", ts: ++ts, userId: "alice" });
    c.pump("m1");
    expect(c.results[i]).toBeUndefined();
    c.pump("m0");
    expect(c.results[i]?.code).toBe("OK");
    expect(
      c.parts
        .get(i)
        ?.get("m0")
        ?.events.filter((e) => e.type === "ORDER_CLOSED"),
    ).toHaveLength(1);
    expect(c.parts.get(i)?.get("m1")?.events).toEqual([]);
    expect(c.account("alice")).toEqual({ availablePaise: 99_600, lockedPaise: 400 }); // RELEASE in flight
    c.flush();
    expect(c.account("alice")).toEqual({ availablePaise: 100_000, lockedPaise: 0 });
    auditCluster(c);

    // Eve's USER has reached m0 but not yet m1.
    const home = riskName(riskShardOf(MAP, "eve"));
    c.submit({ type: "CREATE_USER", ts: ++ts, userId: "eve" });
    c.pump(home);
    c.pass(home, "m0");
    const j = c.submit({ type: "CANCEL_ALL", ts: ++ts, userId: "eve" });
    c.pump("m0");
    c.pump("m1");
    expect(c.parts.get(j)?.get("m0")?.code).toBe("OK");
    expect(c.parts.get(j)?.get("m1")?.code).toBe("USER_NOT_FOUND");
    expect(c.results[j]).toEqual({ code: "OK", events: [] });
    c.flush();
    auditCluster(c);
  });
});

describe("GTD expiry and STP across shards", () => {
  test("EXPIRE_ORDERS reaches every matching shard: due GTD orders on both close, locks return at each risk shard", () => {
    const c = world({ alice: 10_000, bob: 10_000 });
    const gx = c.applyNow(buy("alice", "X", 400, 5, { tif: "GTD", expiresAt: ts + 50 }));
    const gy = c.applyNow(buy("bob", "Y", 300, 4, { tif: "GTD", expiresAt: ts + 50 }));
    const later = c.applyNow(buy("bob", "X", 200, 1, { tif: "GTD", expiresAt: ts + 500 }));
    expect([gx.code, gy.code, later.code]).toEqual(["OK", "OK", "OK"]);
    expect(c.account("alice")).toEqual({ availablePaise: 8_000, lockedPaise: 2_000 });
    expect(c.applyNow({ type: "EXPIRE_ORDERS", ts: ts + 10 }).events).toHaveLength(0);
    const r = c.applyNow({ type: "EXPIRE_ORDERS", ts: ts + 60 });
    const closed = r.events.filter((e) => e.type === "ORDER_CLOSED");
    expect(closed.map((e): unknown[] => [e.orderId, e.status, e.reason])).toEqual([
      [gx.order?.orderId, "EXPIRED", "GTD"],
      [gy.order?.orderId, "EXPIRED", "GTD"],
    ]);
    auditCluster(c);
    expect(c.account("alice")).toEqual({ availablePaise: 10_000, lockedPaise: 0 });
    expect(c.account("bob")).toEqual({ availablePaise: 9_800, lockedPaise: 200 });
    expect(c.book("X")?.yes).toEqual([{ pricePaise: 200, qty: 1 }]);
    expect(c.book("Y")?.yes).toEqual([]);
  });

  test("a parked CANCEL_TAKER BUY meets its owner's resting SELL: the taker is cancelled, the SELL rests", () => {
    const c = world({ alice: 10_000, bob: 10_000 });
    c.applyNow(buy("alice", "X", 500, 2));
    c.applyNow({ ...buy("bob", "X", 500, 2, { outcome: "NO" }) });
    // alice holds 2 YES now; she offers them and then bids across her own offer.
    c.applyNow(sell("alice", "X", 600, 2));
    const r = c.applyNow(buy("alice", "X", 600, 1, { stp: "CANCEL_TAKER" }));
    const closed = r.events.filter((e) => e.type === "ORDER_CLOSED");
    expect(closed.map((e): unknown[] => [e.orderId, e.status, e.reason, e.cancelledQty])).toEqual([
      [r.order?.orderId, "CANCELLED", "SELF_TRADE", 1],
    ]);
    expect(c.book("X")?.no).toEqual([{ pricePaise: 400, qty: 2 }]);
    auditCluster(c);
    expect(c.account("alice")).toEqual({ availablePaise: 9_000, lockedPaise: 0 });
  });
});

describe("snapshot and restore per shard", () => {
  /**
   * A busy seeded run: four users trading both markets, some withdrawals, a resolution, GTD orders
   * and EXPIRE_ORDERS (to both matching shards), takers with stp CANCEL_TAKER.
   */
  function busy(seed: number): { c: ShardedEngine; cmds: Command[] } {
    const c = world({ alice: 200_000, bob: 200_000, carol: 200_000, dave: 200_000 }, seed);
    const users = ["alice", "bob", "carol", "dave"];
    const cmds: Command[] = [];
    const lastOf = new Map<string, PlaceOrderCommand>();
    for (let i = 0; i < 240; i++) {
      const u = users[i % 4];
      const m = i % 3 === 0 ? "Y" : "X";
      const p = 300 + 50 * ((i * 7) % 9);
      const mine = lastOf.get(u);
      if (i === 200) cmds.push({ type: "RESOLVE_MARKET", ts: ++ts, marketId: "Y", outcome: "VOID" });
      else if (i % 13 === 6) cmds.push({ type: "EXPIRE_ORDERS", ts: ++ts });
      else if (i % 11 === 3 && mine !== undefined) {
        // Amend the user's last order: up or down a tick and a new size (some park for cash).
        const price = (mine.pricePaise as number) + (i % 2 === 0 ? 50 : -50);
        cmds.push({ type: "AMEND_ORDER", ts: ++ts, userId: u, orderId: mine.orderId, pricePaise: price });
        cmds.push({
          type: "AMEND_ORDER",
          ts: ++ts,
          userId: u,
          orderId: mine.orderId,
          remainingQty: 1 + (i % 9),
        });
      } else if (i % 10 === 7)
        cmds.push(buy(u, m, p, 1 + (i % 5), { tif: "GTD", expiresAt: ts + 1 + 9 * (i % 4) }));
      else if (i % 7 === 2) cmds.push(buy(u, m, 1000 - p, 2, { outcome: "NO", stp: "CANCEL_TAKER" }));
      else if (i % 17 === 0)
        cmds.push({ type: "DEBIT", ts: ++ts, userId: u, amountPaise: 3_000, ref: `d${i}` });
      else if (i % 5 === 4) cmds.push({ ...buy(u, m, 1000 - p, 1 + (i % 6)), outcome: "NO" });
      else cmds.push(buy(u, m, p, 1 + (i % 7)));
      const last = cmds[cmds.length - 1];
      if (last.type === "PLACE_ORDER") lastOf.set(u, last);
    }
    for (const cmd of cmds) c.submit(cmd);
    return { c, cmds };
  }

  test("restore from a mid-stream snapshot + replay of the shard's input = the live shard", () => {
    for (const seed of [3, 4, 5]) {
      const { c } = busy(seed);
      const snaps = new Map<string, { bytes: Uint8Array; at: number }>();
      let n = 0;
      c.run(() => {
        auditCluster(c);
        if (++n === 150)
          for (const s of c.shards())
            snaps.set(s.id, { bytes: s.snapshot(), at: (c.inputs.get(s.id) ?? []).length });
      });
      expect(snaps.size).toBe(4);
      for (const s of c.shards()) {
        const { bytes, at } = snaps.get(s.id) as { bytes: Uint8Array; at: number };
        const restored =
          s instanceof MatchingShard ? MatchingShard.restore(bytes, MAP) : RiskShard.restore(bytes, MAP);
        for (const input of (c.inputs.get(s.id) ?? []).slice(at)) restored.apply(input);
        // Acknowledgements are the receivers' to give (what they applied), not in this shard's input.
        for (const to of restored.links.unacked.keys())
          restored.links.ack(to, c.shard(to).links.received.get(s.id) ?? 0);
        const got = new TextDecoder().decode(restored.snapshot());
        const want = new TextDecoder().decode(s.snapshot());
        expect(got).toBe(want);
      }
    }
  });

  test("a shard restarted mid-stream from an old snapshot re-sends; receivers drop the repeats; money conserved", () => {
    for (const seed of [6, 7, 8, 9]) {
      const { c } = busy(seed);
      const live = busy(seed).c;
      live.run();
      let n = 0;
      let snap: { id: string; bytes: Uint8Array; at: number } | null = null;
      c.run(() => {
        n++;
        const victim = c.shards()[seed % 4];
        if (n === 60)
          snap = { id: victim.id, bytes: victim.snapshot(), at: (c.inputs.get(victim.id) ?? []).length };
        if (n === 160 && snap !== null) {
          // kill -9 and restart: the snapshot, then the shard's own input log since, then re-send.
          const restored =
            victim instanceof MatchingShard
              ? MatchingShard.restore(snap.bytes, MAP)
              : RiskShard.restore(snap.bytes, MAP);
          const log = c.inputs.get(victim.id) ?? [];
          for (const input of log.slice(snap.at)) restored.apply(input);
          restored.links.drain();
          restored.links.resendUnacked();
          c.replace(restored);
          c.collect(restored);
        }
        auditCluster(c);
      });
      expect(n).toBeGreaterThan(160);
      const dups = c.shards().reduce((sum, s) => sum + s.links.duplicates, 0);
      expect(dups).toBeGreaterThan(0);
      // Re-sends are delivered (and dropped) outside the seeded choices, so the run went on exactly
      // as the one without the restart: every shard ends in the same state.
      for (const sh of c.shards())
        expect(new TextDecoder().decode(sh.snapshot())).toBe(
          new TextDecoder().decode(live.shard(sh.id).snapshot()),
        );
      const t = auditCluster(c);
      expect(t.inFlight).toBe(0);
    }
  });
});

describe("AMEND_ORDER across shards", () => {
  const amend = (userId: string, orderId: string, change: { pricePaise?: number; remainingQty?: number }) =>
    ({ type: "AMEND_ORDER", ts: ++ts, userId, orderId, ...change }) as Command;

  test("an amend needing more cash parks; other commands go on; the grant moves the lock exactly", () => {
    const c = world({ alice: 100_000, carol: 100_000 });
    const order = buy("alice", "X", 500, 4);
    c.applyNow(order);
    expect(c.account("alice")).toEqual({ availablePaise: 98_000, lockedPaise: 2_000 });
    const up = c.submit(amend("alice", order.orderId, { pricePaise: 600 }));
    c.pump("m0");
    expect(c.results[up]).toBeUndefined();
    expect(c.matching[0].parked.size).toBe(1);
    // Meanwhile the order still rests as it was: a decrease of it applies at once (no cash needed).
    const down = c.submit(amend("alice", order.orderId, { remainingQty: 3 }));
    c.pump("m0");
    expect(c.results[down]?.code).toBe("OK");
    auditCluster(c);
    c.pass("m0", "r0"); // RESERVE of 4 × 100 (sent when it parked), then the decrease's RELEASE of 500
    c.pass("m0", "r0");
    auditCluster(c);
    c.pass("r0", "m0"); // granted 400; needed now 3 × 600 − 3 × 500 = 300: 100 goes back
    const r = c.results[up];
    expect(r?.code).toBe("OK");
    const ev = r?.events.find((e) => e.type === "ORDER_AMENDED");
    expect(ev).toMatchObject({ pricePaise: 600, remainingQty: 3, lockedPaise: 1_800, priorityKept: false });
    drain(c);
    expect(c.account("alice")).toEqual({ availablePaise: 98_200, lockedPaise: 1_800 });
  });

  test("the order fills while its amend is parked: the grant no longer covers it and goes back", () => {
    const c = world({ alice: 100_000, bob: 100_000 });
    const order = buy("alice", "X", 500, 4);
    c.applyNow(order);
    const up = c.submit(amend("alice", order.orderId, { pricePaise: 550 }));
    c.pump("m0"); // parked: RESERVE of 4 × 50 to r0
    const taker = c.submit({ ...buy("bob", "X", 500, 2), outcome: "NO" });
    c.pump("m0"); // bob's BUY parks too (RESERVE to r1)
    c.pass("m0", "r1");
    c.pass("r1", "m0"); // bob mints 2 with alice: her remaining 2, lock 1 000
    expect(c.results[taker]?.code).toBe("OK");
    c.pass("m0", "r0");
    c.pass("r0", "m0"); // granted 200, but 2 × 550 − 2 × 500 = 100 ... covered: applied
    expect(c.results[up]?.code).toBe("OK");
    drain(c);
    expect(c.account("alice")).toEqual({ availablePaise: 100_000 - 1_000 - 1_100, lockedPaise: 1_100 });
  });

  test("a grant sized before fills that raised what the amend needs is refused and handed back", () => {
    const c = world({ alice: 100_000, bob: 100_000 });
    const order = buy("alice", "X", 500, 4);
    c.applyNow(order);
    // New remaining 4 at 550: 2 200 locked instead of 2 000, RESERVE of 200 parks.
    const up = c.submit(amend("alice", order.orderId, { pricePaise: 550, remainingQty: 4 }));
    c.pump("m0");
    const taker = c.submit({ ...buy("bob", "X", 500, 3), outcome: "NO" });
    c.pump("m0");
    c.pass("m0", "r1");
    c.pass("r1", "m0"); // alice's remaining 1, lock 500: the amend now needs 2 200 − 500 = 1 700
    expect(c.results[taker]?.code).toBe("OK");
    c.pass("m0", "r0");
    auditCluster(c);
    c.pass("r0", "m0");
    expect(c.results[up]).toMatchObject({ code: "INSUFFICIENT_FUNDS", events: [] });
    expect(c.results[up]?.order).toMatchObject({ pricePaise: 500, remainingQty: 1 });
    drain(c);
    expect(c.account("alice")).toEqual({ availablePaise: 100_000 - 1_500 - 500, lockedPaise: 500 });
  });

  test("an amend of a parked BUY is UNKNOWN_ORDER; a repeat of a parked amend's clientAmendId is a duplicate", () => {
    const c = world({ alice: 100_000 });
    const order = buy("alice", "X", 500, 2);
    const placed = c.submit(order);
    c.pump("m0");
    const early = c.submit(amend("alice", order.orderId, { remainingQty: 1 }));
    c.pump("m0");
    expect(c.results[early]?.code).toBe("UNKNOWN_ORDER");
    drain(c);
    expect(c.results[placed]?.code).toBe("OK");
    const first = c.submit({
      ...amend("alice", order.orderId, { pricePaise: 600 }),
      clientAmendId: "a1",
    } as Command);
    c.pump("m0");
    const again = c.submit({
      ...amend("alice", order.orderId, { pricePaise: 600 }),
      clientAmendId: "a1",
    } as Command);
    c.pump("m0");
    expect(c.results[again]).toMatchObject({ code: "OK", duplicate: true, events: [] });
    drain(c);
    expect(c.results[first]?.code).toBe("OK");
    expect(c.account("alice")).toEqual({ availablePaise: 100_000 - 1_200, lockedPaise: 1_200 });
    const later = c.applyNow({
      ...amend("alice", order.orderId, { pricePaise: 600 }),
      clientAmendId: "a1",
    } as Command);
    expect(later).toMatchObject({ code: "OK", duplicate: true, events: [] });
  });
});
