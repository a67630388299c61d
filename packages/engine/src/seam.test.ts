import { describe, expect, test } from "bun:test";
import { amendOrder } from "./commands/amend.ts";
import { cancelAll, cancelOrder } from "./commands/cancel.ts";
import { expireOrders } from "./commands/expire.ts";
import { closeMarket, createMarket, resolveMarket } from "./commands/markets.ts";
import { placeOrder } from "./commands/place-order.ts";
import { DEFAULT_DEDUPE_WINDOW_MS } from "./dedupe.ts";
import { createEngine } from "./engine.ts";
import { Emitter } from "./events.ts";
import { MatchingCore } from "./matching/core.ts";
import { NO_QTY, STRIDE, YES_QTY } from "./matching/positions.ts";
import { createRandomKit } from "./random.ts";
import { createReferenceEngine } from "./reference/index.ts";
import { RiskCore } from "./risk/core.ts";
import type {
  FillSettlement,
  Payout,
  Release,
  ReserveAnswer,
  ReserveRequest,
  RiskPort,
  SeamMessage,
} from "./seam.ts";
import { fillSettlement, payout, release, reserveRequest } from "./seam.ts";
import { StringIndex } from "./string-index.ts";
import type { Command, Result } from "./types.ts";

/**
 * The seam between the cores (seam.ts) is the only way cash moves: the matching core runs against
 * a risk responder written here from SEMANTICS.md alone (not risk/core.ts), and the risk core runs
 * against fills scripted here with no book at all. SPEC §4's money invariants are checked after
 * every command (matching) or every message (risk).
 */

class Cash {
  available = 0;
  locked = 0;
  constructor(
    readonly id: string,
    readonly handle: number,
  ) {}
}

/** A risk side for the matching core alone: its own cash model, every message copied into `log`. */
class ScriptedRisk implements RiskPort {
  readonly cash: Cash[] = [];
  readonly log: SeamMessage[] = [];
  readonly refs = new Set<string>();
  credits = 0;
  debits = 0;
  fees = 0;
  /** Cash the matching side holds: buyers' payments in, sellers' proceeds and payouts out. */
  clearing = 0;
  /** Scripted refusals: refuse a reservation the funds would cover. */
  refuse: (m: ReserveRequest) => boolean = () => false;
  readonly refused: ReserveRequest[] = [];
  constructor(readonly out: Emitter) {}

  reserve(m: ReserveRequest): ReserveAnswer {
    this.log.push({ ...m });
    const a = this.cash[m.user];
    const lockPerShare =
      m.maxCostPaise >= 0 ? 0 : m.pricePaise + Math.ceil((m.pricePaise * m.maxFeeBps) / 1e4);
    const lock = m.maxCostPaise >= 0 ? m.maxCostPaise : m.qty * lockPerShare;
    const ok = a.available >= lock && !this.refuse(m);
    if (!ok && a.available >= lock) this.refused.push({ ...m });
    if (ok) {
      a.available -= lock;
      a.locked += lock;
    }
    const answer: ReserveAnswer = {
      type: "RESERVE_ANSWER",
      ok,
      code: "INSUFFICIENT_FUNDS",
      lockedPaise: lock,
      lockPerShare,
      budgetPaise: m.maxCostPaise >= 0 ? m.maxCostPaise : -1,
    };
    this.log.push(answer);
    return answer;
  }

  settle(m: FillSettlement): void {
    this.log.push({ ...m });
    const a = this.cash[m.user];
    this.fees += m.feePaise;
    if (m.isBuy) {
      a.locked -= m.unlockPaise;
      a.available += m.unlockPaise - m.valuePaise - m.feePaise;
      this.clearing += m.valuePaise;
    } else {
      a.available += m.valuePaise - m.feePaise;
      this.clearing -= m.valuePaise;
    }
  }

  release(m: Release): void {
    this.log.push({ ...m });
    this.cash[m.user].locked -= m.paise;
    this.cash[m.user].available += m.paise;
  }

  payout(m: Payout): void {
    this.log.push({ ...m });
    this.cash[m.user].available += m.paise;
    this.clearing -= m.paise;
  }

  reportBalance(user: number): void {
    const a = this.cash[user];
    this.out.balance(a.id, a.available, a.locked);
  }
}

/** The matching core wired to a ScriptedRisk; CREATE_USER / CREDIT / DEBIT handled by the script. */
function splitWorld() {
  const out = new Emitter(0);
  const risk = new ScriptedRisk(out);
  const mc = new MatchingCore(out, risk, DEFAULT_DEDUPE_WINDOW_MS);
  /** The script's own directory (risk's side of the users). */
  const users = new StringIndex<number>();
  const apply = (c: Command): Result => {
    mc.advanceClock(c.ts);
    out.reset(c.ts);
    switch (c.type) {
      case "PLACE_ORDER":
        return placeOrder(mc, c);
      case "CANCEL_ORDER":
        return cancelOrder(mc, c);
      case "CANCEL_ALL":
        return cancelAll(mc, c);
      case "AMEND_ORDER":
        return amendOrder(mc, c);
      case "EXPIRE_ORDERS":
        return expireOrders(mc, c);
      case "CREATE_MARKET":
        return createMarket(mc, c);
      case "CLOSE_MARKET":
        return closeMarket(mc, c);
      case "RESOLVE_MARKET":
        return resolveMarket(mc, c);
      case "CREATE_USER": {
        const h = risk.cash.length;
        risk.cash.push(new Cash(c.userId, h));
        mc.addTrader(c.userId, h);
        users.set(c.userId, h);
        out.push({ seq: 0, ts: 0, type: "USER_CREATED", userId: c.userId });
        return { code: "OK", events: out.events };
      }
      case "CREDIT": {
        const a = risk.cash[users.get(c.userId) as number];
        risk.refs.add(c.ref);
        a.available += c.amountPaise;
        risk.credits += c.amountPaise;
        out.push({ ...c, seq: 0, ts: 0, type: "CREDITED", availablePaise: a.available });
        return { code: "OK", events: out.events };
      }
      case "DEBIT": {
        const a = risk.cash[users.get(c.userId) as number];
        if (a.available < c.amountPaise) return { code: "INSUFFICIENT_FUNDS", events: [] };
        risk.refs.add(c.ref);
        a.available -= c.amountPaise;
        risk.debits += c.amountPaise;
        out.push({ ...c, seq: 0, ts: 0, type: "DEBITED", availablePaise: a.available });
        return { code: "OK", events: out.events };
      }
    }
  };
  return { out, users, risk, mc, apply };
}

/** SPEC §4 across the seam, from the matching core's state and the script's cash. */
function checkSplit(w: ReturnType<typeof splitWorld>, results: Result[]): void {
  const { risk, mc } = w;
  let cash = 0;
  const lockedBy = new Map<number, number>();
  for (const o of mc.orders.values()) {
    if (!o.isBuy) continue;
    // Budget orders never rest; a resting BUY locks remaining × lockPerShare (invariant 3).
    expect(o.budget).toBe(-1);
    lockedBy.set(o.owner.handle, (lockedBy.get(o.owner.handle) ?? 0) + o.remaining * o.lockPerShare);
  }
  for (const a of risk.cash) {
    expect(a.available).toBeGreaterThanOrEqual(0);
    expect(a.locked).toBe(lockedBy.get(a.handle) ?? 0);
    cash += a.available + a.locked;
  }
  let escrow = 0;
  const d = mc.positions.data;
  for (const m of mc.markets) {
    expect(m.escrow).toBe(1000 * m.pairs);
    let yes = 0;
    let no = 0;
    for (const t of mc.traders) {
      const slot = mc.positions.find(t.handle, m.handle);
      if (slot < 0) continue;
      for (let f = 0; f < STRIDE; f++)
        if (d[slot * STRIDE + f] < 0) throw new Error(`${t.id} in ${m.id}: field ${f} negative`);
      yes += d[slot * STRIDE + YES_QTY];
      no += d[slot * STRIDE + NO_QTY];
    }
    expect([yes, no]).toEqual([m.pairs, m.pairs]);
    escrow += m.escrow;
  }
  // Escrow is exactly the cash that crossed to the matching side and has not come back.
  expect(risk.clearing).toBe(escrow);
  expect(cash + escrow + risk.fees).toBe(risk.credits - risk.debits);
  let tradeFees = 0;
  for (const r of results)
    for (const e of r.events) if (e.type === "TRADE") tradeFees += e.makerFeePaise + e.takerFeePaise;
  expect(risk.fees).toBe(tradeFees);
}

/** A seeded stream of every command kind, fresh refs only (the script keeps no idempotency window). */
function stream(seed: number, n: number): Command[] {
  const r = createRandomKit(seed);
  const users = ["u0", "u1", "u2", "u3", "u4"];
  const markets: { id: string; tick: number }[] = [
    { id: "m0", tick: 50 },
    { id: "m1", tick: 10 },
    { id: "m2", tick: 100 },
  ];
  let ts = 1_000;
  const cmds: Command[] = [];
  for (const [i, u] of users.entries()) {
    cmds.push({ type: "CREATE_USER", userId: u, ts });
    cmds.push({
      type: "CREDIT",
      userId: u,
      amountPaise: i === 4 ? 3_000 : 200_000,
      ref: `s${u}`,
      kind: "BONUS",
      ts,
    });
  }
  cmds.push({ type: "CREATE_MARKET", marketId: "m0", ts });
  cmds.push({ type: "CREATE_MARKET", marketId: "m1", tickPaise: 10, makerFeeBps: 20, takerFeeBps: 70, ts });
  cmds.push({
    type: "CREATE_MARKET",
    marketId: "m2",
    tickPaise: 100,
    makerFeeBps: 1000,
    maxOrderQty: 50,
    positionLimit: 120,
    ts,
  });
  const placed: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    ts += r.int(0, 3);
    const p = r.next();
    const userId = r.pick(users);
    if (p < 0.62) {
      const m = r.pick(markets);
      const isMarket = r.chance(0.15);
      const side = r.chance(0.62) ? "BUY" : "SELL";
      const c: Record<string, unknown> = {
        type: "PLACE_ORDER",
        ts,
        orderId: `o${i}`,
        userId,
        marketId: m.id,
        outcome: r.chance(0.5) ? "YES" : "NO",
        side,
        orderType: isMarket ? "MARKET" : "LIMIT",
        qty: r.int(1, 20),
      };
      if (!isMarket || r.chance(0.3))
        c.pricePaise = m.tick * r.int(Math.ceil(300 / m.tick), Math.floor(700 / m.tick));
      if (!isMarket) {
        const tif = r.pick(["GTC", "GTC", "GTC", "IOC", "FOK"]);
        c.tif = tif;
        if (tif === "GTC" && r.chance(0.1)) c.postOnly = true;
      } else if (side === "BUY" && r.chance(0.5)) c.maxCostPaise = r.int(100, 8_000);
      if (r.chance(0.2)) c.clientOrderId = `c${r.int(0, 9)}`;
      cmds.push(c as unknown as Command);
      placed.push([`o${i}`, userId]);
    } else if (p < 0.82 && placed.length > 0) {
      const [orderId, owner] = placed[placed.length - 1 - r.int(0, Math.min(placed.length, 30) - 1)];
      cmds.push({ type: "CANCEL_ORDER", ts, userId: r.chance(0.85) ? owner : userId, orderId });
    } else if (p < 0.85) {
      cmds.push({ type: "CANCEL_ALL", ts, userId, marketId: r.pick(markets).id });
    } else if (p < 0.93) {
      cmds.push({ type: "CREDIT", ts, userId, amountPaise: r.int(1, 50_000), ref: `r${i}`, kind: "DEPOSIT" });
    } else if (p < 0.97) {
      cmds.push({ type: "DEBIT", ts, userId, amountPaise: r.int(1, 80_000), ref: `r${i}` });
    } else if (p < 0.99) {
      const k = r.int(0, markets.length - 1);
      cmds.push({
        type: "RESOLVE_MARKET",
        ts,
        marketId: markets[k].id,
        outcome: r.pick(["YES", "NO", "VOID"]),
      });
      const fresh = { id: `n${i}`, tick: r.pick([10, 50, 100]) };
      markets[k] = fresh;
      cmds.push({ type: "CREATE_MARKET", ts, marketId: fresh.id, tickPaise: fresh.tick, takerFeeBps: 35 });
    } else {
      cmds.push({ type: "CLOSE_MARKET", ts, marketId: r.pick(markets).id });
    }
  }
  return cmds;
}

describe("seam: the matching core alone, against a scripted risk responder", () => {
  test("with a cash model written from SEMANTICS.md it is the reference twin, event for event", () => {
    for (const seed of [1, 2]) {
      const w = splitWorld();
      const engine = createReferenceEngine();
      const results: Result[] = [];
      for (const [i, c] of stream(seed, 2_500).entries()) {
        const split = w.apply({ ...c });
        const whole = engine.apply({ ...c });
        if (!Bun.deepEquals(split, whole))
          throw new Error(`seed ${seed} #${i} ${JSON.stringify(c)} diverged`);
        results.push(split);
        checkSplit(w, results);
      }
      for (const [h, a] of w.risk.cash.entries()) {
        expect(engine.account(a.id)).toEqual({ availablePaise: a.available, lockedPaise: a.locked });
        expect(h).toBe(a.handle);
      }
      expect(engine.totals().feesPaise).toBe(w.risk.fees);
      // Every kind of message crossed, and only cash did.
      const kinds = new Set(w.risk.log.map((m) => m.type));
      expect([...kinds].sort()).toEqual(["FILL", "PAYOUT", "RELEASE", "RESERVE", "RESERVE_ANSWER"]);
    }
  });

  test("a refused reservation rejects the order and leaves the books as they were", () => {
    const w = splitWorld();
    const results: Result[] = [];
    const cmds = stream(7, 2_000);
    let refusals = 0;
    // Refuse every fifth reservation the funds would have covered (as a risk shard could, having
    // spent the cash on another shard's order first).
    w.risk.refuse = () => ++refusals % 5 === 0;
    let rejected = 0;
    for (const c of cmds) {
      const before = c.type === "PLACE_ORDER" ? bookText(w.mc) : "";
      const logBefore = w.risk.log.length;
      const r = w.apply({ ...c });
      results.push(r);
      checkSplit(w, results);
      const last = w.risk.log.at(-1);
      if (
        c.type === "PLACE_ORDER" &&
        w.risk.log.length > logBefore &&
        last?.type === "RESERVE_ANSWER" &&
        !last.ok
      ) {
        // The refusal is the last message: nothing filled, nothing released, nothing rests.
        expect(w.risk.log.length).toBe(logBefore + 2);
        expect(r.code).toBe("INSUFFICIENT_FUNDS");
        expect(r.events.map((e) => e.type)).toEqual(["ORDER_REJECTED"]);
        expect(bookText(w.mc)).toBe(before);
        rejected++;
      }
    }
    expect(w.risk.refused.length).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThanOrEqual(w.risk.refused.length);
  });

  test("a post-only or FOK refusal after the grant hands back exactly what was reserved", () => {
    const w = splitWorld();
    const ts = 1_000;
    for (const c of stream(11, 0)) w.apply(c);
    const place = (o: Record<string, unknown>) =>
      w.apply({
        type: "PLACE_ORDER",
        ts,
        marketId: "m0",
        outcome: "YES",
        orderType: "LIMIT",
        ...o,
      } as Command);
    expect(place({ orderId: "a", userId: "u0", side: "BUY", pricePaise: 400, qty: 5 }).code).toBe("OK");
    w.risk.log.length = 0;
    const r1 = place({
      orderId: "b",
      userId: "u1",
      outcome: "NO",
      side: "BUY",
      pricePaise: 650,
      qty: 3,
      postOnly: true,
    });
    expect(r1.code).toBe("POST_ONLY_WOULD_TAKE");
    const r2 = place({
      orderId: "c",
      userId: "u1",
      outcome: "NO",
      side: "BUY",
      pricePaise: 600,
      qty: 9,
      tif: "FOK",
    });
    expect(r2.code).toBe("FOK_NOT_FILLABLE");
    expect(
      w.risk.log.map((m) => [m.type, "paise" in m ? m.paise : "lockedPaise" in m ? m.lockedPaise : null]),
    ).toEqual([
      ["RESERVE", null],
      ["RESERVE_ANSWER", 1950],
      ["RELEASE", 1950],
      ["RESERVE", null],
      ["RESERVE_ANSWER", 5400],
      ["RELEASE", 5400],
    ]);
    expect(w.risk.cash[1]).toMatchObject({ available: 200_000, locked: 0 });
  });
});

/** The books and holdings of a matching core as text (everything a rejected order must not touch). */
function bookText(mc: MatchingCore): string {
  const orders = [...mc.orders.values()].map((o) => [o.id, o.remaining, o.filled]).sort();
  const levels = mc.markets.map((m) => [
    m.bestBid,
    m.bestAsk,
    m.bids.map((l) => l.qty),
    m.asks.map((l) => l.qty),
  ]);
  return JSON.stringify([
    orders,
    levels,
    Array.from(mc.positions.data.subarray(0, mc.positions.count * STRIDE)),
  ]);
}

describe("seam: the risk core alone, against scripted fills", () => {
  interface Grant {
    user: number;
    lockPerShare: number;
    budget: number;
    qty: number;
  }

  test("SPEC §4 money invariants hold after every message", () => {
    for (const seed of [21, 22, 23, 24]) {
      const r = createRandomKit(seed);
      const out = new Emitter(0);
      const risk = new RiskCore(out, DEFAULT_DEDUPE_WINDOW_MS);
      const n = 6;
      for (let h = 0; h < n; h++) {
        expect(risk.openAccount(`u${h}`)).toBe(h);
      }
      let ts = 1;
      /** The matching side, scripted: cash it holds (escrow and in-flight), open grants. */
      let clearing = 0;
      const grants: Grant[] = [];
      let refusedSeen = 0;
      const check = (what: string) => {
        let cash = 0;
        for (let h = 0; h < risk.size; h++) {
          const [available, locked] = [risk.available(h), risk.locked(h)];
          if (available < 0 || locked < 0) throw new Error(`seed ${seed} ${what}: u${h} negative`);
          const owed = grants
            .filter((g) => g.user === h)
            .reduce((s, g) => s + (g.budget >= 0 ? g.budget : g.qty * g.lockPerShare), 0);
          expect(locked).toBe(owed);
          cash += available + locked;
        }
        expect(clearing).toBeGreaterThanOrEqual(0);
        expect(cash + risk.fees + clearing).toBe(risk.credits - risk.debits);
      };
      const fill = fillSettlement();
      const rel = release();
      const pay = payout();
      const req = reserveRequest();
      for (let i = 0; i < 4_000; i++) {
        out.reset(++ts);
        risk.advanceClock(ts);
        const p = r.next();
        const user = r.int(0, n - 1);
        if (p < 0.15) {
          const c = r.chance(0.8)
            ? risk.credit({
                type: "CREDIT",
                ts,
                userId: `u${user}`,
                amountPaise: r.int(1, 40_000),
                ref: `c${i}`,
                kind: "DEPOSIT",
              })
            : risk.debit({
                type: "DEBIT",
                ts,
                userId: `u${user}`,
                amountPaise: r.int(1, 40_000),
                ref: `d${i}`,
              });
          expect(["OK", "INSUFFICIENT_FUNDS"]).toContain(c.code);
          check("credit/debit");
        } else if (p < 0.45) {
          req.user = user;
          req.qty = r.int(1, 30);
          req.pricePaise = 10 * r.int(1, 99);
          req.maxCostPaise = r.chance(0.2) ? r.int(1, 9_000) : -1;
          req.maxFeeBps = r.pick([0, 20, 70, 1000]);
          const before = { available: risk.available(user), locked: risk.locked(user) };
          const a = risk.reserve(req);
          if (a.ok) grants.push({ user, lockPerShare: a.lockPerShare, budget: a.budgetPaise, qty: req.qty });
          else {
            refusedSeen++;
            expect({ available: risk.available(user), locked: risk.locked(user) }).toEqual(before);
            expect(before.available).toBeLessThan(a.lockedPaise);
          }
          check("reserve");
        } else if (p < 0.8 && grants.length > 0) {
          // A BUY fill at own price e, a seller (TRANSFER) or a second buyer (MINT) on the other side.
          const g = grants[r.int(0, grants.length - 1)];
          const e = 10 * r.int(1, 99);
          const bps = r.pick([0, 20, 70, 1000]);
          let q = Math.min(g.qty, r.int(1, 10));
          if (g.budget >= 0) q = Math.min(q, Math.floor(g.budget / (e + Math.ceil((e * bps) / 1e4))));
          if (g.lockPerShare > 0 && e + Math.ceil((e * bps) / 1e4) > g.lockPerShare) continue; // e within the limit
          if (q === 0) continue;
          const fee = Math.ceil((e * q * bps) / 1e4);
          fill.user = g.user;
          fill.isBuy = true;
          fill.valuePaise = e * q;
          fill.feePaise = fee;
          fill.unlockPaise = g.budget >= 0 ? e * q + fee : q * g.lockPerShare;
          if (g.budget >= 0) g.budget -= e * q + fee;
          g.qty -= q;
          risk.settle(fill);
          clearing += e * q;
          check("buyer fill");
          if (r.chance(0.5) && clearing >= e * q) {
            // TRANSFER: a seller (shares are matching's) is paid the same value, less its fee.
            fill.user = r.int(0, n - 1);
            fill.isBuy = false;
            fill.valuePaise = e * q;
            fill.feePaise = Math.min(e * q, Math.ceil((e * q * bps) / 1e4));
            fill.unlockPaise = 0;
            risk.settle(fill);
            clearing -= e * q;
            check("seller fill");
          }
        } else if (p < 0.93 && grants.length > 0) {
          const k = r.int(0, grants.length - 1);
          const g = grants[k];
          rel.user = g.user;
          rel.paise = g.budget >= 0 ? g.budget : g.qty * g.lockPerShare;
          grants.splice(k, 1);
          risk.release(rel);
          check("release");
        } else if (clearing > 0) {
          pay.user = user;
          pay.paise = r.int(1, clearing);
          risk.payout(pay);
          clearing -= pay.paise;
          check("payout");
        }
      }
      expect(refusedSeen).toBeGreaterThan(10);
      // A message that cannot be right (more than is locked) is a bug, not a business outcome.
      rel.user = 0;
      rel.paise = risk.locked(0) + 1;
      expect(() => risk.release(rel)).toThrow(/risk: .*RELEASE/);
      fill.user = 1;
      fill.isBuy = true;
      fill.valuePaise = 10;
      fill.feePaise = 0;
      fill.unlockPaise = risk.locked(1) + 1;
      expect(() => risk.settle(fill)).toThrow(/risk: .*FILL/);
      // BALANCE comes from risk and shows its numbers.
      out.reset(++ts);
      risk.reportBalance(2);
      expect(out.events).toEqual([
        {
          seq: out.seq,
          ts,
          type: "BALANCE",
          userId: "u2",
          availablePaise: risk.available(2),
          lockedPaise: risk.locked(2),
        },
      ]);
    }
  });
});

describe("seam: engines share no state", () => {
  test("two engines interleaved command by command emit what each emits alone", () => {
    const a = stream(31, 1_500);
    const b = stream(32, 1_500);
    const alone = (cmds: Command[]) => {
      const e = createEngine();
      return cmds.map((c) => e.apply({ ...c }));
    };
    const soloA = alone(a);
    const soloB = alone(b);
    const ea = createEngine();
    const eb = createEngine();
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (i < a.length) expect(ea.apply({ ...a[i] })).toEqual(soloA[i]);
      if (i < b.length) expect(eb.apply({ ...b[i] })).toEqual(soloB[i]);
    }
  });
});

describe("seam: messages are plain data", () => {
  test("a risk core rebuilt from its own input (its commands and the messages it got, as JSON) ends the same", () => {
    /** Everything that reached the risk core, in order, as it would be logged for a risk shard. */
    const input: string[] = [];
    const answers: string[] = [];
    const out = new Emitter(0);
    const live = new RiskCore(out, DEFAULT_DEDUPE_WINDOW_MS);
    let ts = 0;
    const port: RiskPort = {
      reserve(m) {
        input.push(JSON.stringify({ ts, m }));
        const a = live.reserve(m);
        answers.push(JSON.stringify(a));
        return a;
      },
      settle(m) {
        input.push(JSON.stringify({ ts, m }));
        live.settle(m);
      },
      release(m) {
        input.push(JSON.stringify({ ts, m }));
        live.release(m);
      },
      payout(m) {
        input.push(JSON.stringify({ ts, m }));
        live.payout(m);
      },
      reportBalance: (u) => live.reportBalance(u),
    };
    const mc = new MatchingCore(out, port, DEFAULT_DEDUPE_WINDOW_MS);
    const reference = createReferenceEngine();
    for (const c of stream(41, 3_000)) {
      ts = c.ts;
      mc.advanceClock(ts);
      live.advanceClock(ts);
      out.reset(ts);
      let r: Result;
      if (c.type === "CREATE_USER" || c.type === "CREDIT" || c.type === "DEBIT") {
        input.push(JSON.stringify({ ts, c }));
        if (c.type === "CREATE_USER") {
          mc.addTrader(c.userId, live.openAccount(c.userId));
          out.push({ seq: 0, ts: 0, type: "USER_CREATED", userId: c.userId });
          r = { code: "OK", events: out.events };
        } else r = c.type === "CREDIT" ? live.credit(c) : live.debit(c);
      } else if (c.type === "PLACE_ORDER") r = placeOrder(mc, c);
      else if (c.type === "CANCEL_ORDER") r = cancelOrder(mc, c);
      else if (c.type === "CANCEL_ALL") r = cancelAll(mc, c);
      else if (c.type === "CREATE_MARKET") r = createMarket(mc, c);
      else if (c.type === "CLOSE_MARKET") r = closeMarket(mc, c);
      else r = resolveMarket(mc, c as Extract<Command, { type: "RESOLVE_MARKET" }>);
      expect(r).toEqual(reference.apply({ ...c }));
    }
    // Replay into a fresh core: only the logged input.
    const rebuilt = new RiskCore(new Emitter(0), DEFAULT_DEDUPE_WINDOW_MS);
    let answer = 0;
    const kinds = new Set<string>();
    for (const line of input) {
      const rec = JSON.parse(line) as { ts: number; c?: Command; m?: SeamMessage };
      rebuilt.advanceClock(rec.ts);
      rebuilt.out.reset(rec.ts);
      if (rec.c !== undefined) {
        const c = rec.c;
        kinds.add(c.type);
        if (c.type === "CREATE_USER") {
          rebuilt.openAccount(c.userId);
        } else if (c.type === "CREDIT") rebuilt.credit(c);
        else if (c.type === "DEBIT") rebuilt.debit(c);
        continue;
      }
      const m = rec.m as SeamMessage;
      kinds.add(m.type);
      if (m.type === "RESERVE") expect(JSON.stringify(rebuilt.reserve(m))).toBe(answers[answer++]);
      else if (m.type === "FILL") rebuilt.settle(m);
      else if (m.type === "RELEASE") rebuilt.release(m);
      else if (m.type === "PAYOUT") rebuilt.payout(m);
    }
    expect(answer).toBe(answers.length);
    expect([...kinds].sort()).toEqual([
      "CREATE_USER",
      "CREDIT",
      "DEBIT",
      "FILL",
      "PAYOUT",
      "RELEASE",
      "RESERVE",
    ]);
    expect(Array.from(rebuilt.cash.subarray(0, 2 * rebuilt.size))).toEqual(
      Array.from(live.cash.subarray(0, 2 * live.size)),
    );
    expect([rebuilt.fees, rebuilt.credits, rebuilt.debits, [...rebuilt.refs]]).toEqual([
      live.fees,
      live.credits,
      live.debits,
      [...live.refs],
    ]);
  });
});
