/**
 * The end-to-end trading scenario of issue 4, over HTTP and Socket.io only, against any running
 * distributed deployment: the crash-cluster processes (distributed-e2e.test.ts) or docker-compose.yml's
 * services run as local processes (infra/test/compose-processes.test.ts). An admin creates a market;
 * Alice and Bob log in with the console OTP, deposit (sandbox) and subscribe a Socket.io client with
 * their session cookie. They trade one fill of each kind:
 *   MINT     Alice BUY YES @600 ×2 rests, Bob BUY NO @400 ×2 takes      → Alice YES 2, Bob NO 2
 *   TRANSFER Alice SELL YES @650 ×1 rests, Bob BUY YES @650 ×1 takes    → Alice YES 1, Bob YES 1 NO 2
 *   MERGE    Bob SELL NO @400 ×1 rests, Alice SELL YES @600 ×1 takes    → Alice flat, Bob YES 1 NO 1
 * After each: the HTTP reply's fills, both live portfolios (exact paise; fees 0), the socket `fill`
 * events, and once the persister catches up the Postgres trades, positions and engine_balances.
 * Then the market is closed and resolved YES: Bob's YES share pays 1000 live and in Postgres, and
 * reconcile() against the live engine is clean.
 */
import { expect } from "bun:test";
import { createRedisPubSub } from "@ox/bus";
import type { FillMsg as Fill } from "@ox/contracts";
import { consumerOffsets, type Db, engineBalances, payouts, positions, trades } from "@ox/db";
import type { ShardMap } from "@ox/engine/shards";
import { createRemoteEngineReader, type EngineSource, persisterCaughtUp, reconcile } from "@ox/engine-client";
import { asc, eq } from "drizzle-orm";
import { connect, type Socket } from "socket.io-client";
import { type HttpUser, loginUser } from "./crash-load.ts";

/** The admin phone the deployment must list in ADMIN_PHONES. */
export const SCENARIO_ADMIN = "+919200000001";
const ALICE = "+919200000101";
const BOB = "+919200000102";
const BONUS = 1_500; // ₹15 signup bonus
const DEPOSIT = 100_000;
const START = BONUS + DEPOSIT;

export interface ScenarioTarget {
  /** An API base URL per request (several replicas: round robin, so each one serves some calls). */
  base: () => string;
  /** The stream's base URL (Socket.io). */
  streamBase: string;
  /** The deployment's database (read to compare with the live engine). */
  db: Db;
  /** The deployment's Redis: live engine state is queried over its pub/sub. */
  redisUrl: string;
  /** The persister's consumer_offsets name: `persister:<topic>:<partition>`. */
  persisterName: string;
  /** Unique per run: names this reader's reply channel. */
  runId: string;
  /**
   * A sharded deployment (`npm run cluster`): live reads join the shards by this map, and the
   * persister has caught up once every shard topic's row reached that shard's log end.
   */
  sharded?: { map: ShardMap; topic: string };
}

export interface ScenarioResult {
  e2eMs: number;
  reconcile: { users: number; positions: number };
}

/** Retries an assertion until it passes or the time is up; then it throws the last failure. */
export async function eventually<T>(what: string, check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) {
        (err as Error).message = `${what} (after ${timeoutMs} ms): ${(err as Error).message}`;
        throw err;
      }
      await Bun.sleep(100);
    }
  }
}

async function subscribe(baseUrl: string, user: HttpUser, marketId: string, sockets: Socket[]) {
  const socket = connect(baseUrl, {
    transports: ["websocket"],
    extraHeaders: { cookie: user.cookie },
    reconnection: false,
  });
  sockets.push(socket); // closed by the scenario's finally, whatever happens next
  const fills: Fill[] = [];
  const books: unknown[] = [];
  socket.on("fill", (f: Fill) => fills.push(f));
  socket.on("book", (b: unknown) => books.push(b));
  await new Promise<void>((ok, fail) => {
    socket.once("connect", () => ok());
    socket.once("connect_error", fail);
  });
  const ack = (await socket.timeout(5_000).emitWithAck("subscribe", { marketId })) as { ok?: boolean };
  expect(ack.ok).toBe(true);
  await eventually("book snapshot on subscribe", async () => expect(books.length).toBeGreaterThan(0));
  return { socket, fills };
}

export async function runTradingScenario(target: ScenarioTarget): Promise<ScenarioResult> {
  const began = Date.now();
  const { base, db, persisterName, runId } = target;
  const ADMIN = SCENARIO_ADMIN;
  const sockets: Socket[] = [];
  const pubsub = createRedisPubSub<unknown>(target.redisUrl);
  const live = createRemoteEngineReader({
    pubsub,
    instanceId: `e2e-${runId}`,
    timeoutMs: 5_000,
    shardMap: target.sharded?.map,
  });
  const subscribeSocket = (baseUrl: string, user: HttpUser, marketId: string) =>
    subscribe(baseUrl, user, marketId, sockets);

  try {
    // Admin creates the market (Postgres + outbox → engine); it trades once the engine knows it.
    const admin = await loginUser(base, ADMIN);
    const created = await admin.call("POST", "/admin/markets", {
      title: "Distributed e2e market",
      description: "Resolves YES in the test",
      category: "test",
      rules: "Test rules",
      closeAt: Date.now() + 86_400_000,
    });
    expect(created.status).toBe(201);
    expect(created.json.market.status).toBe("OPEN");
    const marketId: string = created.json.market.id;
    await eventually("market in the engine", async () =>
      expect((await admin.call("GET", `/markets/${marketId}/orderbook`)).status).toBe(200),
    );

    // Users: log in, learn their ids, deposit; the live balance shows bonus + deposit.
    const alice = await loginUser(base, ALICE);
    const bob = await loginUser(base, BOB);
    const aliceId: string = (await alice.call("GET", "/me")).json.user.id;
    const bobId: string = (await bob.call("GET", "/me")).json.user.id;
    for (const u of [alice, bob]) {
      const d = await u.call("POST", "/wallet/deposits", { amountPaise: DEPOSIT });
      expect(d.status).toBe(201);
    }
    for (const u of [alice, bob])
      await eventually("bonus + deposit in the engine", async () =>
        expect((await u.call("GET", "/portfolio")).json).toEqual({
          balance: { availablePaise: START, lockedPaise: 0 },
          positions: [],
        }),
      );

    const aliceSock = await subscribeSocket(target.streamBase, alice, marketId);
    const bobSock = await subscribeSocket(target.streamBase, bob, marketId);

    let n = 0;
    const order = async (
      u: HttpUser,
      outcome: "YES" | "NO",
      side: "BUY" | "SELL",
      pricePaise: number,
      qty: number,
    ) => {
      const r = await u.call("POST", "/orders", {
        marketId,
        outcome,
        side,
        type: "LIMIT",
        pricePaise,
        quantity: qty,
        clientOrderId: `e2e-${++n}`,
      });
      expect(r.status).toBe(201); // the engine answered within the API's wait
      return r.json.order;
    };

    type Pos = { yes: number; no: number; yesCost: number; noCost: number };
    /** Live portfolio, then (persister caught up) Postgres positions and engine_balances, exactly. */
    const expectState = async (userId: string, u: HttpUser, available: number, pos: Pos) => {
      const flat = pos.yes === 0 && pos.no === 0 && pos.yesCost === 0 && pos.noCost === 0;
      // One engine answers after the fill has settled. Sharded, the reply leaves the market's
      // matching shard while the FILL is still on its way to the user's risk shard, so the cash
      // converges a hop later (milliseconds): the same exact values, allowed to arrive.
      const p = await eventually("the live portfolio", async () => {
        const live = (await u.call("GET", "/portfolio")).json;
        expect(live.balance).toEqual({ availablePaise: available, lockedPaise: 0 });
        // A flat position is not listed live (and reconcile, too, compares non-zero positions only).
        expect(live.positions.length).toBe(flat ? 0 : 1);
        if (!flat)
          expect(live.positions[0]).toMatchObject({
            marketId,
            yes: pos.yes,
            no: pos.no,
            yesLocked: 0,
            noLocked: 0,
            yesCostPaise: pos.yesCost,
            noCostPaise: pos.noCost,
          });
        return live;
      });
      await eventually("Postgres positions/engine_balances equal the live portfolio", async () => {
        const [bal] = await db.select().from(engineBalances).where(eq(engineBalances.userId, userId));
        expect({ availablePaise: bal?.availablePaise, lockedPaise: bal?.lockedPaise }).toEqual(p.balance);
        const rows = await db.select().from(positions).where(eq(positions.userId, userId));
        expect(
          rows
            .filter(
              (r) =>
                r.yesQty || r.noQty || r.yesLockedQty || r.noLockedQty || r.yesCostPaise || r.noCostPaise,
            )
            .map((r) => ({
              marketId: r.marketId,
              yes: r.yesQty,
              no: r.noQty,
              yesLocked: r.yesLockedQty,
              noLocked: r.noLockedQty,
              yesCostPaise: r.yesCostPaise,
              noCostPaise: r.noCostPaise,
            })),
        ).toEqual(
          p.positions.map((x: Record<string, unknown>) => ({
            marketId: x.marketId,
            yes: x.yes,
            no: x.no,
            yesLocked: x.yesLocked,
            noLocked: x.noLocked,
            yesCostPaise: x.yesCostPaise,
            noCostPaise: x.noCostPaise,
          })),
        );
      });
    };
    const pgTrades = async (count: number) =>
      await eventually(`${count} trades in Postgres`, async () => {
        const rows = await db
          .select()
          .from(trades)
          .where(eq(trades.marketId, marketId))
          .orderBy(asc(trades.seq));
        expect(rows.length).toBe(count);
        return rows;
      });
    const socketFills = async (who: { fills: Fill[] }, count: number) =>
      await eventually(`${count} socket fills`, async () => {
        expect(who.fills.length).toBe(count);
        return who.fills.map((f) => ({
          kind: f.kind,
          role: f.role,
          outcome: f.outcome,
          side: f.side,
          price: f.pricePaise,
          qty: f.qty,
          fee: f.feePaise,
        }));
      });

    // 1. MINT: Alice BUY YES @600 ×2 rests; Bob BUY NO @400 ×2 takes. A new pair; 1000 to escrow each.
    const a1 = await order(alice, "YES", "BUY", 600, 2);
    expect(a1).toMatchObject({ status: "OPEN", filledQty: 0, remainingQty: 2, fills: [] });
    expect((await alice.call("GET", "/portfolio")).json.balance).toEqual({
      availablePaise: START - 1_200,
      lockedPaise: 1_200,
    });
    const b1 = await order(bob, "NO", "BUY", 400, 2);
    expect(b1).toMatchObject({ status: "FILLED", filledQty: 2, remainingQty: 0, avgPricePaise: 400 });
    expect(b1.fills).toEqual([
      { tradeSeq: expect.any(Number), kind: "MINT", qty: 2, pricePaise: 400, feePaise: 0 },
    ]);
    await expectState(aliceId, alice, START - 1_200, { yes: 2, no: 0, yesCost: 1_200, noCost: 0 });
    await expectState(bobId, bob, START - 800, { yes: 0, no: 2, yesCost: 0, noCost: 800 });
    expect(await socketFills(aliceSock, 1)).toEqual([
      { kind: "MINT", role: "MAKER", outcome: "YES", side: "BUY", price: 600, qty: 2, fee: 0 },
    ]);
    expect(await socketFills(bobSock, 1)).toEqual([
      { kind: "MINT", role: "TAKER", outcome: "NO", side: "BUY", price: 400, qty: 2, fee: 0 },
    ]);
    let rows = await pgTrades(1);
    expect(rows[0]).toMatchObject({
      seq: b1.fills[0].tradeSeq,
      kind: "MINT",
      qty: 2,
      yesPricePaise: 600,
      makerOrderId: a1.id,
      makerUserId: aliceId,
      makerPricePaise: 600,
      takerOrderId: b1.id,
      takerUserId: bobId,
      takerPricePaise: 400,
    });

    // 2. TRANSFER: Alice SELL YES @650 ×1 rests; Bob BUY YES @650 ×1 takes. 650 from Bob to Alice.
    const a2 = await order(alice, "YES", "SELL", 650, 1);
    expect(a2).toMatchObject({ status: "OPEN", filledQty: 0, fills: [] });
    const b2 = await order(bob, "YES", "BUY", 650, 1);
    expect(b2).toMatchObject({ status: "FILLED", filledQty: 1, avgPricePaise: 650 });
    expect(b2.fills).toEqual([
      { tradeSeq: expect.any(Number), kind: "TRANSFER", qty: 1, pricePaise: 650, feePaise: 0 },
    ]);
    // Alice's cost basis: 1 of her 2 YES sold, so half of 1200 remains.
    await expectState(aliceId, alice, START - 1_200 + 650, { yes: 1, no: 0, yesCost: 600, noCost: 0 });
    await expectState(bobId, bob, START - 800 - 650, { yes: 1, no: 2, yesCost: 650, noCost: 800 });
    expect((await socketFills(aliceSock, 2))[1]).toEqual({
      kind: "TRANSFER",
      role: "MAKER",
      outcome: "YES",
      side: "SELL",
      price: 650,
      qty: 1,
      fee: 0,
    });
    expect((await socketFills(bobSock, 2))[1]).toEqual({
      kind: "TRANSFER",
      role: "TAKER",
      outcome: "YES",
      side: "BUY",
      price: 650,
      qty: 1,
      fee: 0,
    });
    rows = await pgTrades(2);
    expect(rows[1]).toMatchObject({
      seq: b2.fills[0].tradeSeq,
      kind: "TRANSFER",
      qty: 1,
      yesPricePaise: 650,
      makerOrderId: a2.id,
      takerOrderId: b2.id,
    });

    // 3. MERGE: Bob SELL NO @400 ×1 rests (a YES bid at 600); Alice SELL YES @600 ×1 takes.
    //    A pair is destroyed: 1000 leave escrow, 400 to Bob, 600 to Alice.
    const b3 = await order(bob, "NO", "SELL", 400, 1);
    expect(b3).toMatchObject({ status: "OPEN", filledQty: 0, fills: [] });
    const a3 = await order(alice, "YES", "SELL", 600, 1);
    expect(a3).toMatchObject({ status: "FILLED", filledQty: 1, avgPricePaise: 600 });
    expect(a3.fills).toEqual([
      { tradeSeq: expect.any(Number), kind: "MERGE", qty: 1, pricePaise: 600, feePaise: 0 },
    ]);
    const aliceEnd = START - 1_200 + 650 + 600;
    const bobEnd = START - 800 - 650 + 400;
    await expectState(aliceId, alice, aliceEnd, { yes: 0, no: 0, yesCost: 0, noCost: 0 });
    await expectState(bobId, bob, bobEnd, { yes: 1, no: 1, yesCost: 650, noCost: 400 });
    expect((await socketFills(aliceSock, 3))[2]).toEqual({
      kind: "MERGE",
      role: "TAKER",
      outcome: "YES",
      side: "SELL",
      price: 600,
      qty: 1,
      fee: 0,
    });
    expect((await socketFills(bobSock, 3))[2]).toEqual({
      kind: "MERGE",
      role: "MAKER",
      outcome: "NO",
      side: "SELL",
      price: 400,
      qty: 1,
      fee: 0,
    });
    rows = await pgTrades(3);
    expect(rows[2]).toMatchObject({
      seq: a3.fills[0].tradeSeq,
      kind: "MERGE",
      qty: 1,
      yesPricePaise: 600,
      makerOrderId: b3.id,
      makerUserId: bobId,
      makerOutcome: "NO",
      makerSide: "SELL",
      takerOrderId: a3.id,
      takerUserId: aliceId,
      takerOutcome: "YES",
      takerSide: "SELL",
    });
    expect(rows.map((r) => [r.kind, r.qty, r.yesPricePaise])).toEqual([
      ["MINT", 2, 600],
      ["TRANSFER", 1, 650],
      ["MERGE", 1, 600],
    ]);
    // Money moved only between the two users and escrow (one pair left): 2×START = balances + 1000.
    expect(aliceEnd + bobEnd + 1_000).toBe(2 * START);

    // Close, then resolve YES: Bob's one YES share pays 1000; his NO share pays nothing.
    const closed = await admin.call("POST", `/admin/markets/${marketId}/close`);
    expect(closed.status).toBe(200);
    expect(closed.json).toMatchObject({ status: "APPLIED", code: "OK" });
    expect(
      (
        await bob.call("POST", "/orders", {
          marketId,
          outcome: "YES",
          side: "BUY",
          type: "LIMIT",
          pricePaise: 500,
          quantity: 1,
          clientOrderId: "e2e-closed",
        })
      ).status,
    ).toBeGreaterThanOrEqual(400);
    const resolved = await admin.call("POST", `/admin/markets/${marketId}/resolve`, { outcome: "YES" });
    expect(resolved.status).toBe(200);
    expect(resolved.json).toMatchObject({ status: "APPLIED", code: "OK" });

    const bobPaid = bobEnd + 1_000;
    const bobPortfolio = (await bob.call("GET", "/portfolio")).json;
    expect(bobPortfolio.balance).toEqual({ availablePaise: bobPaid, lockedPaise: 0 });
    // Settled: no shares are left in the resolved market.
    expect(
      bobPortfolio.positions.filter((x: { yes: number; no: number }) => x.yes !== 0 || x.no !== 0),
    ).toEqual([]);
    expect((await alice.call("GET", "/portfolio")).json.balance).toEqual({
      availablePaise: aliceEnd,
      lockedPaise: 0,
    });
    expect(aliceEnd + bobPaid).toBe(2 * START); // escrow emptied into the winner's balance

    await eventually("payout and balance in Postgres", async () => {
      const paid = await db.select().from(payouts).where(eq(payouts.marketId, marketId));
      expect(
        paid.map((p) => ({
          userId: p.userId,
          outcome: p.outcome,
          yes: p.yesQty,
          no: p.noQty,
          amount: p.amountPaise,
        })),
      ).toEqual([{ userId: bobId, outcome: "YES", yes: 1, no: 1, amount: 1_000 }]);
      const bals = await db.select().from(engineBalances);
      expect(
        Object.fromEntries(
          bals
            .filter((b) => b.userId === aliceId || b.userId === bobId)
            .map((b) => [b.userId, [b.availablePaise, b.lockedPaise]]),
        ),
      ).toEqual({
        [aliceId]: [aliceEnd, 0],
        [bobId]: [bobPaid, 0],
      });
    });

    // Reconcile the live engine against Postgres once the persister has reached the engine's offset.
    const report = await eventually("reconcile clean", async () => {
      if (target.sharded)
        expect(await persisterCaughtUp(db, target.sharded.map, target.sharded.topic, live)).toBe(true);
      else {
        const { logOffset } = await live.stats();
        const [off] = await db.select().from(consumerOffsets).where(eq(consumerOffsets.name, persisterName));
        expect(off?.offset ?? 0).toBeGreaterThanOrEqual(logOffset);
      }
      // As `npm run reconcile` does live: the query channel lists no users, so take Postgres's (the
      // totals comparison catches any user it misses).
      const userIds = (await db.select({ userId: engineBalances.userId }).from(engineBalances)).map(
        (b) => b.userId,
      );
      expect(userIds).toEqual(expect.arrayContaining([aliceId, bobId]));
      const engine: EngineSource = {
        userIds: () => userIds,
        account: (u) => live.account(u),
        positions: (u) => live.positions(u),
        markets: () => live.markets(),
        totals: () => live.totals(),
      };
      const r = await reconcile({ db, engine, persisterName });
      expect(r.differences).toEqual([]);
      return r;
    });
    expect(report.conservation).toEqual({ engine: true, postgres: true });
    expect(report.ok).toBe(true);
    expect(report.engineTotals.escrowPaise).toBe(0);
    // No socket saw a fill it should not have.
    expect(aliceSock.fills.length).toBe(3);
    expect(bobSock.fills.length).toBe(3);
    return { e2eMs: Date.now() - began, reconcile: { users: report.users, positions: report.positions } };
  } finally {
    for (const s of sockets) s.close();
    await live.close();
    await pubsub.close();
  }
}
