import { createUser } from "../commands/accounts.ts";
import { DEFAULT_DEDUPE_WINDOW_MS } from "../dedupe.ts";
import { EngineState } from "../engine-state.ts";
import { decodeState, encodeState } from "../snapshot.ts";
import type { Command, EngineEvent, Result } from "../types.ts";
import { isInt } from "../validate.ts";
import type { ShardStep } from "./matching-shard.ts";
import { matchingName, type ShardMap } from "./shard-map.ts";
import {
  type FillMsg,
  Links,
  type LinksDoc,
  type MessagesInput,
  type PayoutMsg,
  type ReleaseMsg,
  type ReserveMsg,
  type ShardId,
  type ShardInput,
  unpackWire,
  type WireMessage,
  withCore,
} from "./wire.ts";

/**
 * A risk shard: the risk core of engine.ts over its own input (README "Topology"): CREATE_USER,
 * CREDIT and DEBIT of its users, and the envelopes addressed to it (RESERVE, FILL, RELEASE, PAYOUT
 * from matching shards) in the order they are delivered. A RESERVE is answered at once, on this
 * shard's order of events, so a withdrawal and an order racing for the same rupee are decided by
 * whichever this shard applies first. A new user is announced to every matching shard (USER).
 * BALANCE events come from here, one after each message that moved a user's cash.
 */
export class RiskShard {
  readonly links: Links;
  state: EngineState;

  constructor(
    readonly shard: number,
    readonly map: ShardMap,
    readonly dedupeWindowMs: number = DEFAULT_DEDUPE_WINDOW_MS,
    state?: EngineState,
    links?: Links,
  ) {
    this.links = links ?? new Links(this.id, map.version);
    this.state = state ?? new EngineState(dedupeWindowMs);
  }

  get id(): ShardId {
    return `r${this.shard}`;
  }

  apply(input: ShardInput): ShardStep {
    const s = this.state;
    const risk = s.risk;
    if (input.kind === "command") {
      const cmd = input.cmd as Command;
      let r: Result;
      if (typeof cmd !== "object" || cmd === null || !isInt(cmd.ts))
        r = { code: "INVALID_COMMAND", events: [] };
      else {
        risk.advanceClock(cmd.ts);
        s.matching.advanceClock(cmd.ts);
        s.out.reset(cmd.ts);
        if (cmd.type === "CREATE_USER") {
          r = createUser(s, cmd);
          if (r.code === "OK") {
            const handle = risk.users.get(cmd.userId) as number;
            for (let k = 0; k < this.map.matchingShards; k++)
              this.links.send(matchingName(k), {
                type: "USER",
                userId: cmd.userId,
                riskShard: this.shard,
                handle,
              });
          }
        } else if (cmd.type === "CREDIT") r = risk.credit(cmd);
        else if (cmd.type === "DEBIT") r = risk.debit(cmd);
        else r = { code: "INVALID_COMMAND", events: [] };
      }
      return { receipt: "APPLIED", index: input.index, result: r, events: r.events };
    }
    if (input.kind === "messages") return this.applyGroup(input);
    const env = input.env;
    const receipt = this.links.receive(env);
    if (receipt !== "APPLIED") return { receipt, index: -1, result: null, events: NO_EVENTS };
    const events = s.out.reset(risk.dedupe.clock);
    const user = this.applyMessage(env.from, env.msg);
    if (user >= 0) risk.reportBalance(user);
    return { receipt, index: -1, result: null, events };
  }

  /**
   * One message from matching shard `from`. Returns the user whose cash it moved (their BALANCE is
   * due), or -1 (a refused RESERVE moved nothing).
   */
  private applyMessage(from: ShardId, msg: WireMessage): number {
    const risk = this.state.risk;
    switch (msg.type) {
      case "RESERVE": {
        const a = risk.reserve(msg);
        this.links.send(from, {
          type: "RESERVE_ANSWER",
          ticket: msg.ticket,
          user: msg.user,
          ok: a.ok,
          code: a.code,
          lockedPaise: a.lockedPaise,
          lockPerShare: a.lockPerShare,
          budgetPaise: a.budgetPaise,
        });
        return a.ok ? msg.user : -1;
      }
      case "FILL":
        risk.settle(msg);
        return msg.user;
      case "RELEASE":
        risk.release(msg);
        return msg.user;
      case "PAYOUT":
        risk.payout(msg);
        return msg.user;
      default:
        throw new Error(`${this.id}: unexpected ${msg.type} from ${from}`);
    }
  }

  /**
   * A group: consecutive envelopes of one link as one input (a peer's stream entry), each applied
   * as it would be alone and in order, the ones applied before skipped; then ONE BALANCE per user
   * whose cash moved, in the order first moved (alone, each message is followed by its own). The
   * state, the answers and their seqs are those of the envelopes applied one by one; only the
   * intermediate BALANCE events are left out. Messages are read positionally (WIRE_FIELDS) into
   * reused objects: no envelope is built.
   */
  private applyGroup(input: MessagesInput): ShardStep {
    const ms = input.m;
    const receipt = this.links.receiveRun(input.from, input.to, input.map, input.seq, ms.length);
    if (receipt !== "APPLIED") return { receipt, index: -1, result: null, events: NO_EVENTS };
    const risk = this.state.risk;
    const events = this.state.out.reset(risk.dedupe.clock);
    const touched = this.touched;
    touched.length = 0;
    const gen = ++this.touchGen;
    for (let i = this.links.skipped; i < ms.length; i++) {
      const user = this.applyMessage(input.from, this.decode(ms[i]));
      if (user >= 0 && this.touchMark[user] !== gen) {
        this.touchMark[user] = gen;
        touched.push(user);
      }
    }
    for (let i = 0; i < touched.length; i++) risk.reportBalance(touched[i]);
    return { receipt, index: -1, result: null, events };
  }

  /** A positional message into this shard's reused object of its type (valid until the next decode). */
  private decode(m: readonly unknown[]): WireMessage {
    switch (m[0]) {
      case "FILL": {
        const f = this.fillMsg;
        f.user = m[1] as number;
        f.isBuy = m[2] as boolean;
        f.valuePaise = m[3] as number;
        f.feePaise = m[4] as number;
        f.unlockPaise = m[5] as number;
        return f;
      }
      case "RESERVE": {
        const r = this.reserveMsg;
        r.ticket = m[1] as number;
        r.user = m[2] as number;
        r.qty = m[3] as number;
        r.pricePaise = m[4] as number;
        r.maxCostPaise = m[5] as number;
        r.maxFeeBps = m[6] as number;
        return r;
      }
      case "RELEASE": {
        const r = this.releaseMsg;
        r.user = m[1] as number;
        r.paise = m[2] as number;
        return r;
      }
      case "PAYOUT": {
        const p = this.payoutMsg;
        p.user = m[1] as number;
        p.paise = m[2] as number;
        return p;
      }
      default:
        return unpackWire(m);
    }
  }

  private readonly touched: number[] = [];
  private readonly touchMark: number[] = [];
  private touchGen = 0;
  private readonly fillMsg: FillMsg = {
    type: "FILL",
    user: 0,
    isBuy: false,
    valuePaise: 0,
    feePaise: 0,
    unlockPaise: 0,
  };
  private readonly reserveMsg: ReserveMsg = {
    type: "RESERVE",
    ticket: 0,
    user: 0,
    qty: 0,
    pricePaise: 0,
    maxCostPaise: -1,
    maxFeeBps: 0,
  };
  private readonly releaseMsg: ReleaseMsg = { type: "RELEASE", user: 0, paise: 0 };
  private readonly payoutMsg: PayoutMsg = { type: "PAYOUT", user: 0, paise: 0 };

  snapshot(): Uint8Array {
    const doc: Omit<RiskShardDoc, "core"> = {
      v: "risk-shard/1",
      shard: this.shard,
      map: this.map.version,
      links: this.links.toJSON(),
    };
    return withCore(encodeState(this.state), doc);
  }

  static restore(bytes: Uint8Array, map: ShardMap, dedupeWindowMs?: number): RiskShard {
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as RiskShardDoc;
    if (doc.v !== "risk-shard/1") throw new Error("not a risk shard snapshot");
    if (doc.map !== map.version) throw new Error(`snapshot of map v${doc.map}, running v${map.version}`);
    const state = decodeState(new TextEncoder().encode(JSON.stringify(doc.core)), dedupeWindowMs);
    return new RiskShard(
      doc.shard,
      map,
      dedupeWindowMs,
      state,
      Links.fromJSON(`r${doc.shard}`, map.version, doc.links),
    );
  }
}

interface RiskShardDoc {
  v: "risk-shard/1";
  shard: number;
  map: number;
  core: unknown;
  links: LinksDoc;
}

const NO_EVENTS: readonly EngineEvent[] = [];
