import { createUser } from "../commands/accounts.ts";
import { DEFAULT_DEDUPE_WINDOW_MS } from "../dedupe.ts";
import { EngineState } from "../engine-state.ts";
import { decodeState, encodeState } from "../snapshot.ts";
import type { Command, EngineEvent, Result } from "../types.ts";
import { isInt } from "../validate.ts";
import type { ShardStep } from "./matching-shard.ts";
import { matchingName, type ShardMap } from "./shard-map.ts";
import { Links, type LinksDoc, type ShardId, type ShardInput, withCore } from "./wire.ts";

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
    const env = input.env;
    const receipt = this.links.receive(env);
    if (receipt !== "APPLIED") return { receipt, index: -1, result: null, events: NO_EVENTS };
    const events = s.out.reset(risk.dedupe.clock);
    const msg = env.msg;
    switch (msg.type) {
      case "RESERVE": {
        const a = risk.reserve(msg);
        this.links.send(env.from, {
          type: "RESERVE_ANSWER",
          ticket: msg.ticket,
          user: msg.user,
          ok: a.ok,
          code: a.code,
          lockedPaise: a.lockedPaise,
          lockPerShare: a.lockPerShare,
          budgetPaise: a.budgetPaise,
        });
        if (a.ok) risk.reportBalance(msg.user);
        break;
      }
      case "FILL":
        risk.settle(msg);
        risk.reportBalance(msg.user);
        break;
      case "RELEASE":
        risk.release(msg);
        risk.reportBalance(msg.user);
        break;
      case "PAYOUT":
        risk.payout(msg);
        risk.reportBalance(msg.user);
        break;
      default:
        throw new Error(`${this.id}: unexpected ${msg.type} from ${env.from}`);
    }
    return { receipt, index: -1, result: null, events };
  }

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
