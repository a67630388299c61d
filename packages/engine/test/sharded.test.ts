import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createEngine } from "../src/engine.ts";
import { auditCluster } from "../src/shards/audit.ts";
import { ShardedEngine } from "../src/shards/cluster.ts";
import { matchingName, matchingShardOf } from "../src/shards/shard-map.ts";
import type { EngineEvent } from "../src/types.ts";
import { setupCommands, steps, USERS } from "./gen.ts";
import { matchingEvents, placement, replayMatchingShard, shardedStream, UNLIMITED } from "./sharded.ts";

/**
 * The sharded engine against the single engine (README "Proof"): N matching × M risk shards in one
 * process, N, M in 1..3, random placements of markets and users, fast-check streams with shrinking.
 *
 * 1. Settled delivery (every command's messages delivered before the next command): the shards
 *    are the single engine — same code for every command, same events but BALANCE, same balances
 *    and positions.
 * 2. Seeded interleavings with duplicate and out-of-order deliveries: SPEC §4 across all shards
 *    after every delivery, counting in flight; then per matching shard the single engine fed that
 *    shard's input in the order the shard acted on it gives the same events and codes, and each
 *    user's final cash is what the shards' trading says plus what risk accepted of CREDIT/DEBIT.
 */

const SEED = Number(process.env.ENGINE_FUZZ_SEED ?? 20_261_201);
const RUNS = Number(process.env.ENGINE_SHARD_RUNS ?? 120);
const SETUP = setupCommands().length;
/** Events grouped by market, each market's in order. */
const byMarket = (events: unknown[]) => {
  const out: Record<string, unknown[]> = {};
  for (const e of events) {
    const m = (e as { marketId?: string }).marketId ?? "";
    if (out[m] === undefined) out[m] = [];
    out[m].push(e);
  }
  return out;
};
const options = { seed: SEED, numRuns: RUNS, includeErrorInReport: true, endOnFailure: true };

describe("sharded engine vs single engine (fast-check, seeded, shrinking)", () => {
  test("settled delivery: every command's code and events, final cash and holdings equal", () => {
    let commands = 0;
    fc.assert(
      fc.property(placement, steps(200), (map, input) => {
        const cmds = shardedStream(input, true);
        const single = createEngine();
        const sharded = new ShardedEngine(map, { record: false });
        for (const cmd of cmds) {
          const a = single.apply(cmd);
          const b = sharded.applyNow(cmd);
          expect({ code: b.code, duplicate: b.duplicate === true }).toEqual({
            code: a.code,
            duplicate: a.duplicate === true,
          });
          // EXPIRE_ORDERS runs on every shard: per market the same events, markets interleaved by shard.
          if (cmd?.type === "EXPIRE_ORDERS")
            expect(byMarket(matchingEvents(b.events))).toEqual(byMarket(matchingEvents(a.events)));
          else expect(matchingEvents(b.events)).toEqual(matchingEvents(a.events));
          auditCluster(sharded);
          commands++;
        }
        for (const u of USERS) {
          expect(sharded.account(u)).toEqual(single.account(u));
          expect(sharded.positions(u)).toEqual(
            single.positions(u).sort((x, y) => (x.marketId < y.marketId ? -1 : 1)),
          );
        }
        for (const m of single.markets()) expect(sharded.market(m.marketId)).toEqual(m);
        expect(sharded.inFlight()).toHaveLength(0);
      }),
      options,
    );
    console.log(`[fuzz] sharded settled: ${commands} commands (seed ${SEED})`);
  }, 600_000);

  test("seeded interleavings with duplicates and gaps: SPEC §4 after every delivery; each shard = the single engine on its accepted order", () => {
    let commands = 0;
    let deliveries = 0;
    let faults = 0;
    let groups = 0;
    let refused = 0;
    fc.assert(
      fc.property(placement, steps(200), fc.integer(), (map, input, seed) => {
        const cmds = shardedStream(input, false);
        const c = new ShardedEngine(map, { seed, faults: true });
        // The fixed opening (users, credits, markets) settles first, so the streams trade.
        for (const [i, cmd] of cmds.entries()) {
          if (i < SETUP) c.applyNow(cmd);
          else c.submit(cmd);
        }
        deliveries += c.run(() => auditCluster(c));
        faults += c.faultsInjected;
        groups += c.groupsDelivered;
        commands += cmds.length;
        expect(c.inFlight()).toHaveLength(0);
        for (let i = 0; i < cmds.length; i++) expect(c.results[i]).toBeDefined();
        for (const s of c.shards()) for (const q of s.links.unacked.values()) expect(q).toHaveLength(0);

        // Per matching shard: the single engine on the order the shard acted in.
        const replays = c.matching.map((_, k) => replayMatchingShard(c, k, cmds));
        replays.forEach((r, k) => {
          expect(matchingEvents(c.events.get(matchingName(k)) ?? [])).toEqual(matchingEvents(r.events));
          // A fanned-out CANCEL_ALL: this shard's own answer (the settled test checks the join).
          const id = matchingName(k);
          for (const [index, code] of r.codes)
            expect((c.parts.get(index)?.get(id) ?? c.results[index])?.code).toBe(code as never);
        });
        refused += c.results.filter((r) => r?.code === "INSUFFICIENT_FUNDS").length;

        // Cash: what risk accepted of CREDIT/DEBIT plus each shard's trading, locks where orders rest.
        const moved = new Map<string, number>();
        for (const rs of c.risk)
          for (const e of c.events.get(rs.id) ?? ([] as EngineEvent[])) {
            if (e.type === "CREDITED") moved.set(e.userId, (moved.get(e.userId) ?? 0) + e.amountPaise);
            if (e.type === "DEBITED") moved.set(e.userId, (moved.get(e.userId) ?? 0) - e.amountPaise);
          }
        for (const u of USERS) {
          const acct = c.account(u);
          if (acct === undefined) {
            for (const r of replays) expect(r.engine.account(u)).toBeUndefined();
            continue;
          }
          let net = moved.get(u) ?? 0;
          let locked = 0;
          for (const r of replays) {
            const a = r.engine.account(u);
            if (a === undefined) continue;
            net += a.availablePaise + a.lockedPaise - UNLIMITED;
            locked += a.lockedPaise;
          }
          expect({ user: u, ...acct }).toEqual({
            user: u,
            availablePaise: net - locked,
            lockedPaise: locked,
          });
          const positions = replays.flatMap((r, k) =>
            r.engine.positions(u).filter((p) => matchingShardOf(map, p.marketId) === k),
          );
          expect(c.positions(u)).toEqual(positions.sort((x, y) => (x.marketId < y.marketId ? -1 : 1)));
        }
        const fees = c.risk.reduce((sum, rs) => sum + rs.state.risk.fees, 0);
        expect(fees).toBe(replays.reduce((sum, r) => sum + r.engine.totals().feesPaise, 0));
      }),
      options,
    );
    console.log(
      `[fuzz] sharded interleaved: ${commands} commands, ${deliveries} deliveries, ${faults} duplicate/gap deliveries, ${groups} groups at risk shards, ${refused} BUYs refused for funds (seed ${SEED})`,
    );
    expect(faults).toBeGreaterThan(0);
    expect(groups).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 600_000);
});
