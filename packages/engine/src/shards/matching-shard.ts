import { applyAmend, checkAmend, refuseAmend } from "../commands/amend.ts";
import { cancelAll, cancelOrder } from "../commands/cancel.ts";
import { expireOrders } from "../commands/expire.ts";
import { closeMarket, createMarket, resolveMarket } from "../commands/markets.ts";
import { admitOrder, checkOrder, placeOrder, rejectOrder } from "../commands/place-order.ts";
import { DEFAULT_DEDUPE_WINDOW_MS } from "../dedupe.ts";
import { EngineState } from "../engine-state.ts";
import type { ParkedOrders } from "../matching/core.ts";
import { releaseCash } from "../matching/settle.ts";
import type { FillSettlement, Payout, Release, ReserveAnswer, RiskPort } from "../seam.ts";
import { decodeState, encodeState } from "../snapshot.ts";
import type {
  AmendOrderCommand,
  Command,
  EngineEvent,
  OrderView,
  PlaceOrderCommand,
  Result,
} from "../types.ts";
import { isInt } from "../validate.ts";
import { riskName, type ShardMap } from "./shard-map.ts";
import { type Envelope, Links, type LinksDoc, type ShardId, type ShardInput, withCore } from "./wire.ts";

/**
 * A matching shard: the matching core of engine.ts over its own input (README "Topology"). Its
 * input is the commands routed to its markets plus the envelopes addressed to it (USER from every
 * risk shard, RESERVE_ANSWER for its parked BUYs), in the order they are delivered. It is a
 * deterministic state machine over that input: the same input gives the same state, events and
 * envelopes (with the same sequence numbers), which is what replay after a crash relies on.
 *
 * A BUY passes checks 1–9 and is **parked**: nothing in the book, RESERVE sent to the user's risk
 * shard, and other commands go on. When the answer arrives the order is checked again against the
 * state as it is then (the market may have closed, the position limit filled) and is then refused
 * (handing a grant back with RELEASE) or admitted and matched exactly as the single engine would at
 * that point of the input. FILL, RELEASE and PAYOUT leave as envelopes to the users' risk shards.
 *
 * An AMEND_ORDER whose new lock is larger parks the same way (RESERVE of exactly the difference):
 * the order stays in the book as it was meanwhile (it may trade or be cancelled). On the answer the
 * amend is checked again; a grant that no longer covers the difference (the order filled in between,
 * so its own lock shrank) refuses it with INSUFFICIENT_FUNDS and goes back; a larger one is applied
 * and the surplus released.
 */
export class MatchingShard {
  readonly links: Links;
  state: EngineState;
  /** Matching handle → the user's risk shard and handle there (from USER messages). */
  riskShardOf: number[] = [];
  riskHandleOf: number[] = [];
  /** Parked BUYs by ticket. */
  readonly parked = new Map<number, Parked>();
  private readonly parkedIds = new Map<string, number>();
  private readonly parkedCids = new Map<string, number>();
  /** Parked amends by (user, clientAmendId). */
  private readonly parkedAmends = new Map<string, number>();
  nextTicket = 1;
  /** Inputs applied that change state or the draft (commands, USER, answers); not snapshotted. */
  private changes = 0;

  constructor(
    readonly shard: number,
    readonly map: ShardMap,
    readonly dedupeWindowMs: number = DEFAULT_DEDUPE_WINDOW_MS,
    state?: EngineState,
    links?: Links,
  ) {
    this.links = links ?? new Links(this.id, map.version);
    this.state = state ?? new EngineState(dedupeWindowMs);
    this.state.matching.risk = new SendingPort(this);
    this.state.matching.parked = this.parkedView();
  }

  get id(): ShardId {
    return `m${this.shard}`;
  }

  /** Apply one input item. Returns the command it completed (now or, for a parked BUY, later). */
  apply(input: ShardInput): ShardStep {
    if (input.kind === "command") return this.command(input.index, input.cmd);
    if (input.kind === "messages")
      throw new Error(`${this.id}: a matching shard takes envelopes one by one, not as a group`);
    const env = input.env;
    const receipt = this.links.receive(env);
    if (receipt !== "APPLIED") return { receipt, index: -1, result: null, events: NO_EVENTS };
    const msg = env.msg;
    const s = this.state;
    if (msg.type === "USER") {
      this.changes++;
      const h = s.risk.openAccount(msg.userId);
      s.matching.addTrader(msg.userId, h);
      this.riskShardOf[h] = msg.riskShard;
      this.riskHandleOf[h] = msg.handle;
      return { receipt, index: -1, result: null, events: NO_EVENTS };
    }
    if (msg.type === "RESERVE_ANSWER") {
      const p = this.parked.get(msg.ticket);
      if (p === undefined)
        throw new Error(`${this.id}: answer for unknown ticket ${msg.ticket} from ${env.from}`);
      this.unpark(msg.ticket, p);
      const result = this.resume(p, msg);
      this.changes++; // it moved the book and the draft

      return { receipt, index: p.index, result, events: result.events };
    }
    throw new Error(`${this.id}: unexpected ${msg.type} from ${env.from}`);
  }

  private command(index: number, raw: unknown): ShardStep {
    const cmd = raw as Command;
    const s = this.state;
    if (typeof cmd !== "object" || cmd === null || !isInt(cmd.ts)) return done(index, INVALID());
    const mc = s.matching;
    this.changes++;
    mc.advanceClock(cmd.ts);
    s.out.reset(cmd.ts);
    let r: Result | null;
    switch (cmd.type) {
      case "PLACE_ORDER":
        r = this.place(index, cmd);
        break;
      case "CANCEL_ORDER":
        r = cancelOrder(mc, cmd);
        break;
      case "CANCEL_ALL":
        r = cancelAll(mc, cmd);
        break;
      case "AMEND_ORDER":
        r = this.amend(index, cmd);
        break;
      case "EXPIRE_ORDERS":
        r = expireOrders(mc, cmd);
        break;
      case "CREATE_MARKET":
        r = createMarket(mc, cmd);
        break;
      case "CLOSE_MARKET":
        r = closeMarket(mc, cmd);
        break;
      case "RESOLVE_MARKET":
        r = resolveMarket(mc, cmd);
        break;
      default:
        r = INVALID();
    }
    if (r === null) return { receipt: "APPLIED", index: -1, result: null, events: NO_EVENTS };
    return done(index, r);
  }

  /** Checks 1–9; a SELL is admitted at once, a BUY parks (null) with RESERVE sent. */
  private place(index: number, c: PlaceOrderCommand): Result | null {
    const mc = this.state.matching;
    const d = mc.draft;
    if (c.side !== "BUY") return placeOrder(mc, c);
    const refused = checkOrder(mc, c, d);
    if (refused !== null) return refused;
    const uh = d.u.handle;
    const ticket = this.nextTicket++;
    this.park({ ticket, index, cmd: c, user: uh, at: this.changes });
    this.links.send(riskName(this.riskShardOf[uh]), {
      type: "RESERVE",
      ticket,
      user: this.riskHandleOf[uh],
      qty: c.qty,
      pricePaise: d.price,
      maxCostPaise: d.maxCost === null ? -1 : d.maxCost,
      maxFeeBps: d.m.maxBps,
    });
    return null;
  }

  /** Every check but funds; no extra cash → applied at once, else parked with RESERVE of the difference. */
  private amend(index: number, c: AmendOrderCommand): Result | null {
    const mc = this.state.matching;
    const d = mc.amendDraft;
    const refused = checkAmend(mc, c, d);
    if (refused !== null) return refused;
    if (d.extra <= 0) return applyAmend(mc, d, 0);
    const uh = d.u.handle;
    const ticket = this.nextTicket++;
    this.park({ ticket, index, cmd: c, user: uh, at: -1 });
    this.links.send(riskName(this.riskShardOf[uh]), {
      type: "RESERVE",
      ticket,
      user: this.riskHandleOf[uh],
      qty: d.remaining,
      pricePaise: d.price,
      maxCostPaise: d.extra,
      maxFeeBps: d.o.market.maxBps,
    });
    return null;
  }

  private park(p: Parked): void {
    this.parked.set(p.ticket, p);
    const c = p.cmd;
    if (c.type === "AMEND_ORDER") {
      if (c.clientAmendId !== undefined) this.parkedAmends.set(cidKey(p.user, c.clientAmendId), p.ticket);
      return;
    }
    this.parkedIds.set(c.orderId, p.ticket);
    if (c.clientOrderId !== undefined) this.parkedCids.set(cidKey(p.user, c.clientOrderId), p.ticket);
  }

  private unpark(ticket: number, p: Parked): void {
    this.parked.delete(ticket);
    const c = p.cmd;
    if (c.type === "AMEND_ORDER") {
      if (c.clientAmendId !== undefined) this.parkedAmends.delete(cidKey(p.user, c.clientAmendId));
      return;
    }
    this.parkedIds.delete(c.orderId);
    if (c.clientOrderId !== undefined) this.parkedCids.delete(cidKey(p.user, c.clientOrderId));
  }

  /** An amend's answer: check again; refuse (handing a grant back) or apply as the engine would now. */
  private resumeAmend(p: Parked, c: AmendOrderCommand, a: ReserveAnswer): Result {
    const mc = this.state.matching;
    this.state.out.reset(c.ts);
    const d = mc.amendDraft;
    const refused = checkAmend(mc, c, d);
    if (refused !== null) {
      if (a.ok) releaseCash(mc, p.user, a.lockedPaise);
      return refused;
    }
    if (!a.ok) return refuseAmend(mc, c, d.u, a.code, d.o);
    if (a.lockedPaise < d.extra) {
      releaseCash(mc, p.user, a.lockedPaise);
      return refuseAmend(mc, c, d.u, "INSUFFICIENT_FUNDS", d.o);
    }
    return applyAmend(mc, d, a.lockedPaise);
  }

  /** The answer is in: check again (state moved on), then refuse or admit as the engine would now. */
  private resume(p: Parked, a: ReserveAnswer): Result {
    const s = this.state;
    const mc = s.matching;
    const c = p.cmd;
    if (c.type === "AMEND_ORDER") return this.resumeAmend(p, c, a);
    s.out.reset(c.ts);
    const d = mc.draft;
    // Nothing applied since the park (the usual case when answers are quick): the draft of the
    // checks is this order's and still true; otherwise check again against the state as it is now.
    const refused = p.at === this.changes ? null : checkOrder(mc, c, d);
    if (refused !== null) {
      if (a.ok) releaseCash(mc, p.user, a.lockedPaise);
      return refused;
    }
    if (!a.ok) return rejectOrder(mc, c, d.u, d.cid, a.code);
    return admitOrder(mc, c, d, a.lockedPaise, a.lockPerShare, a.budgetPaise);
  }

  private parkedView(): ParkedOrders {
    return {
      has: (orderId) => this.parkedIds.has(orderId),
      byClientOrderId: (user, cid) => {
        const t = this.parkedCids.get(cidKey(user, cid));
        return t === undefined
          ? undefined
          : pendingView((this.parked.get(t) as Parked).cmd as PlaceOrderCommand);
      },
      hasAmend: (user, cid) => this.parkedAmends.has(cidKey(user, cid)),
    };
  }

  /** Cash this shard's open orders hold locked at risk, by (risk shard, handle) key `k:h`. */
  openLocks(): Map<string, number> {
    const locks = new Map<string, number>();
    for (const o of this.state.matching.orders.values()) {
      if (!o.isBuy) continue;
      const lock = o.budget >= 0 ? o.budget : o.remaining * o.lockPerShare;
      const h = o.owner.handle;
      const key = `${this.riskShardOf[h]}:${this.riskHandleOf[h]}`;
      locks.set(key, (locks.get(key) ?? 0) + lock);
    }
    return locks;
  }

  snapshot(): Uint8Array {
    const doc: Omit<MatchingShardDoc, "core"> = {
      v: "matching-shard/1",
      shard: this.shard,
      map: this.map.version,
      links: this.links.toJSON(),
      riskShardOf: this.riskShardOf,
      riskHandleOf: this.riskHandleOf,
      nextTicket: this.nextTicket,
      parked: [...this.parked.values()].map(({ at: _at, ...p }) => ({ ...p, at: -1 })),
    };
    return withCore(encodeState(this.state), doc);
  }

  static restore(bytes: Uint8Array, map: ShardMap, dedupeWindowMs?: number): MatchingShard {
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as MatchingShardDoc;
    if (doc.v !== "matching-shard/1") throw new Error("not a matching shard snapshot");
    if (doc.map !== map.version) throw new Error(`snapshot of map v${doc.map}, running v${map.version}`);
    const state = decodeState(new TextEncoder().encode(JSON.stringify(doc.core)), dedupeWindowMs);
    const links = Links.fromJSON(`m${doc.shard}`, map.version, doc.links);
    const shard = new MatchingShard(doc.shard, map, dedupeWindowMs, state, links);
    shard.riskShardOf = doc.riskShardOf;
    shard.riskHandleOf = doc.riskHandleOf;
    shard.nextTicket = doc.nextTicket;
    for (const p of doc.parked) {
      p.at = -1; // a restored shard has no draft: check again on the answer
      shard.park(p);
    }
    return shard;
  }
}

/** A BUY or an amend awaiting its reservation: the command as routed, its input index, the user's handle here. */
export interface Parked {
  ticket: number;
  index: number;
  cmd: PlaceOrderCommand | AmendOrderCommand;
  user: number;
  /** `changes` when parked (-1: unknown, check again). */
  at: number;
}

export interface ShardStep {
  /** For an envelope: whether it was applied; commands are always applied. */
  receipt: "APPLIED" | "DUPLICATE" | "GAP" | "WRONG_MAP" | "MISADDRESSED";
  /** The command completed by this input (-1: none, e.g. a BUY parked or a message applied). */
  index: number;
  result: Result | null;
  /** Events emitted by this input. */
  events: readonly EngineEvent[];
}

interface MatchingShardDoc {
  v: "matching-shard/1";
  shard: number;
  map: number;
  core: unknown;
  links: LinksDoc;
  riskShardOf: number[];
  riskHandleOf: number[];
  nextTicket: number;
  parked: Parked[];
}

const NO_EVENTS: readonly EngineEvent[] = [];
const INVALID = (): Result => ({ code: "INVALID_COMMAND", events: [] });
const done = (index: number, result: Result): ShardStep => ({
  receipt: "APPLIED",
  index,
  result,
  events: result.events,
});
const cidKey = (user: number, cid: string) => `${user}\u0000${cid}`;

/** A parked order as a clientOrderId repeat sees it: open, nothing filled, not yet accepted. */
function pendingView(c: PlaceOrderCommand): OrderView {
  return {
    orderId: c.orderId,
    userId: c.userId,
    marketId: c.marketId,
    clientOrderId: c.clientOrderId ?? null,
    outcome: c.outcome,
    side: c.side,
    orderType: c.orderType,
    tif: c.tif ?? (c.orderType === "LIMIT" ? "GTC" : "IOC"),
    expiresAt: c.expiresAt ?? null,
    stp: c.stp ?? "CANCEL_RESTING",
    postOnly: c.postOnly === true,
    pricePaise: c.pricePaise ?? 0,
    qty: c.qty,
    filledQty: 0,
    remainingQty: c.qty,
    filledValuePaise: 0,
    feesPaise: 0,
    status: "OPEN",
    rejectCode: null,
    acceptedSeq: 0,
    ts: c.ts,
  };
}

/** Matching's RiskPort in a shard: every message becomes an envelope to the user's risk shard. */
class SendingPort implements RiskPort {
  constructor(private readonly shard: MatchingShard) {}

  reserve(): ReserveAnswer {
    throw new Error(`${this.shard.id}: a matching shard parks BUYs; it never reserves synchronously`);
  }

  settle(m: FillSettlement): void {
    const sh = this.shard;
    sh.links.send(riskName(sh.riskShardOf[m.user]), {
      type: "FILL",
      user: sh.riskHandleOf[m.user],
      isBuy: m.isBuy,
      valuePaise: m.valuePaise,
      feePaise: m.feePaise,
      unlockPaise: m.unlockPaise,
    });
  }

  release(m: Release): void {
    const sh = this.shard;
    sh.links.send(riskName(sh.riskShardOf[m.user]), {
      type: "RELEASE",
      user: sh.riskHandleOf[m.user],
      paise: m.paise,
    });
  }

  payout(m: Payout): void {
    const sh = this.shard;
    sh.links.send(riskName(sh.riskShardOf[m.user]), {
      type: "PAYOUT",
      user: sh.riskHandleOf[m.user],
      paise: m.paise,
    });
  }

  /** BALANCE is the risk shard's to emit, when it applies the message. */
  reportBalance(): void {}
}

export type { Envelope };
